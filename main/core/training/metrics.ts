// Classification metrics of a model's class probabilities, as runs, models and `evaluate` report them.

import type { ClassificationMetrics } from '../../shared/api';
import { evaluateClassification } from '../evaluation/classification';
import { curveOf, prCurves } from '../evaluation/pr-curve';

/**
 * Scores probabilities (`labels.length` per sample, in label order) against the true label
 * indices: the prediction is the most probable label, the loss the mean cross-entropy.
 */
export function scoreProbabilities(labels: readonly string[], truth: ArrayLike<number>, probs: ArrayLike<number>): Omit<ClassificationMetrics, 'model_size'> {
  const k = labels.length;
  const truthNames: string[] = [];
  const predicted: string[] = [];
  let loss = 0;
  for (let i = 0; i < truth.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    truthNames.push(labels[truth[i]!]!);
    predicted.push(labels[best]!);
    loss -= Math.log(Math.max(probs[i * k + truth[i]!]!, 1e-7));
  }
  const e = evaluateClassification(truthNames, predicted, { labels });
  return {
    accuracy: e.accuracy,
    precision: e.macro.precision,
    recall: e.macro.recall,
    f1: e.macro.f1,
    loss: truth.length ? loss / truth.length : 0,
    samples: e.samples,
    per_class: Object.fromEntries(Object.entries(e.classes).map(([name, c]) => [name, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }])),
    confusion_matrix: { labels: e.labels, matrix: e.confusion },
    pr_curves: prCurves(
      Object.fromEntries(
        labels.map((label, c) => [label, curveOf(Array.from({ length: truth.length }, (_, i) => probs[i * k + c]!), Array.from({ length: truth.length }, (_, i) => truth[i] === c))]),
      ),
    ),
  };
}
