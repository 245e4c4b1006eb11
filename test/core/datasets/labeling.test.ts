import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf, type Box, type InstanceType } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { parseVoc } from '../../../main/core/interchange/voc';
import { jpeg, tempDir, vocXml } from '../../helpers/fixtures';

let studio: Studio;
let data: string;
let cleanups: Array<() => void> = [];

beforeEach(async () => {
  const ws = tempDir('ws-');
  const folder = tempDir('data-');
  cleanups = [ws.cleanup, folder.cleanup];
  data = folder.dir;
  studio = await openStudio({ workspace: ws.dir });
});
afterEach(async () => {
  await studio.close();
  for (const c of cleanups) c();
});

function write(rel: string, bytes: Buffer | string) {
  mkdirSync(join(data, rel, '..'), { recursive: true });
  writeFileSync(join(data, rel), bytes);
}

async function dataset(type: InstanceType) {
  const inst = await studio.createInstance({ type, name: type });
  const { dataset: ds, job } = await studio.createDataset({ instanceId: inst.id, name: 'ds', path: data });
  resultOf(await studio.waitJob(job.id), 'index');
  const images = (await studio.listImages({ datasetId: ds.id })).items;
  return { ds, images };
}

const box = (label: string, xmin: number, ymin: number, xmax: number, ymax: number): Box => ({ label, xmin, ymin, xmax, ymax, difficult: false, truncated: false });

describe('stale edits', () => {
  it('refuses a save based on an older revision, so two windows never overwrite each other', async () => {
    write('a.jpg', await jpeg(100, 80));
    const { images } = await dataset('detection');
    const opened = await studio.getImage(images[0]!.id);
    // Window 1 saves; window 2 still holds the revision it opened with.
    const w1 = await studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [box('cat', 1, 1, 20, 20)] }, baseRevision: opened.revision });
    expect(w1.revision).toBe(opened.revision + 1);
    await expect(
      studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [box('dog', 5, 5, 9, 9)] }, baseRevision: opened.revision }),
    ).rejects.toMatchObject({ code: 'conflict', field: 'revision' });
    expect((await studio.getImage(opened.id)).boxes.map((b) => b.label)).toEqual(['cat']);
    // Window 1 continues from its own revision.
    const next = await studio.saveAnnotation({ imageId: opened.id, annotation: { label: null, boxes: [] }, baseRevision: w1.revision });
    expect(next.revision).toBe(w1.revision + 1);
  });
});

describe('labels', () => {
  it('adds, renames (merging) and deletes labels across annotations, reporting the images affected', async () => {
    write('cat/1.jpg', await jpeg(30, 30, { seed: 1 }));
    write('cat/2.jpg', await jpeg(30, 30, { seed: 2 }));
    write('kitty/3.jpg', await jpeg(30, 30, { seed: 3 }));
    write('4.jpg', await jpeg(30, 30, { seed: 4 }));
    const { ds } = await dataset('classification');
    expect(await studio.addLabel({ datasetId: ds.id, name: 'dog' })).toEqual([
      { name: 'dog', images: 0, boxes: 0, declared: true },
      { name: 'cat', images: 2, boxes: 0, declared: false },
      { name: 'kitty', images: 1, boxes: 0, declared: false },
    ]);
    const merged = await studio.renameLabel({ datasetId: ds.id, from: 'kitty', to: 'cat' });
    expect(merged.affected).toBe(1);
    expect(merged.labels.map((l) => [l.name, l.images])).toEqual([['dog', 0], ['cat', 3]]);
    const removed = await studio.deleteLabel({ datasetId: ds.id, name: 'cat' });
    expect(removed.affected).toBe(3);
    expect((await studio.getDataset(ds.id)).stats).toMatchObject({ labeled: 0, unlabeled: 4 });
    // The changes are studio edits: a re-index does not bring the folder labels back.
    resultOf(await studio.waitJob((await studio.reindexDataset(ds.id)).id), 'index');
    expect((await studio.getDataset(ds.id)).stats.labeled).toBe(0);
    await expect(studio.deleteLabel({ datasetId: ds.id, name: 'nope' })).rejects.toMatchObject({ code: 'not_found', field: 'name' });
    await expect(studio.addLabel({ datasetId: ds.id, name: ' padded' })).rejects.toMatchObject({ field: 'name' });
  });

  it('renames box labels in detection datasets', async () => {
    write('a.jpg', await jpeg(60, 60));
    write('a.xml', vocXml('a.jpg', 60, 60, [['car', 1, 1, 10, 10], ['bus', 2, 2, 20, 20], ['car', 5, 5, 30, 30]]));
    const { ds, images } = await dataset('detection');
    const r = await studio.renameLabel({ datasetId: ds.id, from: 'car', to: 'vehicle' });
    expect(r.affected).toBe(1);
    expect((await studio.getImage(images[0]!.id)).boxes.map((b) => b.label)).toEqual(['vehicle', 'bus', 'vehicle']);
  });
});

describe('submit and write-back', () => {
  it('marks reviewed, writes the sidecar atomically with verified="yes", and a re-index keeps it unchanged', async () => {
    write('card.jpg', await jpeg(200, 100));
    const { ds, images } = await dataset('ocr');
    await studio.updateDataset({ id: ds.id, writeBack: true });
    const text = '卡号 6222 <0200> & 中';
    await studio.saveAnnotation({ imageId: images[0]!.id, annotation: { label: null, boxes: [box(text, 10, 20, 150, 45)] } });
    const submitted = await studio.submitImage({ imageId: images[0]!.id });
    expect(submitted.reviewed).toBe(true);
    const xml = readFileSync(join(data, 'card.xml'), 'utf8');
    expect(xml.startsWith('<annotation verified="yes">')).toBe(true);
    expect(parseVoc(xml).boxes).toEqual([box(text, 10, 20, 150, 45)]);
    const again = resultOf(await studio.waitJob((await studio.reindexDataset(ds.id)).id), 'index');
    expect(again).toMatchObject({ changed: 0, unchanged: 1 });
    expect((await studio.getImage(images[0]!.id)).boxes[0]!.label).toBe(text);
  });

  it('never overwrites an annotation file that failed to parse', async () => {
    write('b.jpg', await jpeg(64, 64));
    write('b.xml', '<annotation><object><name>precious but broken');
    const { ds, images } = await dataset('detection');
    await studio.updateDataset({ id: ds.id, writeBack: true });
    await studio.saveAnnotation({ imageId: images[0]!.id, annotation: { label: null, boxes: [box('x', 1, 1, 9, 9)] } });
    await expect(studio.submitImage({ imageId: images[0]!.id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('not overwritten') });
    expect(readFileSync(join(data, 'b.xml'), 'utf8')).toBe('<annotation><object><name>precious but broken');
    expect(readdirSync(data).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('submitting a detection image without boxes labels it as negative; classification needs a label', async () => {
    write('neg.jpg', await jpeg(64, 64));
    const { ds, images } = await dataset('detection');
    await studio.submitImage({ imageId: images[0]!.id });
    expect((await studio.getDataset(ds.id)).stats).toMatchObject({ labeled: 1, unlabeled: 0 });
    await expect(studio.updateDataset({ id: ds.id, writeBack: true })).resolves.toMatchObject({ writeBack: true });
  });

  it('refuses write-back for classification and a submit without a label', async () => {
    write('x.jpg', await jpeg(40, 40));
    const { ds, images } = await dataset('classification');
    await expect(studio.updateDataset({ id: ds.id, writeBack: true })).rejects.toMatchObject({ field: 'writeBack' });
    await expect(studio.submitImage({ imageId: images[0]!.id })).rejects.toMatchObject({ field: 'imageId', message: expect.stringContaining('choose a label') });
  });
});
