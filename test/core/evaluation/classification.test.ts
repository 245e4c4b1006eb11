import { describe, expect, it } from 'vitest';
import { compareLabels, evaluateClassification } from '../../../main/core/evaluation';

describe('evaluateClassification', () => {
  // 10 samples, 3 classes. Rows truth, columns prediction, labels sorted: bird, cat, dog.
  //            bird cat dog   support
  //   bird       3   0   1      4
  //   cat        0   3   1      4
  //   dog        0   1   1      2
  //   predicted  3   4   3
  // accuracy (3 + 3 + 1) / 10 = 0.7
  // bird P 3/3 = 1     R 3/4 = 0.75  F1 2·3 / (4 + 3) = 6/7
  // cat  P 3/4 = 0.75  R 3/4 = 0.75  F1 6 / 8 = 0.75
  // dog  P 1/3         R 1/2         F1 2 / (2 + 3) = 0.4
  // macro P (1 + 3/4 + 1/3) / 3 = 25/36, R (3/4 + 3/4 + 1/2) / 3 = 2/3, F1 (6/7 + 3/4 + 2/5) / 3 = 281/420
  const truth = ['cat', 'cat', 'cat', 'dog', 'dog', 'bird', 'bird', 'bird', 'bird', 'cat'];
  const predicted = ['cat', 'dog', 'cat', 'dog', 'cat', 'bird', 'bird', 'dog', 'bird', 'cat'];

  it('computes the confusion matrix, per-class and macro precision, recall and F1 of a 3-class case', () => {
    const r = evaluateClassification(truth, predicted);
    expect(r.labels).toEqual(['bird', 'cat', 'dog']);
    expect(r.confusion).toEqual([
      [3, 0, 1],
      [0, 3, 1],
      [0, 1, 1],
    ]);
    expect(r).toMatchObject({ accuracy: 0.7, samples: 10, correct: 7 });
    expect(r.classes['bird']).toEqual({ precision: 1, recall: 0.75, f1: 6 / 7, support: 4, tp: 3, fp: 0, fn: 1 });
    expect(r.classes['cat']).toEqual({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4, tp: 3, fp: 1, fn: 1 });
    expect(r.classes['dog']).toEqual({ precision: 1 / 3, recall: 0.5, f1: 0.4, support: 2, tp: 1, fp: 2, fn: 1 });
    expect(r.macro.precision).toBeCloseTo(25 / 36, 15);
    expect(r.macro.recall).toBeCloseTo(2 / 3, 15);
    expect(r.macro.f1).toBeCloseTo(281 / 420, 15);
  });

  it('follows a given label order and defines 0/0 as 0 for a class that never occurs', () => {
    const r = evaluateClassification(truth, predicted, { labels: ['dog', 'cat', 'bird', 'fish'] });
    expect(r.confusion).toEqual([
      [1, 1, 0, 0],
      [1, 3, 0, 0],
      [1, 0, 3, 0],
      [0, 0, 0, 0],
    ]);
    expect(r.classes['fish']).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, tp: 0, fp: 0, fn: 0 });
    // fish counts in the macro mean: (1/3 + 3/4 + 1 + 0) / 4
    expect(r.macro.precision).toBeCloseTo(25 / 48, 15);
  });

  it('rejects mismatched lengths and labels missing from the given list', () => {
    expect(() => evaluateClassification(['a'], [])).toThrow(/1 true labels but 0 predictions/);
    expect(() => evaluateClassification(['a', 'b'], ['a', 'c'], { labels: ['a', 'b'] })).toThrow(/sample 2: label "c"/);
    expect(() => evaluateClassification([], [], { labels: ['a', 'a'] })).toThrow(/repeat/);
  });

  it('sorts labels by code point, as Python does', () => {
    // U+1F600 sorts after U+FF21 by code point, before it by UTF-16 unit (a surrogate is 0xD83D).
    expect(['😀', 'Ａ', 'b', 'B'].sort(compareLabels)).toEqual(['B', 'b', 'Ａ', '😀']);
    expect(['ab', 'a', ''].sort(compareLabels)).toEqual(['', 'a', 'ab']);
  });
});
