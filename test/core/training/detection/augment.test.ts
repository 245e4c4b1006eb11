// Augmentation keeps boxes on their objects: after a flip, a zoom/shift and colour jitter, the
// transformed box still frames the (transformed) coloured rectangle.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../main/core/datasets/split';
import { augmentScene, flipView, transformBoxes, transformPixels, type Affine } from '../../../../main/core/training/detection/augment';
import { PAD_VALUE } from '../../../../main/core/training/detection/images';

const SIZE = 64;

/** A grey square image with a red rectangle at the box (pixel columns xmin..xmax−1). */
function scene(box: { xmin: number; ymin: number; xmax: number; ymax: number }): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3).fill(100);
  for (let y = box.ymin; y < box.ymax; y++) for (let x = box.xmin; x < box.xmax; x++) px.set([250, 0, 0], (y * SIZE + x) * 3);
  return px;
}

/** Bounding box of the pixels that are clearly red. */
function redExtent(px: Uint8Array): { xmin: number; ymin: number; xmax: number; ymax: number } | null {
  let e: { xmin: number; ymin: number; xmax: number; ymax: number } | null = null;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const o = (y * SIZE + x) * 3;
      if (px[o]! - px[o + 1]! < 60) continue;
      e = e ? { xmin: Math.min(e.xmin, x), ymin: Math.min(e.ymin, y), xmax: Math.max(e.xmax, x + 1), ymax: Math.max(e.ymax, y + 1) } : { xmin: x, ymin: y, xmax: x + 1, ymax: y + 1 };
    }
  }
  return e;
}

const BOX = { cls: 0, xmin: 10, ymin: 20, xmax: 30, ymax: 44 };

describe('detection augmentation', () => {
  it('a flip mirrors the pixels and the box alike', () => {
    const { pixels, boxes } = flipView(scene(BOX), [BOX], SIZE);
    expect(boxes).toEqual([{ cls: 0, xmin: 34, ymin: 20, xmax: 54, ymax: 44 }]);
    expect(redExtent(pixels)).toEqual({ xmin: 34, ymin: 20, xmax: 54, ymax: 44 });
  });

  it('zoom and shift move the box with the object, to within a pixel', () => {
    for (const a of [
      { scale: 1.5, tx: -20, ty: -15, flip: false },
      { scale: 0.7, tx: 10, ty: 5, flip: true },
      { scale: 1.25, tx: -8, ty: 0, flip: true },
    ] satisfies Affine[]) {
      const [box] = transformBoxes([BOX], a, SIZE);
      expect(box, JSON.stringify(a)).toBeDefined();
      const red = redExtent(transformPixels(scene(BOX), SIZE, a))!;
      for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) expect(Math.abs(red[k] - box![k]), `${k} ${JSON.stringify(a)}`).toBeLessThanOrEqual(1);
    }
  });

  it('zooming out fills the border with grey; a box pushed out of the view is dropped, one cut at the edge is clipped', () => {
    const out = transformPixels(scene(BOX), SIZE, { scale: 0.5, tx: 0, ty: 0, flip: false });
    expect(Array.from(out.subarray((63 * SIZE + 63) * 3, (63 * SIZE + 63) * 3 + 3))).toEqual([PAD_VALUE, PAD_VALUE, PAD_VALUE]);
    expect(transformBoxes([BOX], { scale: 2, tx: -64, ty: -64, flip: false }, SIZE)).toEqual([]);
    const [clipped] = transformBoxes([BOX], { scale: 1, tx: -15, ty: 0, flip: false }, SIZE);
    expect(clipped).toEqual({ cls: 0, xmin: 0, ymin: 20, xmax: 15, ymax: 44 });
  });

  it('random views (zoom, shift, flip, colour) keep every surviving box on its object', () => {
    const random = seededRandom(5);
    let kept = 0;
    for (let i = 0; i < 30; i++) {
      const { pixels, boxes } = augmentScene(scene(BOX), [BOX], SIZE, random, { strength: 1 });
      if (boxes.length === 0) continue;
      kept++;
      const red = redExtent(pixels)!;
      for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) expect(Math.abs(red[k] - boxes[0]![k])).toBeLessThanOrEqual(1.5);
    }
    expect(kept).toBeGreaterThan(20);
  });
});
