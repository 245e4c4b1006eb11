import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { yolo } from '../../../main/core/interchange/formats/yolo';
import { jpeg, png } from '../../helpers/fixtures';
import { box, exportImage, interchangeScratch, listFiles, signal } from '../../helpers/interchange';

const io = interchangeScratch('yolo');
const { root, scratch } = io;
let jpg: Buffer;

beforeAll(async () => {
  jpg = await jpeg(120, 80);
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.jpg'), jpg);
  writeFileSync(join(root, 'sub/b.png'), await png(64, 48));
  writeFileSync(join(root, 'sub/b.jpg'), await jpeg(20, 20));
  writeFileSync(join(root, 'rot.jpg'), await jpeg(40, 30, { orientation: 6 }));
});
afterAll(io.cleanup);

describe('yolo export', () => {
  it('writes the Ultralytics layout: normalized lines, empty files for negatives, classes.txt and data.yaml', async () => {
    const out = await io.exportWith(yolo, 'detection', [
      exportImage('a.jpg', 120, 80, [box('cat', 10.5, 20, 50.25, 60), box('dog', 0, 0, 120, 80)]),
      exportImage('sub/b.png', 64, 48, [box('cat', 1, 2, 30, 40)]),
      exportImage('sub/b.jpg', 20, 20, []),
      exportImage('rot.jpg', 30, 40, [box('dog', 0, 0, 15, 10)], null, 6),
    ]);
    // sub/b.png and sub/b.jpg would share sub/b.txt: the second is renamed.
    expect(listFiles(out)).toEqual([
      'classes.txt',
      'data.yaml',
      'images/train/a.jpg',
      'images/train/rot.jpg',
      'images/train/sub/b.png',
      'images/train/sub/b_1.jpg',
      'labels/train/a.txt',
      'labels/train/rot.txt',
      'labels/train/sub/b.txt',
      'labels/train/sub/b_1.txt',
    ]);
    const read = (rel: string) => readFileSync(join(out, rel), 'utf8');
    expect(read('labels/train/a.txt')).toBe('0 0.253125 0.500000 0.331250 0.500000\n1 0.500000 0.500000 1.000000 1.000000\n');
    expect(read('labels/train/sub/b.txt')).toBe('0 0.242188 0.437500 0.453125 0.791667\n');
    expect(read('labels/train/sub/b_1.txt')).toBe('');
    // Normalized against the upright frame the photo was written in.
    expect(read('labels/train/rot.txt')).toBe('1 0.250000 0.125000 0.500000 0.250000\n');
    expect(read('classes.txt')).toBe('cat\ndog\n');
    expect(read('data.yaml')).toBe('train: images/train\nval: images/train\nnc: 2\nnames:\n  0: "cat"\n  1: "dog"\n');
  });

  it('writes train and val folders for a split, and quotes names YAML would misread', async () => {
    const names = ['yes', '007', 'a: b', '#tag', `it's "q"`, '猫 <&>  x', 'null'];
    const out = await io.exportWith(yolo, 'detection', [exportImage('a.jpg', 120, 80, names.map((n, i) => box(n, i, i, i + 10, i + 10)), 'val'), exportImage('sub/b.png', 64, 48, [], 'train')]);
    expect(listFiles(out)).toContain('images/val/a.jpg');
    expect(listFiles(out)).toContain('labels/train/sub/b.txt');
    const yaml = readFileSync(join(out, 'data.yaml'), 'utf8');
    expect(yaml).toBe(
      'train: images/train\nval: images/val\nnc: 7\nnames:\n' +
        '  0: "#tag"\n  1: "007"\n  2: "a: b"\n  3: "it\'s \\"q\\""\n  4: "null"\n  5: "yes"\n  6: "猫 <&>  x"\n',
    );
    // A YAML 1.1 reader (PyYAML's rules) still sees text.
    expect(parse(yaml, { version: '1.1' }).names).toEqual({ 0: '#tag', 1: '007', 2: 'a: b', 3: `it's "q"`, 4: 'null', 5: 'yes', 6: '猫 <&>  x' });
  });
});

describe('yolo export → import', () => {
  const coordinate = (max: number) => fc.double({ min: 0, max, noNaN: true });
  const span = (max: number) => fc.tuple(coordinate(max), coordinate(max)).filter(([a, b]) => Math.abs(a - b) > 0.01).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const label = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.constantFrom('yes', '0', '猫 <&>  x', ' ', '- a', '"'));
  const boxes = (w: number, h: number) =>
    fc.array(fc.record({ label, x: span(w), y: span(h) }).map((r) => box(r.label, r.x[0], r.y[0], r.x[1], r.y[1])), { maxLength: 5 });
  const split = fc.constantFrom('train', 'val') as fc.Arbitrary<'train' | 'val'>;

  it('random boxes and names come back within 1e-6 of the image size', async () => {
    await fc.assert(
      fc.asyncProperty(boxes(120, 80), boxes(64, 48), fc.option(fc.tuple(split, split)), async (boxesA, boxesB, splits) => {
        const images = [exportImage('a.jpg', 120, 80, boxesA, splits?.[0] ?? null), exportImage('sub/b.png', 64, 48, boxesB, splits?.[1] ?? null)];
        const read = await yolo.import(await io.exportWith(yolo, 'detection', images), { type: 'detection', signal });
        expect(read.problems).toEqual([]);
        expect(read.entries.map((e) => e.image).sort()).toEqual(['a.jpg', 'sub/b.png']);
        for (const entry of read.entries) {
          const source = images.find((i) => i.path === entry.image)!;
          expect(entry.size).toEqual({ width: source.width, height: source.height });
          expect(entry.annotation.boxes.map((b) => b.label)).toEqual(source.annotation.boxes.map((b) => b.label));
          entry.annotation.boxes.forEach((b, k) => {
            const want = source.annotation.boxes[k]!;
            for (const [key, scale] of [['xmin', source.width], ['xmax', source.width], ['ymin', source.height], ['ymax', source.height]] as const) {
              expect(Math.abs(b[key] - want[key]) / scale).toBeLessThanOrEqual(1e-6);
            }
          });
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('yolo import', () => {
  it('reads an Ultralytics dataset: names map, path elsewhere, split folders, sub-folders, EXIF-rotated photos', async () => {
    const dir = io.fixture({
      'data.yaml': [
        '# Ultralytics YOLO, AGPL-3.0 license',
        'path: ../datasets/pets # dataset root dir',
        'train: images/train # train images (relative to "path")',
        'val: images/val',
        'test: # optional',
        '',
        'names:',
        '  0: person',
        '  1: 007',
        '',
      ].join('\n'),
      'images/train/a.jpg': jpg,
      'labels/train/a.txt': '0 0.5 0.5 0.25 0.5\n1 0.1 0.1 0.2 0.2\n',
      'images/val/deep/b.jpg': jpg,
      'labels/val/deep/b.txt': '',
      // Stored 40×30 with orientation 6: displayed, and labeled, 30×40.
      'images/val/rot.jpg': await jpeg(40, 30, { orientation: 6 }),
      'labels/val/rot.txt': '0 0.5 0.5 1 1\r\n',
      'images/train/unlabeled.jpg': jpg,
      'labels/train.cache': 'binary',
    });
    const read = await yolo.import(dir, { type: 'detection', signal });
    expect(read.problems).toEqual([]);
    expect(read.entries).toEqual([
      { image: 'a.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [box('person', 45, 20, 75, 60), box('007', 0, 0, 24, 16)] } },
      { image: 'deep/b.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [] } },
      { image: 'rot.jpg', size: { width: 30, height: 40 }, annotation: { label: null, boxes: [box('person', 0, 0, 30, 40)] } },
    ]);
  });

  it('reads a Roboflow export: split/images + split/labels, "../" paths, a names list, polygon lines', async () => {
    const dir = io.fixture({
      'data.yaml': [
        'train: ../train/images',
        'val: ../valid/images',
        'test: ../test/images',
        '',
        'nc: 2',
        "names: ['cat', 'dog']",
        '',
        'roboflow:',
        '  workspace: ws',
        '  project: pets',
        '  version: 3',
        '  url: https://universe.roboflow.com/ws/pets/dataset/3',
        '',
      ].join('\n'),
      'README.roboflow.txt': 'Pets - v3',
      'train/images/x_jpg.rf.0a1b.jpg': jpg,
      'train/labels/x_jpg.rf.0a1b.txt': '1 0.5 0.5 0.5 0.5\n',
      'valid/images/y_jpg.rf.2c3d.jpg': jpg,
      // A segmentation export: class x1 y1 x2 y2 x3 y3 …; its bounds are the box.
      'valid/labels/y_jpg.rf.2c3d.txt': '0 0.1 0.25 0.5 0.125 0.75 0.5 0.25 0.75\n',
    });
    const read = await yolo.import(dir, { type: 'detection', signal });
    expect(read.problems).toEqual([]);
    expect(read.entries).toEqual([
      { image: 'x_jpg.rf.0a1b.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [box('dog', 30, 20, 90, 60)] } },
      { image: 'y_jpg.rf.2c3d.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [box('cat', 12, 10, 90, 60)] } },
    ]);
  });

  it("reads labelImg's flat folder: a.jpg beside a.txt, names in classes.txt (with a BOM)", async () => {
    // Notepad's byte-order mark must not stick to the first name.
    const dir = io.fixture({ 'classes.txt': '\uFEFFdog\ncat\n', 'a.jpg': jpg, 'a.txt': '1 0.5 0.5 1.0 1.0\n', 'sub/c.png': await png(10, 10), 'sub/c.txt': '0 0.5 0.5 0.2 0.2' });
    const read = await yolo.import(dir, { type: 'detection', signal });
    expect(read).toEqual({
      entries: [
        { image: 'a.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [box('cat', 0, 0, 120, 80)] } },
        { image: 'sub/c.png', size: { width: 10, height: 10 }, annotation: { label: null, boxes: [box('dog', 4, 4, 6, 6)] } },
      ],
      problems: [],
    });
  });

  it('reports bad lines at file:line, label files without images and unreadable images; keeps the rest', async () => {
    const dir = io.fixture({
      'classes.txt': 'cat\ndog\n',
      'images/a.jpg': jpg,
      'labels/a.txt': ['0 0.5 0.5 0.5 0.5', '2 0.5 0.5 0.1 0.1', '-1 0.5 0.5 0.1 0.1', '0 0.5 0.5 1.2 0.1', '0 0.5 abc 0.1 0.1', '0 0.5 0.5', '', '1 0.5 0.5 0 0.1', '1 0.5 0.5 0.1 0.1 0.9'].join('\n'),
      'labels/orphan.txt': '0 0.5 0.5 0.1 0.1\n',
      'images/broken.jpg': 'not a jpeg',
      'labels/broken.txt': '0 0.5 0.5 0.1 0.1\n',
    });
    const read = await yolo.import(dir, { type: 'detection', signal });
    expect(read.entries).toEqual([{ image: 'images/a.jpg', size: { width: 120, height: 80 }, annotation: { label: null, boxes: [box('cat', 30, 20, 90, 60)] } }]);
    expect(read.problems).toEqual([
      { path: 'labels/a.txt:2', reason: 'class id "2" has no name in classes.txt (2 classes)' },
      { path: 'labels/a.txt:3', reason: 'class id "-1" has no name in classes.txt (2 classes)' },
      { path: 'labels/a.txt:4', reason: 'coordinates must be numbers in [0, 1]: 0.5 0.5 1.2 0.1' },
      { path: 'labels/a.txt:5', reason: 'coordinates must be numbers in [0, 1]: 0.5 abc 0.1 0.1' },
      { path: 'labels/a.txt:6', reason: 'expected "class cx cy w h" (or a polygon), found 3 values' },
      { path: 'labels/a.txt:8', reason: 'empty box: 0.5 0.5 0 0.1' },
      { path: 'labels/a.txt:9', reason: 'expected "class cx cy w h" (or a polygon), found 6 values' },
      { path: 'images/broken.jpg', reason: 'cannot read the image size to place its labels: not an image: content matches no image format' },
      { path: 'labels/orphan.txt', reason: 'no image found for this label file' },
    ]);
  });

  it('throws when the folder or the class names are missing', async () => {
    const missing = join(scratch, 'missing');
    await expect(yolo.import(missing, { type: 'detection', signal })).rejects.toThrow(`folder not found: ${missing}`);
    const bare = io.fixture({ 'a.jpg': jpg, 'a.txt': '0 0.5 0.5 0.1 0.1\n' });
    await expect(yolo.import(bare, { type: 'detection', signal })).rejects.toThrow(`no data.yaml or classes.txt in ${bare}`);
    const noNames = io.fixture({ 'data.yaml': 'train: images/train\nval: images/val\n' });
    await expect(yolo.import(noNames, { type: 'detection', signal })).rejects.toThrow('data.yaml has no "names" list or map');
  });
});
