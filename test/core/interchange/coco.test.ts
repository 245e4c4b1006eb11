import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, InstanceType } from '../../../main/shared/api';
import { coco } from '../../../main/core/interchange/formats/coco';
import { jpeg, png } from '../../helpers/fixtures';
import { box, exportImage, interchangeScratch, listFiles, signal } from '../../helpers/interchange';

const io = interchangeScratch('coco');
const { root, scratch } = io;

beforeAll(async () => {
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.jpg'), await jpeg(120, 80));
  writeFileSync(join(root, 'sub/b.png'), await png(64, 48));
});
afterAll(io.cleanup);

const cat = box('cat', 10.5, 20, 50.25, 60);
const dog = box('dog', 0, 0, 120, 80);
const hidden = { ...box('cat', 1, 2, 30, 40, true), truncated: true };

describe('coco export', () => {
  it('writes CVAT-style instances_default.json and images/default/ with dataset-relative file names', async () => {
    const out = await io.exportWith(coco, 'detection', [exportImage('a.jpg', 120, 80, [cat, dog]), exportImage('sub/b.png', 64, 48, [hidden])]);
    expect(listFiles(out)).toEqual(['annotations/instances_default.json', 'images/default/a.jpg', 'images/default/sub/b.png']);
    const attrs = { difficult: false, truncated: false };
    expect(readFileSync(join(out, 'annotations/instances_default.json'), 'utf8')).toBe(
      JSON.stringify({
        info: { description: 'ds' },
        licenses: [],
        categories: [
          { id: 1, name: 'cat', supercategory: '' },
          { id: 2, name: 'dog', supercategory: '' },
        ],
        images: [
          { id: 1, file_name: 'a.jpg', width: 120, height: 80 },
          { id: 2, file_name: 'sub/b.png', width: 64, height: 48 },
        ],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, segmentation: [], area: 39.75 * 40, bbox: [10.5, 20, 39.75, 40], iscrowd: 0, attributes: attrs },
          { id: 2, image_id: 1, category_id: 2, segmentation: [], area: 9600, bbox: [0, 0, 120, 80], iscrowd: 0, attributes: attrs },
          { id: 3, image_id: 2, category_id: 1, segmentation: [], area: 29 * 38, bbox: [1, 2, 29, 38], iscrowd: 0, attributes: { difficult: true, truncated: true } },
        ],
      }),
    );
    expect(readFileSync(join(out, 'images/default/sub/b.png'))).toEqual(readFileSync(join(root, 'sub/b.png')));
  });

  it('writes one file per split with ids unique across them', async () => {
    const out = await io.exportWith(coco, 'detection', [exportImage('a.jpg', 120, 80, [cat, dog], 'val'), exportImage('sub/b.png', 64, 48, [hidden], 'train')]);
    expect(listFiles(out)).toEqual(['annotations/instances_train.json', 'annotations/instances_val.json', 'images/train/sub/b.png', 'images/val/a.jpg']);
    const read = (s: string) => JSON.parse(readFileSync(join(out, `annotations/instances_${s}.json`), 'utf8'));
    expect(read('val').images).toEqual([{ id: 1, file_name: 'a.jpg', width: 120, height: 80 }]);
    expect(read('val').annotations.map((a: { id: number }) => a.id)).toEqual([1, 2]);
    expect(read('train').images).toEqual([{ id: 2, file_name: 'sub/b.png', width: 64, height: 48 }]);
    expect(read('train').annotations).toMatchObject([{ id: 3, image_id: 2, category_id: 1 }]);
    // Both files carry every category, so ids mean the same in each.
    expect(read('train').categories).toEqual(read('val').categories);
  });

  it('writes OCR text as the one "text" category, in attributes.text and COCO-Text utf8_string', async () => {
    const text = '发票 <No.> &  总计';
    const out = await io.exportWith(coco, 'ocr', [exportImage('a.jpg', 120, 80, [box(text, 5, 6, 70, 20)])]);
    const doc = JSON.parse(readFileSync(join(out, 'annotations/instances_default.json'), 'utf8'));
    expect(doc.categories).toEqual([{ id: 1, name: 'text', supercategory: '' }]);
    expect(doc.annotations).toEqual([
      { id: 1, image_id: 1, category_id: 1, segmentation: [], area: 65 * 14, bbox: [5, 6, 65, 14], iscrowd: 0, attributes: { difficult: false, truncated: false, text }, utf8_string: text },
    ]);
    // Written as UTF-8 text, not \u escapes.
    expect(readFileSync(join(out, 'annotations/instances_default.json'), 'utf8')).toContain('"utf8_string":"发票 <No.> &  总计"');
  });
});

describe('coco export → import', () => {
  const sizes = { 'a.jpg': [120, 80], 'sub/b.png': [64, 48] } as const;
  const coordinate = (max: number) => fc.double({ min: 0, max, noNaN: true });
  const span = (max: number) => fc.tuple(coordinate(max), coordinate(max)).filter(([a, b]) => Math.abs(a - b) > 0.01).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const boxes = (w: number, h: number) =>
    fc.array(
      fc.record({ label: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), x: span(w), y: span(h), difficult: fc.boolean(), truncated: fc.boolean() }).map(
        (r): Box => ({ label: r.label, xmin: r.x[0], xmax: r.x[1], ymin: r.y[0], ymax: r.y[1], difficult: r.difficult, truncated: r.truncated }),
      ),
      { maxLength: 5 },
    );
  const split = fc.constantFrom('train', 'val') as fc.Arbitrary<'train' | 'val'>;
  const dataset = fc.tuple(boxes(...sizes['a.jpg']), boxes(...sizes['sub/b.png']), fc.option(fc.tuple(split, split)));

  it.each(['detection', 'ocr'] as const)('%s: random boxes, labels and splits come back (within float rounding of x + w)', async (type) => {
    await fc.assert(
      fc.asyncProperty(dataset, async ([boxesA, boxesB, splits]) => {
        const images = [exportImage('a.jpg', 120, 80, boxesA, splits?.[0] ?? null), exportImage('sub/b.png', 64, 48, boxesB, splits?.[1] ?? null)];
        const out = await io.exportWith(coco, type, images);
        const read = await coco.import(out, { type, signal });
        expect(read.problems).toEqual([]);
        expect(read.entries.map((e) => e.image).sort()).toEqual(['a.jpg', 'sub/b.png']);
        for (const entry of read.entries) {
          const source = images.find((i) => i.path === entry.image)!;
          expect(entry.size).toEqual({ width: source.width, height: source.height });
          expect(entry.annotation.label).toBeNull();
          expect(entry.annotation.boxes).toHaveLength(source.annotation.boxes.length);
          entry.annotation.boxes.forEach((b, k) => {
            const want = source.annotation.boxes[k]!;
            expect({ ...b, xmax: 0, ymax: 0 }).toEqual({ ...want, xmax: 0, ymax: 0 });
            expect(Math.abs(b.xmax - want.xmax)).toBeLessThan(1e-9);
            expect(Math.abs(b.ymax - want.ymax)).toBeLessThan(1e-9);
          });
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('coco import', () => {
  it('reads a CVAT export: attributes, crowd regions, and only the instances file of annotations/', async () => {
    const dir = io.fixture({
      'annotations/instances_default.json': {
        licenses: [{ name: '', id: 0, url: '' }],
        info: { contributor: '', date_created: '', description: '', url: '', version: '', year: '' },
        categories: [
          { id: 1, name: 'car', supercategory: '' },
          { id: 2, name: 'person', supercategory: '' },
        ],
        images: [
          { id: 1, width: 640, height: 480, file_name: 'frame_000000.jpg', license: 0, flickr_url: '', coco_url: '', date_captured: 0 },
          { id: 2, width: 640, height: 480, file_name: 'frame_000001.jpg', license: 0, flickr_url: '', coco_url: '', date_captured: 0 },
        ],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, segmentation: [], area: 1200.0, bbox: [10.0, 20.5, 40.0, 30.0], iscrowd: 0, attributes: { occluded: false, rotation: 0.0, difficult: true } },
          { id: 2, image_id: 1, category_id: 2, segmentation: [[1, 1, 5, 1, 5, 9]], area: 16.0, bbox: [1, 1, 4, 8], iscrowd: 0, attributes: { occluded: true, truncated: 'true' } },
          { id: 3, image_id: 1, category_id: 2, segmentation: { counts: [0, 5, 10], size: [480, 640] }, area: 50.0, bbox: [100, 100, 10, 5], iscrowd: 1, attributes: { occluded: false } },
        ],
      },
      'annotations/person_keypoints_default.json': { images: [{ id: 1, file_name: 'frame_000000.jpg' }], annotations: [{ id: 9, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }] },
      'images/default/frame_000000.jpg': 'not read',
    });
    const read = await coco.import(dir, { type: 'detection', signal });
    expect(read).toEqual({
      entries: [
        {
          image: 'frame_000000.jpg',
          size: { width: 640, height: 480 },
          annotation: {
            label: null,
            boxes: [box('car', 10, 20.5, 50, 50.5, true), { ...box('person', 1, 1, 5, 9), truncated: true }, box('person', 100, 100, 110, 105, true)],
          },
        },
        // Listed without annotations: an image known to hold nothing.
        { image: 'frame_000001.jpg', size: { width: 640, height: 480 }, annotation: { label: null, boxes: [] } },
      ],
      problems: [],
    });
  });

  it('reads a Roboflow export: one _annotations.coco.json per split folder, ids from 0, a parent category', async () => {
    const rf = (file: string, categoryId: number) => ({
      info: { year: '2024', version: '3', description: 'Exported from roboflow.com', contributor: '', url: 'https://public.roboflow.com/object-detection/pets', date_created: '2024-03-01T10:00:00+00:00' },
      licenses: [{ id: 1, url: 'https://creativecommons.org/licenses/by/4.0/', name: 'CC BY 4.0' }],
      categories: [
        { id: 0, name: 'pets', supercategory: 'none' },
        { id: 1, name: 'cat', supercategory: 'pets' },
        { id: 2, name: 'dog', supercategory: 'pets' },
      ],
      images: [{ id: 0, license: 1, file_name: file, height: 416, width: 416, date_captured: '2024-03-01T10:00:00+00:00' }],
      annotations: [{ id: 0, image_id: 0, category_id: categoryId, bbox: [12, 30.5, 100, 80], area: 8000, segmentation: [], iscrowd: 0 }],
    });
    const dir = io.fixture({
      'train/_annotations.coco.json': rf('img1_jpg.rf.0a1b2c.jpg', 1),
      'valid/_annotations.coco.json': rf('img2_jpg.rf.3d4e5f.jpg', 2),
      'README.roboflow.txt': 'Pets - v3',
    });
    const read = await coco.import(dir, { type: 'detection', signal });
    expect(read.problems).toEqual([]);
    expect(read.entries).toEqual([
      { image: 'img1_jpg.rf.0a1b2c.jpg', size: { width: 416, height: 416 }, annotation: { label: null, boxes: [box('cat', 12, 30.5, 112, 110.5)] } },
      { image: 'img2_jpg.rf.3d4e5f.jpg', size: { width: 416, height: 416 }, annotation: { label: null, boxes: [box('dog', 12, 30.5, 112, 110.5)] } },
    ]);
  });

  it('reads OCR text from attributes.text or utf8_string, including COCO-Text files given directly', async () => {
    const dir = io.fixture({
      'cocotext.json': {
        cats: {},
        imgs: { '217925': { id: 217925, set: 'train', width: 640, file_name: 'COCO_train2014_000000217925.jpg', height: 480 } },
        anns: {
          '45346': { class: 'machine printed', bbox: [468.9, 286.7, 24.1, 9.8], image_id: 217925, id: 45346, language: 'english', area: 236.2, utf8_string: 'New', legibility: 'legible' },
          '45347': { class: 'machine printed', bbox: [10, 10, 5, 5], image_id: 217925, id: 45347, language: 'na', area: 25, legibility: 'illegible' },
        },
        imgToAnns: { '217925': [45346, 45347] },
      },
      // Saved by a Windows editor, byte-order mark first.
      'cvat.json': `\uFEFF${JSON.stringify({
        categories: [{ id: 1, name: 'text' }],
        images: [{ id: 1, file_name: 'a.jpg', width: 10, height: 10 }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2], iscrowd: 0, attributes: { text: '总计 <&>' }, utf8_string: 'ignored' }],
      })}`,
    });
    const text = await coco.import(join(dir, 'cocotext.json'), { type: 'ocr', signal });
    expect(text.entries).toEqual([
      { image: 'COCO_train2014_000000217925.jpg', size: { width: 640, height: 480 }, annotation: { label: null, boxes: [box('New', 468.9, 286.7, 468.9 + 24.1, 286.7 + 9.8)] } },
    ]);
    expect(text.problems).toEqual([{ path: 'cocotext.json', reason: 'annotations[1] (id 45347): no transcription (attributes.text or utf8_string)' }]);
    const cvat = await coco.import(join(dir, 'cvat.json'), { type: 'ocr', signal });
    expect(cvat.entries[0]!.annotation.boxes).toEqual([box('总计 <&>', 1, 1, 3, 3)]);
  });

  it('reports bad records and unreadable files as problems and imports the rest', async () => {
    const dir = io.fixture({
      'annotations/instances_train.json': {
        categories: [{ id: 3, name: 'cat' }],
        images: [{ id: 7, file_name: 'a.jpg', width: 0, height: 0 }, { file_name: 'no-id.jpg' }],
        annotations: [
          { id: 1, image_id: 7, category_id: 3, bbox: [1, 2, 3, 4] },
          { id: 2, image_id: 8, category_id: 3, bbox: [1, 2, 3, 4] },
          { id: 3, image_id: 7, category_id: 4, bbox: [1, 2, 3, 4] },
          { id: 4, image_id: 7, category_id: 3, bbox: [1, 2, -3, 4] },
          { id: 5, image_id: 7, category_id: 3, bbox: '1,2,3,4' },
          'junk',
        ],
      },
      'annotations/instances_val.json': '{"images": [',
      'annotations/instances_test.json': { annotations: [] },
    });
    const read = await coco.import(dir, { type: 'detection', signal });
    // A 0×0 size is unknown, not a size.
    expect(read.entries).toEqual([{ image: 'a.jpg', size: null, annotation: { label: null, boxes: [box('cat', 1, 2, 4, 6)] } }]);
    expect(read.problems).toEqual([
      { path: 'annotations/instances_test.json', reason: 'not a COCO annotation file: no "images" list' },
      { path: 'annotations/instances_train.json', reason: 'images[1]: no file_name or id' },
      { path: 'annotations/instances_train.json', reason: 'annotations[1] (id 2): image_id 8 is not among the images' },
      { path: 'annotations/instances_train.json', reason: 'annotations[2] (id 3): category_id 4 is not among the categories' },
      { path: 'annotations/instances_train.json', reason: 'annotations[3] (id 4): bbox [1, 2, -3, 4] is empty' },
      { path: 'annotations/instances_train.json', reason: 'annotations[4] (id 5): bbox is not [x, y, width, height]' },
      { path: 'annotations/instances_train.json', reason: 'annotations[5]: not an object' },
      { path: 'annotations/instances_val.json', reason: expect.stringMatching(/^not readable as JSON: /) },
    ]);
  });

  it('throws when there is nothing to read, naming the path', async () => {
    const missing = join(scratch, 'missing');
    await expect(coco.import(missing, { type: 'detection', signal })).rejects.toThrow(`not found: ${missing}`);
    const empty = io.fixture({ 'images/a.jpg': 'x' });
    await expect(coco.import(empty, { type: 'detection', signal })).rejects.toThrow(`no COCO JSON in ${empty}`);
  });
});
