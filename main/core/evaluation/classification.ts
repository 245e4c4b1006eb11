// Image-classification metrics with scikit-learn's definitions (precision_recall_fscore_support,
// confusion_matrix). Pure functions.

import { StudioError } from '../../shared/api';

export interface ClassMetrics {
  /** tp / (tp + fp); 0 when the class was never predicted (0/0 is 0 throughout, as scikit-learn's default). */
  precision: number;
  /** tp / (tp + fn); 0 when the class has no samples. */
  recall: number;
  /** 2·tp / (2·tp + fp + fn): the harmonic mean of precision and recall, computed from counts as scikit-learn does; 0 when tp is 0. */
  f1: number;
  /** Samples whose true label is this class. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
}

export interface ClassificationEvaluation {
  labels: string[];
  /** confusion[i][j]: samples of true label labels[i] predicted as labels[j] (rows truth, columns prediction). */
  confusion: number[][];
  /** correct / samples; 0 for no samples. */
  accuracy: number;
  samples: number;
  correct: number;
  classes: Record<string, ClassMetrics>;
  /**
   * Unweighted means over `labels` (classes without samples included). f1 is the mean of the
   * per-class F1, as scikit-learn's average='macro', not the F1 of the mean precision and recall.
   */
  macro: { precision: number; recall: number; f1: number };
}

/** Orders labels by Unicode code point (as Python's sorted), not by UTF-16 unit as String.prototype.sort. */
export function compareLabels(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return (ca.done ? 0 : 1) - (cb.done ? 0 : 1);
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Scores predicted labels against true ones (same length, same order). `labels` fixes the order of
 * the matrix and may add classes that never occur; every label that occurs must be in it. Without
 * it, the labels are those that occur in either list, sorted by code point.
 */
export function evaluateClassification(
  truth: readonly string[],
  predicted: readonly string[],
  options: { labels?: readonly string[] } = {},
): ClassificationEvaluation {
  if (truth.length !== predicted.length) {
    throw new StudioError('invalid_input', `${truth.length} true labels but ${predicted.length} predictions`, 'predicted');
  }
  const labels = options.labels ? [...options.labels] : [...new Set([...truth, ...predicted])].sort(compareLabels);
  const index = new Map(labels.map((label, i) => [label, i]));
  if (index.size !== labels.length) throw new StudioError('invalid_input', 'labels must not repeat', 'labels');

  const confusion = labels.map(() => labels.map(() => 0));
  for (const [i, t] of truth.entries()) {
    const p = predicted[i]!;
    const row = index.get(t);
    const col = index.get(p);
    if (row === undefined || col === undefined) {
      throw new StudioError('invalid_input', `sample ${i + 1}: label "${row === undefined ? t : p}" is not in labels`, 'labels');
    }
    confusion[row]![col]!++;
  }

  const classes = labels.map((label, k): [string, ClassMetrics] => {
    const tp = confusion[k]![k]!;
    const support = sum(confusion[k]!);
    const predictedAs = sum(confusion.map((row) => row[k]!));
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * tp, support + predictedAs);
    return [label, { precision, recall, f1, support, tp, fp: predictedAs - tp, fn: support - tp }];
  });
  const correct = sum(labels.map((_, k) => confusion[k]![k]!));
  const macro = (key: 'precision' | 'recall' | 'f1') => ratio(sum(classes.map(([, c]) => c[key])), classes.length);
  return {
    labels,
    confusion,
    accuracy: ratio(correct, truth.length),
    samples: truth.length,
    correct,
    classes: Object.fromEntries(classes),
    macro: { precision: macro('precision'), recall: macro('recall'), f1: macro('f1') },
  };
}

/** a / b with 0/0 (and x/0) defined as 0. */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
