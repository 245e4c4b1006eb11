import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ppocr } from '../../../main/core/interchange/formats/ppocr';
import { jpeg, png } from '../../helpers/fixtures';
import { box, exportImage, interchangeScratch, listFiles, signal } from '../../helpers/interchange';

const io = interchangeScratch('ppocr');
const { root, scratch } = io;

beforeAll(async () => {
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.jpg'), await jpeg(120, 80));
  writeFileSync(join(root, 'sub/b.png'), await png(64, 48));
  writeFileSync(join(root, 'rot.jpg'), await jpeg(40, 30, { orientation: 6 }));
  // Red left half, blue right half: a crop shows which part of the picture it came from.
  const blue = await sharp({ create: { width: 30, height: 40, channels: 3, background: '#0000ff' } }).png().toBuffer();
  writeFileSync(join(root, 'halves.png'), await sharp({ create: { width: 60, height: 40, channels: 3, background: '#ff0000' } }).composite([{ input: blue, left: 30, top: 0 }]).png().toBuffer());
  writeFileSync(join(root, 'glass.png'), await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.25 } } }).png().toBuffer());
});
afterAll(io.cleanup);

const invoice = '发票 <No.> &  总计';

describe('ppocr export', () => {
  it("writes PPOCRLabel's folder: Label.txt as json.dumps writes it, fileState.txt, rec_gt.txt and crops", async () => {
    const out = await io.exportWith(ppocr, 'ocr', [
      exportImage('a.jpg', 120, 80, [box(invoice, 10.5, 20, 50.25, 60), box('###', 0, 0, 10, 10, true)]),
      exportImage('sub/b.png', 64, 48, [box('tab\there "q" \\', 1, 2, 30, 40)]),
    ]);
    expect(listFiles(out)).toEqual([
      'images/Label.txt',
      'images/a.jpg',
      'images/crop_img/a_crop_0.jpg',
      'images/crop_img/sub__b_crop_0.jpg',
      'images/fileState.txt',
      'images/rec_gt.txt',
      'images/sub__b.png',
    ]);
    const read = (rel: string) => readFileSync(join(out, rel), 'utf8');
    expect(read('images/Label.txt')).toBe(
      'images/a.jpg\t[{"transcription": "发票 <No.> &  总计", "points": [[10.5, 20], [50.25, 20], [50.25, 60], [10.5, 60]], "difficult": false}, ' +
        '{"transcription": "###", "points": [[0, 0], [10, 0], [10, 10], [0, 10]], "difficult": true}]\n' +
        'images/sub__b.png\t[{"transcription": "tab\\there \\"q\\" \\\\", "points": [[1, 2], [30, 2], [30, 40], [1, 40]], "difficult": false}]\n',
    );
    expect(read('images/fileState.txt')).toBe(`${join(out, 'images', 'a.jpg')}\t1\n${join(out, 'images', 'sub__b.png')}\t1\n`);
    // Difficult boxes get no crop, as in PPOCRLabel; a tab inside the text would split the record.
    expect(read('images/rec_gt.txt')).toBe(`crop_img/a_crop_0.jpg\t${invoice}\ncrop_img/sub__b_crop_0.jpg\ttab here "q" \\\n`);
    const size = async (rel: string) => {
      const m = await sharp(join(out, rel)).metadata();
      return [m.format, m.width, m.height];
    };
    // Whole pixels covering 10.5…50.25 × 20…60.
    expect(await size('images/crop_img/a_crop_0.jpg')).toEqual(['jpeg', 41, 40]);
    expect(await size('images/crop_img/sub__b_crop_0.jpg')).toEqual(['jpeg', 29, 38]);
  });

  it('crops from the upright picture, at the right place, dropping alpha as cv2 does', async () => {
    const out = await io.exportWith(ppocr, 'ocr', [
      exportImage('rot.jpg', 30, 40, [box('tall', 0, 0, 30, 35)], null, 6),
      exportImage('halves.png', 60, 40, [box('blue', 32, 5, 58, 35), box('red', 2, 5, 28, 35)]),
      exportImage('glass.png', 20, 20, [box('red', 0, 0, 20, 20)]),
    ]);
    // 35 rows exist only in the upright 30×40 frame; the stored frame is 40×30.
    expect(await sharp(join(out, 'images/crop_img/rot_crop_0.jpg')).metadata()).toMatchObject({ width: 30, height: 35 });
    const mean = async (name: string) => (await sharp(join(out, 'images/crop_img', name)).stats()).channels.map((c) => Math.round(c.mean / 50));
    expect(await mean('halves_crop_0.jpg')).toEqual([0, 0, 5]);
    expect(await mean('halves_crop_1.jpg')).toEqual([5, 0, 0]);
    expect(await mean('glass_crop_0.jpg')).toEqual([5, 0, 0]);
  });

  it('writes one PPOCRLabel folder per split', async () => {
    const out = await io.exportWith(ppocr, 'ocr', [exportImage('a.jpg', 120, 80, [box('x', 1, 1, 5, 5)], 'val'), exportImage('sub/b.png', 64, 48, [], 'train')]);
    expect(listFiles(out)).toEqual([
      'train/Label.txt',
      'train/fileState.txt',
      'train/rec_gt.txt',
      'train/sub__b.png',
      'val/Label.txt',
      'val/a.jpg',
      'val/crop_img/a_crop_0.jpg',
      'val/fileState.txt',
      'val/rec_gt.txt',
    ]);
    expect(readFileSync(join(out, 'train/Label.txt'), 'utf8')).toBe('train/sub__b.png\t[]\n');
    expect(readFileSync(join(out, 'val/Label.txt'), 'utf8')).toMatch(/^val\/a\.jpg\t\[\{"transcription": "x", /);
  });
});

describe('ppocr export → import', () => {
  const coordinate = (max: number) => fc.double({ min: 0, max, noNaN: true });
  const span = (max: number) => fc.tuple(coordinate(max), coordinate(max)).filter(([a, b]) => Math.abs(a - b) > 0.01).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const text = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.constantFrom(invoice, 'a\tb', 'line\nbreak', 'true', '"\\'));
  const boxes = (w: number, h: number) =>
    fc.array(fc.record({ text, x: span(w), y: span(h), difficult: fc.boolean() }).map((r) => box(r.text, r.x[0], r.y[0], r.x[1], r.y[1], r.difficult)), { maxLength: 4 });
  const split = fc.constantFrom('train', 'val') as fc.Arbitrary<'train' | 'val'>;

  it('random texts, boxes and splits come back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(boxes(120, 80), boxes(64, 48), fc.option(fc.tuple(split, split)), async (boxesA, boxesB, splits) => {
        const images = [exportImage('a.jpg', 120, 80, boxesA, splits?.[0] ?? null), exportImage('sub/b.png', 64, 48, boxesB, splits?.[1] ?? null)];
        const read = await ppocr.import(await io.exportWith(ppocr, 'ocr', images), { type: 'ocr', signal });
        expect(read.problems).toEqual([]);
        // The key names the flat file in its folder; the alias names the dataset path it came from.
        const byPath = new Map(read.entries.map((e) => [e.aliases?.[0] ?? e.image.slice(e.image.indexOf('/') + 1), e]));
        expect([...byPath.keys()].sort()).toEqual(['a.jpg', 'sub/b.png']);
        for (const source of images) expect(byPath.get(source.path)!.annotation).toEqual(source.annotation);
      }),
      { numRuns: 20 },
    );
  });
});

describe('ppocr import', () => {
  it("reads PPOCRLabel's folder from its parent: quadrilaterals as their bounds, KIE keys ignored", async () => {
    const dir = io.fixture({
      'zh_imgs/Label.txt':
        'zh_imgs/1.jpg\t[{"transcription": "上海 <&>  路", "points": [[12, 30], [100, 28], [101, 60], [13, 62]], "difficult": false}, ' +
        '{"transcription": "###", "points": [[5, 5], [20, 5], [20, 15], [5, 15]], "difficult": true, "key_cls": "None"}]\r\n' +
        'zh_imgs/2.jpg\t[]\r\n',
      'zh_imgs/fileState.txt': 'C:\\data\\zh_imgs\\1.jpg\t1\nC:\\data\\zh_imgs\\2.jpg\t1\n',
      'zh_imgs/Cache.cach': 'zh_imgs/1.jpg\t[]\n',
      'zh_imgs/rec_gt.txt': 'crop_img/1_crop_0.jpg\t上海\n',
    });
    const read = await ppocr.import(dir, { type: 'ocr', signal });
    expect(read).toEqual({
      entries: [
        { image: 'zh_imgs/1.jpg', size: null, annotation: { label: null, boxes: [box('上海 <&>  路', 12, 28, 101, 62), box('###', 5, 5, 20, 15, true)] } },
        { image: 'zh_imgs/2.jpg', size: null, annotation: { label: null, boxes: [] } },
      ],
      problems: [],
    });
  });

  it('reads a PaddleOCR detection label list given as a file (BOM and all), polygons included', async () => {
    const curve = [[10, 40], [20, 30], [30, 25], [40, 25], [50, 30], [60, 40], [60, 50], [50, 42], [40, 37], [30, 37], [20, 42], [10, 50]];
    const dir = io.fixture({
      'train_icdar2015_label.txt': [
        '\uFEFFicdar_c4_train_imgs/img_1.jpg\t[{"transcription": "Genaxis Theatre", "points": [[377, 117], [463, 117], [465, 130], [378, 130]]}]',
        `icdar_c4_train_imgs/img_2.jpg\t[{"transcription": "curve", "points": ${JSON.stringify(curve)}}]`,
        '',
      ].join('\n'),
    });
    const read = await ppocr.import(join(dir, 'train_icdar2015_label.txt'), { type: 'ocr', signal });
    expect(read.problems).toEqual([]);
    expect(read.entries.map((e) => [e.image, e.annotation.boxes])).toEqual([
      ['icdar_c4_train_imgs/img_1.jpg', [box('Genaxis Theatre', 377, 117, 465, 130)]],
      ['icdar_c4_train_imgs/img_2.jpg', [box('curve', 10, 25, 60, 50)]],
    ]);
  });

  it('reports bad lines and boxes at file:line and keeps the rest', async () => {
    const dir = io.fixture({
      'Label.txt': [
        'imgs/a.jpg [{"transcription": "a", "points": [[0, 0], [1, 0], [1, 1], [0, 1]]}]',
        'imgs/b.jpg\t[{"transcription": "b", "points": [[0, 0], [1, 0]',
        'imgs/c.jpg\t{"transcription": "c"}',
        'imgs/d.jpg\t[{"transcription": "d", "points": [[0, 0], [4, 0], [4, 4], [0, 4]]}, {"points": [[0, 0], [1, 1]]}, ' +
          '{"transcription": "e", "points": [[0, "x"]]}, {"transcription": "f", "points": [[3, 3], [3, 3]]}, 7]',
      ].join('\n'),
    });
    const read = await ppocr.import(dir, { type: 'ocr', signal });
    expect(read.entries).toEqual([{ image: 'imgs/d.jpg', size: null, annotation: { label: null, boxes: [box('d', 0, 0, 4, 4)] } }]);
    expect(read.problems).toEqual([
      { path: 'Label.txt:1', reason: 'expected "<image>\\t<JSON list of boxes>"' },
      { path: 'Label.txt:2', reason: expect.stringMatching(/^not JSON: /) },
      { path: 'Label.txt:3', reason: 'expected a JSON list of boxes' },
      { path: 'Label.txt:4', reason: 'box 2: no "transcription" text' },
      { path: 'Label.txt:4', reason: 'box 3: "points" is not a list of [x, y] numbers' },
      { path: 'Label.txt:4', reason: 'box 4: the points enclose no area: [[3,3],[3,3]]' },
      { path: 'Label.txt:4', reason: 'box 5: not an object' },
    ]);
  });

  it('throws when there is no Label.txt, naming the path', async () => {
    const missing = join(scratch, 'missing');
    await expect(ppocr.import(missing, { type: 'ocr', signal })).rejects.toThrow(`not found: ${missing}`);
    const empty = io.fixture({ 'imgs/a.jpg': 'x' });
    await expect(ppocr.import(empty, { type: 'ocr', signal })).rejects.toThrow(`no Label.txt in ${empty} or its sub-folders`);
  });
});
