// Precision–recall curves as models report them: each class's interpolated precision (the best
// precision at any recall at least r, as VOC AP uses it) on one shared recall grid, so the curves
// of all classes plot against the same x and stay small in metadata.json.

import type { PrCurves } from '../../shared/api';

export const RECALL_GRID = Array.from({ length: 21 }, (_, i) => i / 20);

/** Interpolated precision at each grid recall, from a curve's (recall, precision) points. */
export function onRecallGrid(recall: readonly number[], precision: readonly number[]): number[] {
  return RECALL_GRID.map((r) => {
    let best = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i]! >= r - 1e-12 && precision[i]! > best) best = precision[i]!;
    return best;
  });
}

/** One-vs-rest curve of a class from scores (higher = more likely the class) and whether each sample is it. */
export function curveOf(scores: readonly number[], positive: readonly boolean[]): { recall: number[]; precision: number[] } {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const positives = positive.filter(Boolean).length;
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  order.forEach(([, i], rank) => {
    if (positive[i]) tp++;
    recall.push(positives ? tp / positives : 0);
    precision.push(tp / (rank + 1));
  });
  return { recall, precision };
}

export function prCurves(curves: Record<string, { recall: readonly number[]; precision: readonly number[] }>): PrCurves {
  return { recall: RECALL_GRID, precision: Object.fromEntries(Object.entries(curves).map(([label, c]) => [label, onRecallGrid(c.recall, c.precision)])) };
}
