// Targets built from boxes (hand-checked), and boxes that go through targets → decode unchanged.

import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../main/core/training/tf/backend';
import { decodeOutput, easItems, iou, nonMaxSuppression } from '../../../../main/core/training/detection/decode';
import { frameFor } from '../../../../main/core/training/detection/images';
import { cellCount, layoutFor, levelFor } from '../../../../main/core/training/detection/layout';
import { buildTargets, type ImageTargets, type TargetBox } from '../../../../main/core/training/detection/targets';

/** The network output that would reproduce the targets exactly: heat as logits, box distances as log(d / stride). */
function outputFromTargets(t: ImageTargets, strides: number[], classes: number): Float32Array {
  const cells = t.boxWeight.length;
  const out = new Float32Array(cells * (classes + 4));
  for (let k = 0; k < cells; k++) {
    for (let c = 0; c < classes; c++) {
      const h = Math.min(1 - 1e-6, Math.max(1e-6, t.heat[k * classes + c]!));
      out[k * (classes + 4) + c] = Math.log(h / (1 - h));
    }
    for (let q = 0; q < 4; q++) out[k * (classes + 4) + classes + q] = t.boxWeight[k]! > 0 ? Math.log(t.box[k * 4 + q]! / strides[k]!) : 0;
  }
  return out;
}

function cellStrides(layout: ReturnType<typeof layoutFor>): number[] {
  return layout.levels.flatMap((l) => Array<number>(l.size * l.size).fill(l.stride));
}

beforeAll(async () => {
  await initBackend('auto');
});

describe('detection targets', () => {
  it('puts a Gaussian peak at the centre cell and regresses the box from the cells of its central part', () => {
    // 64×64 input, one level of stride 16 (4×4 cells), one class; box 8..40 × 16..48 (32×32, centre 24,32).
    const layout = layoutFor(64, 1, [16]);
    const t = buildTargets([{ cls: 0, xmin: 8, ymin: 16, xmax: 40, ymax: 48 }], layout);
    expect(cellCount(layout)).toBe(16);
    // Centre (24, 32) → column floor(24/16) = 1, row floor(32/16) = 2 → cell 2·4 + 1 = 9.
    expect(Array.from(t.positive).map((v, k) => (v ? k : -1)).filter((k) => k >= 0)).toEqual([9]);
    expect(t.heat[9]).toBe(1);
    expect(t.negative[9]).toBe(0);
    // σ = 0.54·32/6/16 = 0.18 cells → clamped to 0.2: a neighbour gets exp(−1/(2·0.04)) = exp(−12.5).
    expect(t.heat[8]).toBeCloseTo(Math.exp(-12.5), 10);
    expect(t.negative[8]).toBeCloseTo((1 - Math.exp(-12.5)) ** 4, 6);
    expect(t.negative[0]).toBe(1);
    // Regression in the central 54 % (|x − 24| ≤ 8.64, |y − 32| ≤ 8.64): the cells centred at (24, 40)
    // — the centre cell 9: left 16, top 24, right 16, bottom 8 — and (24, 24), cell 5: 16, 8, 16, 24,
    // weighted 1 : exp(−12.5).
    expect(Array.from(t.box.subarray(9 * 4, 10 * 4))).toEqual([16, 24, 16, 8]);
    expect(Array.from(t.box.subarray(5 * 4, 6 * 4))).toEqual([16, 8, 16, 24]);
    const g = Math.exp(-12.5);
    expect(t.boxWeight[9]).toBeCloseTo(1 / (1 + g), 7);
    expect(t.boxWeight[5]).toBeCloseTo(g / (1 + g), 7);
    expect(Array.from(t.boxWeight).filter((w) => w > 0)).toHaveLength(2);
    expect(Array.from(t.boxWeight).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(t.objects).toBe(1);
  });

  it('spreads the regression over a large box, weights summing to 1, and lets the smaller of two boxes own shared cells', () => {
    const layout = layoutFor(128, 2, [8]);
    const big: TargetBox = { cls: 0, xmin: 0, ymin: 0, xmax: 128, ymax: 128 };
    const small: TargetBox = { cls: 1, xmin: 56, ymin: 56, xmax: 72, ymax: 72 };
    const t = buildTargets([small, big], layout);
    expect(t.objects).toBe(2);
    // The small box's centre (64, 64) → cell (8, 8) = 136: owned by the small box.
    // Cell centre (68, 68): left 12, top 12, right 4, bottom 4.
    expect(Array.from(t.box.subarray(136 * 4, 137 * 4))).toEqual([12, 12, 4, 4]);
    expect(t.positive[136 * 2 + 1]).toBe(1);
    const bigWeights = Array.from(t.boxWeight).reduce((a, b) => a + b, 0);
    expect(bigWeights).toBeGreaterThan(1.5);
    expect(bigWeights).toBeLessThanOrEqual(2 + 1e-6);
  });

  it('assigns objects to levels by size and leaves ignored boxes neither positive nor negative', () => {
    const layout = layoutFor(256, 1, [8, 16, 32]);
    expect(levelFor(layout, 40)).toBe(0);
    expect(levelFor(layout, 100)).toBe(1);
    expect(levelFor(layout, 200)).toBe(2);
    const t = buildTargets([{ cls: 0, xmin: 10, ymin: 10, xmax: 50, ymax: 50, ignore: true }], layout);
    expect(t.objects).toBe(0);
    expect(Array.from(t.positive).every((v) => v === 0)).toBe(true);
    // Cell (2, 2) of the stride-8 level has its centre (20, 20) inside the box: no negative weight.
    expect(t.negative[2 * 32 + 2]).toBe(0);
    expect(t.negative[10 * 32 + 10]).toBe(1);
  });
});

describe('detection decode', () => {
  it('round-trips boxes through encode → decode, back to original pixels through the letterbox', () => {
    // A 300×200 image letterboxed into 128: scale 128/300, height 85 px.
    const frame = frameFor(300, 200, 128);
    expect(frame.scaleX).toBeCloseTo(128 / 300, 12);
    expect(frame.scaleY).toBeCloseTo(85 / 200, 12);
    const layout = layoutFor(128, 2, [8, 16, 32]);
    const original = [
      { cls: 0, xmin: 20, ymin: 30, xmax: 90, ymax: 100 },
      { cls: 1, xmin: 150, ymin: 20, xmax: 290, ymax: 190 },
      { cls: 0, xmin: 200, ymin: 40, xmax: 240, ymax: 80 },
    ];
    const input = original.map((b) => ({ ...b, xmin: b.xmin * frame.scaleX, xmax: b.xmax * frame.scaleX, ymin: b.ymin * frame.scaleY, ymax: b.ymax * frame.scaleY }));
    const t = buildTargets(input, layout);
    const out = outputFromTargets(t, cellStrides(layout), 2);
    const dets = decodeOutput(out, layout, frame, ['a', 'b'], { scoreThreshold: 0.5 });
    expect(dets).toHaveLength(3);
    for (const b of original) {
      const d = dets.find((x) => x.cls === b.cls && Math.abs(x.xmin - b.xmin) < 1);
      expect(d, JSON.stringify(b)).toBeDefined();
      for (const key of ['xmin', 'ymin', 'xmax', 'ymax'] as const) expect(d![key]).toBeCloseTo(b[key], 3);
      expect(d!.score).toBeGreaterThan(0.99);
      expect(d!.label).toBe(['a', 'b'][b.cls]);
    }
  });

  it('EAS items give the 4 corners TL, TR, BR, BL relative to the image size', () => {
    const items = easItems([{ cls: 0, label: 'car', score: 0.64, xmin: 36.72, ymin: 59.52, xmax: 1058.4, ymax: 1862.4 }], 1080, 1920);
    expect(items[0]!.label).toBe('car');
    expect(items[0]!.conf).toBe(0.64);
    const expected = [
      [0.034, 0.031],
      [0.98, 0.031],
      [0.98, 0.97],
      [0.034, 0.97],
    ];
    items[0]!.pos.forEach((p, i) => p.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 10)));
  });

  it('NMS keeps what tf.image.nonMaxSuppression keeps', async () => {
    const boxes = [
      { xmin: 0, ymin: 0, xmax: 10, ymax: 10, score: 0.9 },
      { xmin: 1, ymin: 1, xmax: 11, ymax: 11, score: 0.8 },
      { xmin: 20, ymin: 20, xmax: 30, ymax: 30, score: 0.7 },
      { xmin: 5, ymin: 0, xmax: 15, ymax: 10, score: 0.95 },
      { xmin: 21, ymin: 19, xmax: 31, ymax: 29, score: 0.6 },
      { xmin: 0, ymin: 0, xmax: 10, ymax: 10, score: 0.1 },
    ];
    expect(iou(boxes[0]!, boxes[1]!)).toBeCloseTo(81 / 119, 12);
    for (const threshold of [0.3, 0.5, 0.7]) {
      const ours = nonMaxSuppression(boxes, threshold, 10);
      const theirs = await tf.image.nonMaxSuppressionAsync(
        tf.tensor2d(boxes.map((b) => [b.ymin, b.xmin, b.ymax, b.xmax])),
        tf.tensor1d(boxes.map((b) => b.score)),
        10,
        threshold,
      );
      expect(ours).toEqual(Array.from(await theirs.data()));
    }
    expect(nonMaxSuppression(boxes, 0.5, 2)).toHaveLength(2);
  });
});
