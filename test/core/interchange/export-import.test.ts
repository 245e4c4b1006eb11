import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { resultOf, type Annotation, type InstanceType } from '../../../main/shared/api';
import { splitTrainVal } from '../../../main/core/datasets/split';
import { jpeg, png, tempDir, vocXml } from '../../helpers/fixtures';
import { useStudioFixture } from '../../helpers/studio';

const fx = useStudioFixture();

async function dataset(type: InstanceType, path = fx.data, name = 'ds') {
  const inst = await fx.studio.createInstance({ type, name: `${type}-${name}` });
  const { dataset: ds, job } = await fx.studio.createDataset({ instanceId: inst.id, name, path });
  resultOf(await fx.studio.waitJob(job.id), 'index');
  return ds;
}

async function annotations(datasetId: number): Promise<Record<string, Annotation>> {
  const page = await fx.studio.listImages({ datasetId, limit: 1000 });
  const found: Record<string, Annotation> = {};
  for (const item of page.items) {
    const d = await fx.studio.getImage(item.id);
    if (d.status === 'labeled') found[d.path.split('/').pop()!] = { label: d.label, boxes: d.boxes };
  }
  return found;
}

describe('export', () => {
  it('writes the OSS VOC layout, links images, and leaves unlabeled images out', async () => {
    fx.write('a.jpg', await jpeg(120, 80));
    fx.write('a.xml', vocXml('a.jpg', 120, 80, [['cat', 1, 2, 50, 60]]));
    fx.write('sub/b.png', await png(64, 48));
    fx.write('sub/b.xml', vocXml('b.png', 64, 48, [['dog', 0, 0, 64, 48], ['cat', 3, 3, 9, 9]]));
    fx.write('unlabeled.jpg', await jpeg(50, 50));
    const ds = await dataset('detection');
    const job = await fx.studio.exportDataset({ datasetId: ds.id, format: 'voc', outDir: join(fx.out, 'voc') });
    const report = resultOf(await fx.studio.waitJob(job.id), 'export');
    expect(report).toMatchObject({ format: 'voc', images: 2, files: 4, skipped: 1 });
    expect(readdirSync(join(fx.out, 'voc'), { recursive: true }).map(String).sort()).toEqual(['a.jpg', 'a.xml', 'sub', 'sub/b.png', 'sub/b.xml']);
    const xml = readFileSync(join(fx.out, 'voc', 'sub', 'b.xml'), 'utf8');
    expect(xml).toContain(`<path>${join(fx.out, 'voc', 'sub', 'b.png')}</path>`);
    expect(xml).toContain('<folder>sub</folder>');
    expect(readFileSync(join(fx.out, 'voc', 'a.jpg'))).toEqual(readFileSync(join(fx.data, 'a.jpg')));
  });

  it('writes the devkit layout with a reproducible, stratified split', async () => {
    for (let i = 0; i < 10; i++) {
      fx.write(`img${i}.jpg`, await jpeg(60, 60, { seed: i }));
      fx.write(`img${i}.xml`, vocXml(`img${i}.jpg`, 60, 60, [[i < 6 ? 'cat' : 'dog', 5, 5, 40, 40]]));
    }
    const ds = await dataset('detection');
    const run = async (dir: string, seed: number) =>
      resultOf(await fx.studio.waitJob((await fx.studio.exportDataset({ datasetId: ds.id, format: 'voc-devkit', outDir: join(fx.out, dir), split: 0.7, seed, images: 'copy' })).id), 'export');
    await run('a', 7);
    await run('b', 7);
    const sets = (dir: string, name: string) => readFileSync(join(fx.out, dir, 'ImageSets/Main', `${name}.txt`), 'utf8').trim().split('\n');
    expect(sets('a', 'val')).toEqual(sets('b', 'val'));
    expect(sets('a', 'trainval')).toHaveLength(10);
    // 6 cats → 2 val (round(6 × 0.3) = 2), 4 dogs → 1 val.
    const val = sets('a', 'val');
    expect(val.filter((id) => Number(id.slice(3)) < 6)).toHaveLength(2);
    expect(val.filter((id) => Number(id.slice(3)) >= 6)).toHaveLength(1);
    expect(readFileSync(join(fx.out, 'a', 'labels.txt'), 'utf8')).toBe('cat\ndog\n');
    expect(existsSync(join(fx.out, 'a', 'JPEGImages', 'img0.jpg'))).toBe(true);
    expect(existsSync(join(fx.out, 'a', 'Annotations', 'img0.xml'))).toBe(true);
  });

  it('writes EXIF-rotated photos upright, with boxes in that frame', async () => {
    fx.write('rot.jpg', await jpeg(400, 300, { orientation: 6 }));
    fx.write('rot.xml', vocXml('rot.jpg', 400, 300, [['thing', 10, 20, 110, 70]])); // labelImg: stored frame
    const ds = await dataset('detection');
    resultOf(await fx.studio.waitJob((await fx.studio.exportDataset({ datasetId: ds.id, format: 'voc', outDir: fx.out })).id), 'export');
    const meta = await sharp(join(fx.out, 'rot.jpg')).metadata();
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([300, 400, 1]);
    const xml = readFileSync(join(fx.out, 'rot.xml'), 'utf8');
    expect(xml).toMatch(/<width>300<\/width>\s*<height>400<\/height>/);
    expect(xml).toMatch(/<xmin>230<\/xmin>\s*<ymin>10<\/ymin>\s*<xmax>280<\/xmax>\s*<ymax>110<\/ymax>/);
  });

  it('refuses an output folder inside the dataset or one that is not empty, and wrong formats', async () => {
    fx.write('c/x.jpg', await jpeg(40, 40));
    const ds = await dataset('classification');
    await expect(fx.studio.exportDataset({ datasetId: ds.id, format: 'folders', outDir: join(fx.data, 'export') })).rejects.toMatchObject({ field: 'outDir', message: expect.stringContaining('inside the dataset folder') });
    writeFileSync(join(fx.out, 'keep.txt'), 'mine');
    await expect(fx.studio.exportDataset({ datasetId: ds.id, format: 'folders', outDir: fx.out })).rejects.toMatchObject({ code: 'conflict', field: 'outDir' });
    await expect(fx.studio.exportDataset({ datasetId: ds.id, format: 'voc', outDir: join(fx.out, 'v') })).rejects.toMatchObject({ field: 'format', message: expect.stringContaining('does not carry classification') });
    fx.write('loose.jpg', await jpeg(40, 40));
    const unlabeled = await dataset('classification', join(fx.data, 'c'), 'unlabeled');
    await fx.studio.saveAnnotation({ imageId: (await fx.studio.listImages({ datasetId: unlabeled.id })).items[0]!.id, annotation: { label: null, boxes: [] } });
    await expect(fx.studio.exportDataset({ datasetId: unlabeled.id, format: 'folders', outDir: join(fx.out, 'empty') })).rejects.toMatchObject({ field: 'datasetId', message: expect.stringContaining('no labeled images') });
    expect(readFileSync(join(fx.out, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('export → import', () => {
  it.each(['voc', 'voc-devkit'] as const)('%s: detection annotations come back unchanged into a fresh dataset', async (format) => {
    fx.write('p/a.jpg', await jpeg(200, 100));
    fx.write('p/a.xml', vocXml('a.jpg', 200, 100, [['猫', 10, 10, 90, 60], ['dog  2', 100, 5, 200, 100]]));
    fx.write('q.png', await png(80, 80));
    fx.write('q.xml', vocXml('q.png', 80, 80, [['cat', 0, 0, 1, 1]]));
    const ds = await dataset('detection');
    resultOf(await fx.studio.waitJob((await fx.studio.exportDataset({ datasetId: ds.id, format, outDir: join(fx.out, 'x'), images: 'copy' })).id), 'export');

    // A second copy of the images without annotations, then the import.
    const bare = tempDir('bare-');
    fx.track(bare);
    mkdirSync(join(bare.dir, 'p'));
    writeFileSync(join(bare.dir, 'p', 'a.jpg'), readFileSync(join(fx.data, 'p', 'a.jpg')));
    writeFileSync(join(bare.dir, 'q.png'), readFileSync(join(fx.data, 'q.png')));
    const target = await dataset('detection', bare.dir, 'bare');
    expect(await annotations(target.id)).toEqual({});
    const report = resultOf(await fx.studio.waitJob((await fx.studio.importAnnotations({ datasetId: target.id, format, from: join(fx.out, 'x') })).id), 'import');
    expect(report).toMatchObject({ updated: 2, unmatched: [], problems: [] });
    expect(await annotations(target.id)).toEqual(await annotations(ds.id));
    // Imported labels are studio edits: a re-index keeps them.
    resultOf(await fx.studio.waitJob((await fx.studio.reindexDataset(target.id)).id), 'index');
    expect(Object.keys(await annotations(target.id))).toEqual(['a.jpg', 'q.png']);
  });

  it('folders: classification labels come back, unmatched files and bad XML are reported', async () => {
    fx.write('cat/1.jpg', await jpeg(40, 40, { seed: 1 }));
    fx.write('cat/2.jpg', await jpeg(40, 40, { seed: 2 }));
    fx.write('dog/3.jpg', await jpeg(40, 40, { seed: 3 }));
    const ds = await dataset('classification');
    resultOf(await fx.studio.waitJob((await fx.studio.exportDataset({ datasetId: ds.id, format: 'folders', outDir: join(fx.out, 'f'), split: 0.5, seed: 1 })).id), 'export');
    expect(readFileSync(join(fx.out, 'f', 'labels.csv'), 'utf8').split('\n')[0]).toBe('path,label,split');
    mkdirSync(join(fx.out, 'f', 'train', 'bird'), { recursive: true });
    writeFileSync(join(fx.out, 'f', 'train', 'bird', 'unknown.jpg'), await jpeg(10, 10));

    const fresh = tempDir('fresh-');
    fx.track(fresh);
    for (const f of ['1.jpg', '2.jpg', '3.jpg']) writeFileSync(join(fresh.dir, f), readFileSync(join(fx.data, f === '3.jpg' ? 'dog' : 'cat', f)));
    const target = await dataset('classification', fresh.dir, 'fresh');
    const report = resultOf(await fx.studio.waitJob((await fx.studio.importAnnotations({ datasetId: target.id, format: 'folders', from: join(fx.out, 'f') })).id), 'import');
    expect(report).toMatchObject({ updated: 3, unmatched: ['unknown.jpg'] });
    expect(await annotations(target.id)).toEqual({ '1.jpg': { label: 'cat', boxes: [] }, '2.jpg': { label: 'cat', boxes: [] }, '3.jpg': { label: 'dog', boxes: [] } });

    const vocDir = tempDir('badvoc-');
    fx.track(vocDir);
    writeFileSync(join(vocDir.dir, 'broken.xml'), '<annotation><object>');
    const det = await dataset('detection', fresh.dir, 'det');
    const bad = resultOf(await fx.studio.waitJob((await fx.studio.importAnnotations({ datasetId: det.id, format: 'voc', from: vocDir.dir })).id), 'import');
    expect(bad).toMatchObject({ updated: 0, problems: [{ path: 'broken.xml', reason: expect.stringMatching(/^malformed XML/) }] });
    await expect(fx.studio.importAnnotations({ datasetId: det.id, format: 'voc', from: join(vocDir.dir, 'nope') })).rejects.toMatchObject({ field: 'from' });
  });
});

describe('splitTrainVal', () => {
  it('is stratified, seeded and independent of input order', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, stratum: i < 30 ? 'a' : i < 39 ? 'b' : 'c' }));
    const s1 = splitTrainVal(items, 0.9, 3);
    const s2 = splitTrainVal([...items].reverse(), 0.9, 3);
    expect([...s1].sort()).toEqual([...s2].sort());
    const val = (stratum: string) => items.filter((i) => i.stratum === stratum && s1.get(i.key) === 'val').length;
    expect([val('a'), val('b'), val('c')]).toEqual([3, 1, 0]); // a class of one stays in train
    expect([...splitTrainVal(items, 0.9, 4)].sort()).not.toEqual([...s1].sort());
  });
});
