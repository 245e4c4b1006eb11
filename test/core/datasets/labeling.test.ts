import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultOf, type Box, type InstanceType } from '../../../main/shared/api';
import { parseVoc } from '../../../main/core/interchange/voc';
import { jpeg, tempDir, vocXml } from '../../helpers/fixtures';
import { useStudioFixture } from '../../helpers/studio';

const fx = useStudioFixture();

async function dataset(type: InstanceType) {
  const inst = await fx.studio.createInstance({ type, name: type });
  const { dataset: ds, job } = await fx.studio.createDataset({ instanceId: inst.id, name: 'ds', path: fx.data });
  resultOf(await fx.studio.waitJob(job.id), 'index');
  const images = (await fx.studio.listImages({ datasetId: ds.id })).items;
  return { ds, images };
}

const box = (label: string, xmin: number, ymin: number, xmax: number, ymax: number): Box => ({ label, xmin, ymin, xmax, ymax, difficult: false, truncated: false });

describe('stale edits', () => {
  it('refuses a save based on an older revision, so two windows never overwrite each other', async () => {
    fx.write('a.jpg', await jpeg(100, 80));
    const { images } = await dataset('detection');
    const opened = await fx.studio.getImage(images[0]!.id);
    // Window 1 saves; window 2 still holds the revision it opened with.
    const w1 = await fx.studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [box('cat', 1, 1, 20, 20)] }, baseRevision: opened.revision });
    expect(w1.revision).toBe(opened.revision + 1);
    await expect(
      fx.studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [box('dog', 5, 5, 9, 9)] }, baseRevision: opened.revision }),
    ).rejects.toMatchObject({ code: 'conflict', field: 'revision' });
    expect((await fx.studio.getImage(opened.id)).boxes.map((b) => b.label)).toEqual(['cat']);
    // Window 1 continues from its own revision.
    const next = await fx.studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [] }, baseRevision: w1.revision });
    expect(next.revision).toBe(w1.revision + 1);
  });
});

describe('labels', () => {
  it('adds, renames (merging) and deletes labels across annotations, reporting the images affected', async () => {
    fx.write('cat/1.jpg', await jpeg(30, 30, { seed: 1 }));
    fx.write('cat/2.jpg', await jpeg(30, 30, { seed: 2 }));
    fx.write('kitty/3.jpg', await jpeg(30, 30, { seed: 3 }));
    fx.write('4.jpg', await jpeg(30, 30, { seed: 4 }));
    const { ds } = await dataset('classification');
    expect(await fx.studio.addLabel({ datasetId: ds.id, name: 'dog' })).toEqual([
      { name: 'dog', images: 0, boxes: 0, declared: true },
      { name: 'cat', images: 2, boxes: 0, declared: false },
      { name: 'kitty', images: 1, boxes: 0, declared: false },
    ]);
    const merged = await fx.studio.renameLabel({ datasetId: ds.id, from: 'kitty', to: 'cat' });
    expect(merged.affected).toBe(1);
    expect(merged.labels.map((l) => [l.name, l.images])).toEqual([['dog', 0], ['cat', 3]]);
    const removed = await fx.studio.deleteLabel({ datasetId: ds.id, name: 'cat' });
    expect(removed.affected).toBe(3);
    expect((await fx.studio.getDataset(ds.id)).stats).toMatchObject({ labeled: 0, unlabeled: 4 });
    // The changes are studio edits: a re-index does not bring the folder labels back.
    resultOf(await fx.studio.waitJob((await fx.studio.reindexDataset(ds.id)).id), 'index');
    expect((await fx.studio.getDataset(ds.id)).stats.labeled).toBe(0);
    await expect(fx.studio.deleteLabel({ datasetId: ds.id, name: 'nope' })).rejects.toMatchObject({ code: 'not_found', field: 'name' });
    await expect(fx.studio.addLabel({ datasetId: ds.id, name: ' padded' })).rejects.toMatchObject({ field: 'name' });
  });

  it('renames box labels in detection datasets', async () => {
    fx.write('a.jpg', await jpeg(60, 60));
    fx.write('a.xml', vocXml('a.jpg', 60, 60, [['car', 1, 1, 10, 10], ['bus', 2, 2, 20, 20], ['car', 5, 5, 30, 30]]));
    const { ds, images } = await dataset('detection');
    const r = await fx.studio.renameLabel({ datasetId: ds.id, from: 'car', to: 'vehicle' });
    expect(r.affected).toBe(1);
    expect((await fx.studio.getImage(images[0]!.id)).boxes.map((b) => b.label)).toEqual(['vehicle', 'bus', 'vehicle']);
  });
});

describe('submit and write-back', () => {
  it('marks reviewed, writes the sidecar atomically with verified="yes", and a re-index keeps it unchanged', async () => {
    fx.write('card.jpg', await jpeg(200, 100));
    const { ds, images } = await dataset('ocr');
    await fx.studio.updateDataset({ id: ds.id, writeBack: true });
    const text = '卡号 6222 <0200> & 中';
    await fx.studio.saveAnnotation({ imageId: images[0]!.id, annotation: { label: null, boxes: [box(text, 10, 20, 150, 45)] } });
    const submitted = await fx.studio.submitImage({ imageId: images[0]!.id });
    expect(submitted.reviewed).toBe(true);
    const xml = readFileSync(join(fx.data, 'card.xml'), 'utf8');
    expect(xml.startsWith('<annotation verified="yes">')).toBe(true);
    expect(parseVoc(xml).boxes).toEqual([box(text, 10, 20, 150, 45)]);
    const again = resultOf(await fx.studio.waitJob((await fx.studio.reindexDataset(ds.id)).id), 'index');
    expect(again).toMatchObject({ changed: 0, unchanged: 1 });
    expect((await fx.studio.getImage(images[0]!.id)).boxes[0]!.label).toBe(text);
  });

  it('never overwrites an annotation file that failed to parse', async () => {
    fx.write('b.jpg', await jpeg(64, 64));
    fx.write('b.xml', '<annotation><object><name>precious but broken');
    const { ds, images } = await dataset('detection');
    await fx.studio.updateDataset({ id: ds.id, writeBack: true });
    await fx.studio.saveAnnotation({ imageId: images[0]!.id, annotation: { label: null, boxes: [box('x', 1, 1, 9, 9)] } });
    await expect(fx.studio.submitImage({ imageId: images[0]!.id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('not overwritten') });
    expect(readFileSync(join(fx.data, 'b.xml'), 'utf8')).toBe('<annotation><object><name>precious but broken');
    expect(readdirSync(fx.data).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('submitting a detection image without boxes labels it as negative; classification needs a label', async () => {
    fx.write('neg.jpg', await jpeg(64, 64));
    const { ds, images } = await dataset('detection');
    await fx.studio.submitImage({ imageId: images[0]!.id });
    expect((await fx.studio.getDataset(ds.id)).stats).toMatchObject({ labeled: 1, unlabeled: 0 });
    await expect(fx.studio.updateDataset({ id: ds.id, writeBack: true })).resolves.toMatchObject({ writeBack: true });
  });

  it('refuses write-back for classification and a submit without a label', async () => {
    fx.write('x.jpg', await jpeg(40, 40));
    const { ds, images } = await dataset('classification');
    await expect(fx.studio.updateDataset({ id: ds.id, writeBack: true })).rejects.toMatchObject({ field: 'writeBack' });
    await expect(fx.studio.submitImage({ imageId: images[0]!.id })).rejects.toMatchObject({ field: 'imageId', message: expect.stringContaining('choose a label') });
  });
});
