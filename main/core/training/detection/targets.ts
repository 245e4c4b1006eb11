// Training targets and masks of one image, built in plain JS from its boxes (never from the
// network's predictions, so nothing in the loss needs a comparison op).
//
// TTFNet-style (Liu et al. 2020), on the layout of ./layout:
//  - heatmap: per class, an elliptical Gaussian around each object's centre cell on the object's
//    level (σ = α·w/6 by α·h/6), exactly 1 at the centre cell, the maximum where objects overlap;
//  - positives: the centre cells (heat 1); negatives are weighted (1 − heat)^4 (CenterNet's
//    penalty reduction near centres), 0 at positives and inside ignored boxes;
//  - box regression: at the cells whose centre lies in the central β part of the box (always its
//    centre cell), the distances from the cell centre to the box's left, top, right and bottom
//    edges, weighted by a Gaussian (σ from β) that sums to 1 per object. A cell claimed by two
//    objects regresses the smaller one.

import { cellCount, levelFor, levelOffsets, type Layout } from './layout';

/** A box in network-input pixels. */
export interface TargetBox {
  /** Class index in the model's labels. */
  cls: number;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  /** An ignored region (a `difficult` box left out of training): neither positive nor negative. */
  ignore?: boolean;
}

export interface ImageTargets {
  /** [cells × classes] Gaussian heatmap. */
  heat: Float32Array;
  /** [cells × classes] 1 at object centres. */
  positive: Float32Array;
  /** [cells × classes] weight of the negative (background) term. */
  negative: Float32Array;
  /** [cells × 4] left, top, right, bottom distances in input pixels (1 where unused). */
  box: Float32Array;
  /** [cells] regression weight; each object's cells sum to 1. */
  boxWeight: Float32Array;
  /** Objects with a positive (ignored boxes not counted). */
  objects: number;
}

export interface TargetOptions {
  /** Heatmap Gaussian size factor (TTFNet α). */
  alpha?: number;
  /** Regression area factor (TTFNet β). */
  beta?: number;
}

export const DEFAULT_ALPHA = 0.54;
export const DEFAULT_BETA = 0.54;

/** The centre cell (row, column) of a box on a level. */
export function centreCell(box: Pick<TargetBox, 'xmin' | 'ymin' | 'xmax' | 'ymax'>, stride: number, size: number): { i: number; j: number } {
  const clamp = (v: number) => Math.max(0, Math.min(size - 1, v));
  return { i: clamp(Math.floor((box.ymin + box.ymax) / 2 / stride)), j: clamp(Math.floor((box.xmin + box.xmax) / 2 / stride)) };
}

export function buildTargets(boxes: readonly TargetBox[], layout: Layout, options: TargetOptions = {}): ImageTargets {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const beta = options.beta ?? DEFAULT_BETA;
  const C = layout.classes;
  const cells = cellCount(layout);
  const offsets = levelOffsets(layout);
  const heat = new Float32Array(cells * C);
  const positive = new Float32Array(cells * C);
  const box = new Float32Array(cells * 4).fill(1);
  const boxWeight = new Float32Array(cells);
  const ignored = new Uint8Array(cells * C);
  /** Area of the object that owns each cell's regression (smaller objects win). */
  const owner = new Float64Array(cells).fill(Infinity);
  let objects = 0;

  for (const b of boxes) {
    if (b.cls < 0 || b.cls >= C) continue;
    if (!b.ignore) continue;
    // Ignored region: on every level, the cells whose centre is inside the box.
    layout.levels.forEach(({ stride, size }, l) => {
      for (let i = 0; i < size; i++) {
        const y = (i + 0.5) * stride;
        if (y < b.ymin || y > b.ymax) continue;
        for (let j = 0; j < size; j++) {
          const x = (j + 0.5) * stride;
          if (x >= b.xmin && x <= b.xmax) ignored[(offsets[l]! + i * size + j) * C + b.cls] = 1;
        }
      }
    });
  }

  // Larger objects first, so a smaller one overwrites the regression of the cells they share.
  const real = boxes.filter((b) => !b.ignore && b.cls >= 0 && b.cls < C && b.xmax > b.xmin && b.ymax > b.ymin);
  const order = [...real].sort((a, b) => area(b) - area(a));
  for (const b of order) {
    const w = b.xmax - b.xmin;
    const h = b.ymax - b.ymin;
    const l = levelFor(layout, Math.max(w, h));
    const { stride, size } = layout.levels[l]!;
    const base = offsets[l]!;
    const { i: ci, j: cj } = centreCell(b, stride, size);
    objects++;

    // Heatmap: Gaussian in cell units around the centre cell.
    const sx = Math.max((alpha * w) / 6 / stride, 0.2);
    const sy = Math.max((alpha * h) / 6 / stride, 0.2);
    const rx = Math.ceil(3 * sx);
    const ry = Math.ceil(3 * sy);
    for (let i = Math.max(0, ci - ry); i <= Math.min(size - 1, ci + ry); i++) {
      for (let j = Math.max(0, cj - rx); j <= Math.min(size - 1, cj + rx); j++) {
        const v = i === ci && j === cj ? 1 : Math.exp(-((j - cj) ** 2 / (2 * sx * sx) + (i - ci) ** 2 / (2 * sy * sy)));
        const k = (base + i * size + j) * C + b.cls;
        if (v > heat[k]!) heat[k] = v;
      }
    }
    positive[(base + ci * size + cj) * C + b.cls] = 1;

    // Regression: cells of the central β region (and the centre cell), Gaussian-weighted.
    const bx = Math.max((beta * w) / 6 / stride, 0.2);
    const by = Math.max((beta * h) / 6 / stride, 0.2);
    const cx = (b.xmin + b.xmax) / 2;
    const cy = (b.ymin + b.ymax) / 2;
    const cells: Array<{ k: number; g: number; x: number; y: number }> = [];
    for (let i = 0; i < size; i++) {
      const y = (i + 0.5) * stride;
      const inY = Math.abs(y - cy) <= (beta * h) / 2;
      for (let j = 0; j < size; j++) {
        const x = (j + 0.5) * stride;
        const centre = i === ci && j === cj;
        if (!centre && !(inY && Math.abs(x - cx) <= (beta * w) / 2)) continue;
        const g = Math.exp(-((j - cj) ** 2 / (2 * bx * bx) + (i - ci) ** 2 / (2 * by * by)));
        cells.push({ k: base + i * size + j, g, x, y });
      }
    }
    const total = cells.reduce((s, c) => s + c.g, 0);
    const a = w * h;
    for (const c of cells) {
      if (a > owner[c.k]!) continue;
      owner[c.k] = a;
      boxWeight[c.k] = c.g / total;
      box.set([c.x - b.xmin, c.y - b.ymin, b.xmax - c.x, b.ymax - c.y], c.k * 4);
    }
  }

  const negative = new Float32Array(cells * C);
  for (let k = 0; k < negative.length; k++) negative[k] = positive[k] || ignored[k] ? 0 : (1 - heat[k]!) ** 4;
  return { heat, positive, negative, box, boxWeight, objects };
}

function area(b: TargetBox): number {
  return (b.xmax - b.xmin) * (b.ymax - b.ymin);
}
