// Tiny synthetic detection scenes for tests: coloured shapes (a red square, a blue disk) at known
// places on a noisy background, written as PNGs, with their boxes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../../../main/core/datasets/split';
import type { TrainBox, TrainImage } from '../../../../main/core/training/protocol';

export const SHAPES = ['disk', 'square'] as const;

export interface SceneSpec {
  count: number;
  size?: number;
  seed?: number;
  /** Object side range in pixels. */
  minSide?: number;
  maxSide?: number;
  maxObjects?: number;
}

/** Raw RGB pixels of one scene and its boxes. */
export function drawScene(size: number, random: () => number, opts: Pick<SceneSpec, 'minSide' | 'maxSide' | 'maxObjects'> = {}): { pixels: Uint8Array; boxes: TrainBox[] } {
  const minSide = opts.minSide ?? Math.round(size * 0.2);
  const maxSide = opts.maxSide ?? Math.round(size * 0.4);
  const pixels = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const n = 110 + (random() - 0.5) * 60;
    pixels[p * 3] = n;
    pixels[p * 3 + 1] = n + 10;
    pixels[p * 3 + 2] = n;
  }
  const boxes: TrainBox[] = [];
  const objects = 1 + Math.floor(random() * (opts.maxObjects ?? 3));
  for (let tries = 0; boxes.length < objects && tries < 50; tries++) {
    const w = Math.round(minSide + random() * (maxSide - minSide));
    const h = Math.round(minSide + random() * (maxSide - minSide));
    const x = Math.floor(random() * (size - w));
    const y = Math.floor(random() * (size - h));
    const box = { xmin: x, ymin: y, xmax: x + w, ymax: y + h };
    if (boxes.some((b) => b.xmin < box.xmax + 2 && box.xmin < b.xmax + 2 && b.ymin < box.ymax + 2 && box.ymin < b.ymax + 2)) continue;
    const label = SHAPES[Math.floor(random() * SHAPES.length)]!;
    const [r, g, b] = label === 'square' ? [230, 40, 40] : [30, 50, 220];
    for (let yy = y; yy < y + h; yy++) {
      for (let xx = x; xx < x + w; xx++) {
        const dx = (xx + 0.5 - (x + w / 2)) / (w / 2);
        const dy = (yy + 0.5 - (y + h / 2)) / (h / 2);
        if (label === 'disk' && dx * dx + dy * dy > 1) continue;
        const o = (yy * size + xx) * 3;
        pixels[o] = r;
        pixels[o + 1] = g;
        pixels[o + 2] = b;
      }
    }
    boxes.push({ label, ...box, difficult: false });
  }
  return { pixels, boxes };
}

/** Writes `count` scenes as PNGs under `dir`; returns them as training images (all in `split`). */
export async function writeScenes(dir: string, spec: SceneSpec, split: 'train' | 'val'): Promise<TrainImage[]> {
  mkdirSync(dir, { recursive: true });
  const size = spec.size ?? 96;
  const random = seededRandom(spec.seed ?? 1);
  const out: TrainImage[] = [];
  for (let i = 0; i < spec.count; i++) {
    const { pixels, boxes } = drawScene(size, random, spec);
    const path = join(dir, `${split}_${i}.png`);
    writeFileSync(path, await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    out.push({ path, label: boxes[0]?.label ?? '', split, boxes, width: size, height: size });
  }
  return out;
}
