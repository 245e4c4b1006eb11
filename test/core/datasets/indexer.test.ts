import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resultOf, type InstanceType } from '../../../main/shared/api';
import { jpeg, png, tempDir, vocXml } from '../../helpers/fixtures';
import { useStudioFixture } from '../../helpers/studio';

const fx = useStudioFixture();

async function index(type: InstanceType, name = 'ds') {
  const inst = await fx.studio.createInstance({ type, name: `${type}-${name}` });
  const { dataset, job } = await fx.studio.createDataset({ instanceId: inst.id, name, path: fx.data });
  const done = await fx.studio.waitJob(job.id);
  expect(done.state, JSON.stringify(done.error)).toBe('done');
  return { dataset, report: resultOf(done, 'index') };
}

async function reindex(datasetId: number) {
  const job = await fx.studio.reindexDataset(datasetId);
  const done = await fx.studio.waitJob(job.id);
  expect(done.state).toBe('done');
  return resultOf(done, 'index');
}

describe('detection folder with awkward files', () => {
  beforeEach(async () => {
    const good = await jpeg(200, 150);
    fx.write('a.jpg', good);
    fx.write('a.xml', vocXml('a.jpg', 200, 150, [['cat', 10, 20, 110, 120], ['dog', 50.5, 30.4, 180.6, 140.2]]));
    fx.write('truncated.jpg', good.subarray(0, Math.floor(good.length / 2)));
    fx.write('tiny.png', await png(20, 20));
    fx.write('notes.txt', 'not an image');
    fx.write('UPPER.JPG', await jpeg(120, 90));
    fx.write('袋鼠 照片.jpg', await jpeg(100, 100));
    fx.write('袋鼠 照片.xml', vocXml('袋鼠 照片.jpg', 100, 100, [['袋鼠', 1, 1, 50, 50]]));
    fx.write('broken.jpg', await jpeg(64, 64));
    fx.write('broken.xml', '<annotation><object><name>cat</name><bndbox><xmin>1</xmin></bndbox></object>');
  });

  it('indexes what it can and names every problem', async () => {
    const { report } = await index('detection');
    const s = report.dataset.stats;
    expect(s.images).toBe(4); // a, UPPER, 袋鼠 照片, broken
    expect(s.labeled).toBe(2);
    expect(s.unlabeled).toBe(2);
    expect(s.boxes).toBe(3);
    expect(s.labels).toEqual({ cat: 1, dog: 1, 袋鼠: 1 });
    expect(s.invalid).toEqual([
      { path: 'tiny.png', reason: 'image is 20×20 px; detection and OCR need more than 30 px on each side' },
      { path: 'truncated.jpg', reason: expect.stringMatching(/^truncated JPEG/) },
    ]);
    expect(s.annotationErrors).toEqual([{ path: 'broken.xml', reason: expect.stringMatching(/^malformed XML at line 1/) }]);
    expect(s.warnings.filter((w) => w.code === 'non_ascii_label').map((w) => w.label)).toEqual(['袋鼠']);
    expect(report.files.added.sort()).toEqual(['UPPER.JPG', 'a.jpg', 'broken.jpg', 'tiny.png', 'truncated.jpg', '袋鼠 照片.jpg']);

    const page = await fx.studio.listImages({ datasetId: report.dataset.id, filter: 'unlabeled' });
    expect(page.items.map((i) => i.path)).toEqual(['UPPER.JPG', 'broken.jpg']);
    expect(page.items[1]!.notes[0]).toMatch(/^annotation broken.xml: malformed XML/);
    const a = (await fx.studio.listImages({ datasetId: report.dataset.id, filter: 'labeled' })).items.find((i) => i.path === 'a.jpg')!;
    const detail = await fx.studio.getImage(a.id);
    expect(detail.boxes[1]).toEqual({ label: 'dog', xmin: 50.5, ymin: 30.4, xmax: 180.6, ymax: 140.2, difficult: false, truncated: false });
  });

  it('re-index reports exactly the touched, added and deleted files', async () => {
    const { dataset } = await index('detection');
    const future = new Date(Date.now() + 5000);
    utimesSync(join(fx.data, 'UPPER.JPG'), future, future);
    fx.write('new.png', await png(64, 48));
    rmSync(join(fx.data, 'a.jpg'));
    fx.write('broken.xml', vocXml('broken.jpg', 64, 64, [['cat', 2, 2, 30, 30]])); // annotation fixed on disk

    const r = await reindex(dataset.id);
    expect(r.files).toEqual({ added: ['new.png'], removed: ['a.jpg'], changed: ['UPPER.JPG', 'broken.jpg'] });
    expect([r.added, r.removed, r.changed, r.unchanged]).toEqual([1, 1, 2, 3]);
    expect(r.dataset.stats.annotationErrors).toEqual([]);
    expect(r.dataset.stats.labels).toEqual({ cat: 1, 袋鼠: 1 });

    const again = await reindex(dataset.id);
    expect([again.added, again.removed, again.changed, again.unchanged]).toEqual([0, 0, 0, 6]);
  });
});

describe('annotations edited in the studio', () => {
  it('survive a re-index, unless the XML on disk is newer; then both versions are kept', async () => {
    fx.write('p.jpg', await jpeg(100, 100));
    fx.write('p.xml', vocXml('p.jpg', 100, 100, [['disk', 1, 1, 10, 10]]));
    const { dataset } = await index('detection');
    const img = (await fx.studio.listImages({ datasetId: dataset.id })).items[0]!;
    const studioBoxes = [{ label: 'studio', xmin: 5, ymin: 5, xmax: 50, ymax: 60, difficult: false, truncated: true }];
    await fx.studio.saveAnnotation({ imageId: img.id, annotation: { label: null, boxes: studioBoxes } });

    // An older XML on disk (e.g. restored from a backup) does not overwrite the edit.
    fx.write('p.xml', vocXml('p.jpg', 100, 100, [['old-disk', 1, 1, 10, 10]]));
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(fx.data, 'p.xml'), past, past);
    let r = await reindex(dataset.id);
    expect(r.conflicts).toEqual([]);
    expect((await fx.studio.getImage(img.id)).boxes).toEqual(studioBoxes);

    // A newer XML wins, and the studio version stays retrievable.
    fx.write('p.xml', vocXml('p.jpg', 100, 100, [['new-disk', 2, 2, 20, 20]]));
    const future = new Date(Date.now() + 3600_000);
    utimesSync(join(fx.data, 'p.xml'), future, future);
    r = await reindex(dataset.id);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ path: 'p.jpg', kept: 'disk', studio: { boxes: studioBoxes } });
    expect((await fx.studio.getImage(img.id)).boxes.map((b) => b.label)).toEqual(['new-disk']);
    expect(await fx.studio.listConflicts(dataset.id)).toEqual(r.conflicts);
  });

  it('rejects boxes outside the image and boxes on classification images', async () => {
    fx.write('c/x.jpg', await jpeg(50, 40));
    const { dataset } = await index('classification');
    const img = (await fx.studio.listImages({ datasetId: dataset.id })).items[0]!;
    await expect(
      fx.studio.saveAnnotation({ imageId: img.id, annotation: { label: null, boxes: [{ label: 'a', xmin: 0, ymin: 0, xmax: 5, ymax: 5, difficult: false, truncated: false }] } }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'annotation.boxes' });
    const saved = await fx.studio.saveAnnotation({ imageId: img.id, annotation: { label: 'dog', boxes: [] } });
    expect(saved).toMatchObject({ label: 'dog', source: 'studio', status: 'labeled' });
    // The folder says "c", the user said "dog": re-indexing keeps the user's label.
    const future = new Date(Date.now() + 5000);
    utimesSync(join(fx.data, 'c/x.jpg'), future, future);
    await reindex(dataset.id);
    expect((await fx.studio.getImage(img.id)).label).toBe('dog');
  });
});

describe('EXIF orientation', () => {
  it('indexes rotated photos in the displayed frame and maps labelImg boxes into it', async () => {
    // Stored 400×300, displayed 300×400 (rotated 90° clockwise). labelImg labels the stored pixels.
    fx.write('rot.jpg', await jpeg(400, 300, { orientation: 6 }));
    fx.write('rot.xml', vocXml('rot.jpg', 400, 300, [['thing', 10, 20, 110, 70]]));
    const { dataset } = await index('detection');
    const img = (await fx.studio.listImages({ datasetId: dataset.id })).items[0]!;
    expect(img).toMatchObject({ width: 300, height: 400, orientation: 6 });
    // Rotating 90° CW maps (x, y) → (H − y, x) with H = 300 the stored height.
    expect((await fx.studio.getImage(img.id)).boxes[0]).toMatchObject({ xmin: 230, ymin: 10, xmax: 280, ymax: 110 });
  });
});

describe('classification folders', () => {
  it('labels by sub-folder, leaves root images unlabeled, keeps Unicode labels with a warning', async () => {
    fx.write('cat/1.jpg', await jpeg(40, 40));
    fx.write('cat/2.png', await png(40, 40));
    fx.write('狗/1.jpg', await jpeg(40, 40));
    fx.write('loose.jpg', await jpeg(40, 40));
    fx.write('.hidden/x.jpg', await jpeg(40, 40));
    const { report } = await index('classification');
    const s = report.dataset.stats;
    expect(s).toMatchObject({ images: 4, labeled: 3, unlabeled: 1, boxes: 0, labels: { cat: 2, 狗: 1 }, invalid: [] });
    expect(s.warnings.map((w) => [w.code, w.label])).toEqual([
      ['few_images_per_class', 'cat'],
      ['non_ascii_label', '狗'],
      ['few_images_per_class', '狗'],
    ]);
  });
});

describe('input errors', () => {
  it('names the field and the reason', async () => {
    await expect(fx.studio.createInstance({ type: 'detection', name: '_bad' })).rejects.toMatchObject({ code: 'invalid_input', field: 'name' });
    await expect(fx.studio.createInstance({ type: 'detection', name: 'x'.repeat(31) })).rejects.toMatchObject({ field: 'name' });
    await expect(fx.studio.createInstance({ type: 'segmentation' as never, name: 'ok' })).rejects.toMatchObject({ field: 'type' });
    const inst = await fx.studio.createInstance({ type: 'detection', name: '中文-name_1' });
    await expect(fx.studio.createInstance({ type: 'ocr', name: '中文-name_1' })).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(fx.studio.createDataset({ instanceId: inst.id, name: 'd', path: join(fx.data, 'nope') })).rejects.toMatchObject({ field: 'path', message: expect.stringContaining('folder not found') });
    await expect(fx.studio.getDataset(999)).rejects.toMatchObject({ code: 'not_found' });
  });
});
