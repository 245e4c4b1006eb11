import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../main/core/datasets/split';
import { parseVoc } from '../../../main/core/interchange/voc';
import { availableFonts, cardSpec, cjkFontAvailable, generateOcrCards, renderCard } from '../../../main/core/templates/ocr-cards';

const fonts = availableFonts();
const haveFonts = fonts.latin.length > 0;
if (!haveFonts) console.warn('ocr-cards tests skipped: fontconfig lists no font (install fonts-dejavu-core)');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocr-cards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!haveFonts)('OCR card generator', () => {
  it('writes images with VOC sidecars that the repo reader parses back: one object per line, named by its text', async () => {
    const out = join(dir, 'cards');
    const set = await generateOcrCards({ outDir: out, count: 3, seed: 4 });
    expect(set.cards).toHaveLength(3);
    expect((await readdir(out)).sort()).toEqual(['card_0001.jpg', 'card_0001.xml', 'card_0002.jpg', 'card_0002.xml', 'card_0003.jpg', 'card_0003.xml']);
    for (const card of set.cards) {
      const voc = parseVoc(await readFile(card.xml));
      expect(voc.filename).toBe(card.image.split('/').pop());
      expect(voc.size).toEqual({ width: 640, height: 400, depth: 3 });
      expect(voc.boxes.map((b) => b.label)).toEqual(card.lines.map((l) => l.text));
      voc.boxes.forEach((b, i) => expect({ xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax }).toEqual(card.lines[i]!.box));
      const meta = await sharp(card.image).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 400]);
      // A card number in 4-digit groups, a date, a name.
      const texts = card.lines.map((l) => l.text);
      expect(texts.some((t) => /^\d{4}( \d{4}){3}( \d{3})?$/.test(t))).toBe(true);
      expect(texts.some((t) => /^(0[1-9]|1[0-2])\/\d\d$/.test(t))).toBe(true);
      expect(texts.some((t) => /^[A-Z]+ [A-Z ]+$/.test(t) && t !== 'VALID THRU')).toBe(true);
    }
  });

  it.skipIf(!cjkFontAvailable())('renders Chinese bank names when a CJK font exists', async () => {
    const set = await generateOcrCards({ outDir: join(dir, 'zh'), count: 2, seed: 9, cjk: 'auto', format: 'png' });
    expect(set.cjk).toBe(true);
    for (const card of set.cards) expect(card.lines.some((l) => /[\u4e00-\u9fff]/.test(l.text))).toBe(true);
  });

  it('without CJK every line is ASCII', async () => {
    const set = await generateOcrCards({ outDir: join(dir, 'en'), count: 2, seed: 9, cjk: false, format: 'png' });
    expect(set.cjk).toBe(false);
    for (const card of set.cards) for (const l of card.lines) expect(l.text).toMatch(/^[\x20-\x7e]+$/);
  });

  it('boxes hold all the ink of their line, and are tight around it', async () => {
    for (const layout of ['bank-card', 'digits'] as const) {
      const random = seededRandom(21);
      for (let n = 0; n < 3; n++) {
        const spec = cardSpec(random, { width: 640, height: 400, layout, cjk: fonts.cjk.length > 0, fonts });
        const card = await renderCard(spec);
        const inside = (x: number, y: number) => card.lines.some(({ box: b }) => x >= b.xmin && x <= b.xmax && y >= b.ymin && y <= b.ymax);
        // Ink = every pixel the text layers changed.
        let ink = 0;
        const perLine = card.lines.map(() => ({ x0: Infinity, y0: Infinity, x1: -1, y1: -1 }));
        for (let y = 0; y < card.height; y++) {
          for (let x = 0; x < card.width; x++) {
            const o = (y * card.width + x) * 3;
            const diff = Math.abs(card.rgb[o]! - card.backgroundRgb[o]!) + Math.abs(card.rgb[o + 1]! - card.backgroundRgb[o + 1]!) + Math.abs(card.rgb[o + 2]! - card.backgroundRgb[o + 2]!);
            if (diff === 0) continue;
            ink++;
            expect(inside(x, y), `${layout}: ink at (${x}, ${y}) outside every box`).toBe(true);
            card.lines.forEach(({ box: b }, i) => {
              if (x >= b.xmin && x <= b.xmax && y >= b.ymin && y <= b.ymax) {
                const e = perLine[i]!;
                e.x0 = Math.min(e.x0, x);
                e.x1 = Math.max(e.x1, x);
                e.y0 = Math.min(e.y0, y);
                e.y1 = Math.max(e.y1, y);
              }
            });
          }
        }
        expect(ink).toBeGreaterThan(1000);
        // Tight: the margin between ink and box edge is small (≤ 12 % of the font size + 2 px).
        card.lines.forEach(({ box: b, text }, i) => {
          const e = perLine[i]!;
          const margin = Math.round(spec.lines[i]!.size * 0.12) + 2;
          expect(e.x1, `${text}: no ink`).toBeGreaterThan(0);
          for (const gap of [e.x0 - b.xmin, b.xmax - e.x1, e.y0 - b.ymin, b.ymax - e.y1]) expect(gap, `${text}: box [${b.xmin},${b.ymin},${b.xmax},${b.ymax}] ink [${e.x0},${e.y0},${e.x1},${e.y1}]`).toBeLessThanOrEqual(margin);
        });
        // Lines do not overlap.
        for (let i = 0; i < card.lines.length; i++) {
          for (let j = i + 1; j < card.lines.length; j++) {
            const a = card.lines[i]!.box;
            const b = card.lines[j]!.box;
            const overlap = a.xmin <= b.xmax && b.xmin <= a.xmax && a.ymin <= b.ymax && b.ymin <= a.ymax;
            expect(overlap, `${card.lines[i]!.text} / ${card.lines[j]!.text}`).toBe(false);
          }
        }
      }
    }
  });

  it('shrinks a line that would run off the image', async () => {
    const spec = {
      width: 200,
      height: 80,
      background: '<rect width="200" height="80" fill="#ffffff"/>',
      lines: [{ text: '1234567890123', x: 10, y: 50, size: 40, family: fonts.latin[0]!, weight: 'normal' as const, color: '#000000', spacing: 0 }],
    };
    const card = await renderCard(spec);
    expect(spec.lines[0]!.size).toBeLessThan(40);
    expect(card.lines[0]!.box.xmax).toBeLessThan(200);
    expect(card.lines[0]!.box.xmin).toBeGreaterThanOrEqual(5);
  });

  it('is reproducible: the same seed gives the same files and labels, another seed others', async () => {
    const a = await generateOcrCards({ outDir: join(dir, 'a'), count: 2, seed: 77, layout: 'digits', format: 'png' });
    const b = await generateOcrCards({ outDir: join(dir, 'b'), count: 2, seed: 77, layout: 'digits', format: 'png' });
    const c = await generateOcrCards({ outDir: join(dir, 'c'), count: 2, seed: 78, layout: 'digits', format: 'png' });
    expect(b.cards.map((x) => x.lines)).toEqual(a.cards.map((x) => x.lines));
    for (let i = 0; i < 2; i++) expect(Buffer.compare(await readFile(a.cards[i]!.image), await readFile(b.cards[i]!.image))).toBe(0);
    expect(c.cards.map((x) => x.lines)).not.toEqual(a.cards.map((x) => x.lines));
    // digits layout: 4–6 lines of 3–8 digits each
    for (const card of a.cards) {
      expect(card.lines.length).toBeGreaterThanOrEqual(4);
      for (const l of card.lines) expect(l.text).toMatch(/^\d{3,8}$/);
    }
  });
});
