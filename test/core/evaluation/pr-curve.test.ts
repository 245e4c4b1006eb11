import { describe, expect, it } from 'vitest';
import { curveOf, onRecallGrid, RECALL_GRID } from '../../../main/core/evaluation/pr-curve';
import { scoreProbabilities } from '../../../main/core/training/metrics';

describe('precision–recall curves', () => {
  it('ranks by score: precision after each sample, recall over the positives', () => {
    // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg).
    expect(curveOf([0.1, 0.9, 0.7, 0.8], [false, true, true, false])).toEqual({ recall: [0.5, 0.5, 1, 1], precision: [1, 0.5, 2 / 3, 0.5] });
  });

  it('puts the interpolated precision (best at any recall ≥ r) on the shared grid', () => {
    const grid = onRecallGrid([0.5, 0.5, 1, 1], [1, 0.5, 2 / 3, 0.5]);
    expect(grid).toHaveLength(RECALL_GRID.length);
    // r ≤ 0.5: precision 1 is reached at recall 0.5; r > 0.5: the best beyond is 2/3.
    expect(grid.slice(0, 11)).toEqual(Array(11).fill(1));
    expect(grid.slice(11)).toEqual(Array(10).fill(2 / 3));
  });

  it('classification metrics carry one curve per label; a perfect ranking is precision 1 everywhere', () => {
    const m = scoreProbabilities(['a', 'b'], [0, 1, 0, 1], [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]);
    expect(m.pr_curves!.recall).toEqual(RECALL_GRID);
    expect(m.pr_curves!.precision.a).toEqual(Array(21).fill(1));
    expect(m.pr_curves!.precision.b).toEqual(Array(21).fill(1));
  });
});
