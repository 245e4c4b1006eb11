import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../main/core/datasets/split';
import { cropLine, cropLines, decodeRgb, extractRegion, renderCrop, toLineBatch } from '../../../../main/core/training/ocr/crops';

const geometry = { height: 32, width: 128 };
// Five "glyphs" (bars 6 px wide, rows 36–55) inside the box x 20–120, y 30–62 of a 200×100 image.
const box = { xmin: 20, ymin: 30, xmax: 120, ymax: 62 };
const bars = [30, 45, 60, 75, 90];

async function barsImage(ink: number, ground: number): Promise<Buffer> {
  const raw = Buffer.alloc(200 * 100 * 3, ground);
  for (const x0 of bars) for (let y = 36; y < 56; y++) for (let x = x0; x < x0 + 6; x++) raw.fill(ink, (y * 200 + x) * 3, (y * 200 + x) * 3 + 3);
  return sharp(raw, { raw: { width: 200, height: 100, channels: 3 } }).png().toBuffer();
}

const at = (pixels: Uint8Array, x: number, y: number) => pixels[(y * geometry.width + x) * 3]!;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocr-crops-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('line crops', () => {
  it('resizes the box to the input height, keeps the aspect, left-aligns and pads on the right', async () => {
    const png = await barsImage(20, 230);
    const crop = await cropLine(png, box, geometry);
    expect(crop.pixels).toHaveLength(32 * 128 * 3);
    // The box is 100×32: at height 32 it stays 100 wide.
    expect(crop.contentWidth).toBe(100);
    // Box pixel (x, y) is image pixel (20 + x, 30 + y): bar 1 covers crop columns 10–15, rows 6–25.
    expect(at(crop.pixels, 12, 16)).toBeLessThan(40);
    expect(at(crop.pixels, 5, 16)).toBeGreaterThan(215);
    expect(at(crop.pixels, 12, 2)).toBeGreaterThan(215);
    // Padding: the ground colour (light after normalisation).
    expect(at(crop.pixels, 110, 16)).toBeGreaterThan(215);
    expect(at(crop.pixels, 127, 31)).toBeGreaterThan(215);
  });

  it('normalises polarity and contrast: light ink on a dark ground gives the same crop as dark on light', async () => {
    const dark = await cropLine(await barsImage(20, 230), box, geometry);
    const light = await cropLine(await barsImage(235, 40), box, geometry);
    const faint = await cropLine(await barsImage(120, 160), box, geometry);
    for (const c of [light, faint]) {
      let worst = 0;
      for (let i = 0; i < c.pixels.length; i++) worst = Math.max(worst, Math.abs(c.pixels[i]! - dark.pixels[i]!));
      expect(worst).toBeLessThan(40);
    }
  });

  it('squeezes lines wider than the input', async () => {
    const png = await barsImage(20, 230);
    const crop = await cropLine(png, { xmin: 0, ymin: 40, xmax: 200, ymax: 52 }, geometry);
    expect(crop.contentWidth).toBe(128);
  });

  it('reads files and buffers alike, decoding an image once for several boxes', async () => {
    const png = await barsImage(20, 230);
    const file = join(dir, 'bars.png');
    await writeFile(file, png);
    const [a, b] = await cropLines(file, [box, { ...box, xmin: 40 }], geometry);
    const single = await cropLine(png, box, geometry);
    expect(Buffer.compare(Buffer.from(a!.pixels), Buffer.from(single.pixels))).toBe(0);
    expect(b!.contentWidth).toBe(80);
  });

  it('downscales large boxes into a small region kept between epochs', async () => {
    const big = await sharp({ create: { width: 2000, height: 600, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const img = await decodeRgb(big);
    const region = await extractRegion(img, { xmin: 100, ymin: 100, xmax: 1900, ymax: 500 }, geometry);
    // Box 400 px tall → 64 px (2 × input height); margin 25 % of the height each side.
    expect(region.box.ymax - region.box.ymin).toBeCloseTo(64, 0);
    expect(region.height).toBeLessThanOrEqual(64 * 1.5 + 2);
  });

  it('augmentation is seeded: same seed, same crop; it differs from the plain crop', async () => {
    const img = await decodeRgb(await barsImage(20, 230));
    const region = await extractRegion(img, box, geometry);
    const a = renderCrop(region, geometry, { random: seededRandom(5), strength: 1 });
    const b = renderCrop(region, geometry, { random: seededRandom(5), strength: 1 });
    const plain = renderCrop(region, geometry);
    expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(b.pixels))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(plain.pixels))).not.toBe(0);
    expect(renderCrop(region, geometry, { random: seededRandom(5), strength: 0 }).pixels).toEqual(plain.pixels);
  });

  it('refuses boxes outside the image', async () => {
    const img = await decodeRgb(await barsImage(20, 230));
    await expect(extractRegion(img, { xmin: 300, ymin: 10, xmax: 400, ymax: 40 }, geometry)).rejects.toThrow(/outside/);
  });

  it('builds the normalised network input', async () => {
    await tf.setBackend('cpu');
    const crop = await cropLine(await barsImage(20, 230), box, geometry);
    const x = toLineBatch(tf, [crop.pixels, crop.pixels], geometry);
    expect(x.shape).toEqual([2, 32, 128, 3]);
    const [min, max] = [tf.min(x).dataSync()[0]!, tf.max(x).dataSync()[0]!];
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    x.dispose();
  });
});
