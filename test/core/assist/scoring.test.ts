// From EAS results to suggestions: classification margin, detection positions relative to the
// image, OCR positions in pixels, clamping, the confidence threshold and the box uncertainty.

import { describe, expect, it } from 'vitest';
import type { EasResult } from '../../../main/shared/api';
import { boxUncertainty, classificationUncertainty, score } from '../../../main/core/assist/scoring';

type Item = { label: string; conf: number; pos?: number[][] };
const result = (body: Item[], width: number, height: number) => ({ output: [{ type: 'cv_common', body }], meta: { width, height } }) as unknown as EasResult;
const quad = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];

describe('suggestion scoring', () => {
  it('classification: the top label, every class, and 1 − (top − second)', () => {
    const s = score('classification', result([{ label: 'cat', conf: 0.2 }, { label: 'dog', conf: 0.7 }, { label: 'fox', conf: 0.1 }], 10, 10), { width: 10, height: 10 });
    expect(s.label).toBe('dog');
    expect(s.conf).toBe(0.7);
    expect(s.confidences.map((c) => c.label)).toEqual(['dog', 'cat', 'fox']);
    expect(s.uncertainty).toBeCloseTo(0.5);
    expect(s.boxes).toEqual([]);
    expect(classificationUncertainty([0.5, 0.5])).toBe(1);
    expect(classificationUncertainty([1, 0])).toBe(0);
    expect(classificationUncertainty([1])).toBe(0);
  });

  it('detection: positions relative to width/height become pixel boxes, clamped; weak ones are not suggested', () => {
    const s = score(
      'detection',
      result(
        [
          { label: 'kangaroo', conf: 0.55, pos: quad(0.1, 0.2, 0.5, 0.6) },
          { label: 'kangaroo', conf: 0.95, pos: quad(0.5, 0.5, 1.2, 1.1) },
          { label: 'kangaroo', conf: 0.2, pos: quad(0, 0, 0.1, 0.1) },
          { label: 'kangaroo', conf: 0.05, pos: quad(0, 0, 0.2, 0.2) },
        ],
        200,
        100,
      ),
      { width: 200, height: 100 },
      0.3,
    );
    expect(s.boxes).toEqual([
      { label: 'kangaroo', xmin: 100, ymin: 50, xmax: 200, ymax: 100, difficult: false, truncated: false, conf: 0.95 },
      { label: 'kangaroo', xmin: 20, ymin: 20, xmax: 100, ymax: 60, difficult: false, truncated: false, conf: 0.55 },
    ]);
    // Candidates ≥ 0.1 count: (1 − |2·0.95 − 1|, 1 − |2·0.55 − 1|, 1 − |2·0.2 − 1|) / 3.
    expect(s.uncertainty).toBeCloseTo((0.1 + 0.9 + 0.4) / 3);
    expect(s.label).toBeNull();
  });

  it('OCR: positions are pixels and the label is the text', () => {
    const s = score('ocr', result([{ label: '2024-01-01', conf: 0.8, pos: quad(10, 5, 90, 25) }, { label: 'x', conf: 0.9 }], 120, 40), { width: 120, height: 40 });
    expect(s.boxes).toEqual([{ label: '2024-01-01', xmin: 10, ymin: 5, xmax: 90, ymax: 25, difficult: false, truncated: false, conf: 0.8 }]);
  });

  it('box uncertainty: a coin toss is 1, sure boxes are 0, no candidates is 0', () => {
    expect(boxUncertainty([0.5])).toBe(1);
    expect(boxUncertainty([1, 0.99])).toBeCloseTo(0.01);
    expect(boxUncertainty([0.05, 0.01])).toBe(0);
    expect(boxUncertainty([])).toBe(0);
  });
});
