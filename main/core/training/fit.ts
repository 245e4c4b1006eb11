// The training loop shared by every algorithm (classification, detection, OCR): seeded
// mini-batches, a learning-rate schedule, and the stop rules (early stop when the monitored
// validation figure stops improving, wall-clock deadline, user stop). It keeps the weights of the
// best epoch so a stop at any moment leaves the best model, not the last one.
//
// The task supplies the loss of a training batch and a validation of the current weights; the
// classification adapter (classifierFit) supplies softmax cross-entropy and validation loss/accuracy.

import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, StopReason } from '../../shared/api';

/**
 * Lets queued messages (a stop request) in. setImmediate in Node; a MessageChannel round trip in a
 * browser worker, where setTimeout(0) would be clamped to 4 ms per call.
 */
export function yieldToEvents(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  if (immediate) return new Promise((r) => immediate(r));
  return new Promise((r) => {
    const channel = new MessageChannel();
    channel.port1.addEventListener('message', () => {
      channel.port1.close();
      r();
    });
    channel.port1.start();
    channel.port2.postMessage(null);
  });
}
import { shuffle } from '../datasets/split';

export interface Snapshot {
  restore(): void;
  dispose(): void;
}

/** What a validation pass reports: a loss (lower is better) and a metric (higher is better). */
export interface Validation {
  loss: number;
  /** Accuracy for classification, mAP@0.5 for detection... (recorded as the epoch's valAccuracy). */
  metric: number;
}

export interface FitSpec<V extends Validation = Validation> {
  /** Training samples; batches are drawn from their indices. */
  trainCount: number;
  /**
   * Loss of a training batch, run under the optimizer's gradient tape: tf ops only, no comparison
   * (greater, where on predictions...) on anything that depends on the weights. Tensors it creates
   * are disposed by the loop.
   */
  loss(indices: readonly number[], epoch: number): tf.Scalar;
  /** Scores the current weights on the validation data (no dropout, no augmentation). */
  validate(): V | Promise<V>;
  /**
   * What decides the best epoch and early stop. 'loss' (default): lower validation loss, ties
   * (within 1e-4) broken by a higher metric. 'metric': higher metric, ties broken by a lower loss.
   */
  monitor?: 'loss' | 'metric';
  /** Variables the optimizer updates in an epoch (lets a schedule start with the head only). */
  variables(epoch: number): tf.Variable[];
  snapshot(): Snapshot;
  learningRate(epoch: number): number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  random: () => number;
  deadline: number;
  stopRequested(): boolean;
  trial: number | null;
  onEpoch?(record: EpochRecord, improved: boolean, validation: V): void | Promise<void>;
}

export interface FitResult<V extends Validation = Validation> {
  stopReason: Exclude<StopReason, 'failed'>;
  /** Epochs that ran to the end. */
  epochs: number;
  bestEpoch: number;
  best: { valLoss: number; valAccuracy: number };
  initial: { valLoss: number; valAccuracy: number };
  /** The full validation of the best epoch (epoch 0: the initial weights). */
  bestValidation: V;
}

const TOLERANCE = 1e-4;

/** Whether `next` beats `best` under the monitor's rule. */
export function improves(next: Validation, best: Validation, monitor: 'loss' | 'metric' = 'loss'): boolean {
  if (monitor === 'metric') {
    return next.metric > best.metric + TOLERANCE || (Math.abs(next.metric - best.metric) <= TOLERANCE && next.loss < best.loss - TOLERANCE);
  }
  return next.loss < best.loss - TOLERANCE || (Math.abs(next.loss - best.loss) <= TOLERANCE && next.metric > best.metric);
}

/** Trains until a stop rule fires; the model is left with its best epoch's weights. */
export async function fit<V extends Validation>(spec: FitSpec<V>): Promise<FitResult<V>> {
  const started = performance.now();
  const monitor = spec.monitor ?? 'loss';
  const initial = await spec.validate();
  await spec.onEpoch?.({ trial: spec.trial, epoch: 0, loss: null, valLoss: initial.loss, valAccuracy: initial.metric, learningRate: 0, imagesPerSec: null, elapsedMs: 0 }, false, initial);
  let best: V = initial;
  let bestEpoch = 0;
  let snapshot = spec.snapshot();
  let since = 0;
  let epoch = 0;
  let completed = 0;
  let stopReason: FitResult['stopReason'] = 'completed';
  const optimizer = tf.train.adam(spec.learningRate(1));
  // tfjs optimizers read `learningRate` at every step but do not expose a setter.
  const setRate = (lr: number) => ((optimizer as unknown as { learningRate: number }).learningRate = lr);
  const order = range(0, spec.trainCount);
  try {
    outer: while (epoch < spec.maxEpochs) {
      epoch++;
      const lr = spec.learningRate(epoch);
      setRate(lr);
      shuffle(order, spec.random);
      const vars = spec.variables(epoch);
      const t0 = performance.now();
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += spec.batchSize) {
        if (spec.stopRequested()) {
          stopReason = 'user';
          break outer;
        }
        if (Date.now() >= spec.deadline) {
          stopReason = 'time_budget';
          break outer;
        }
        const indices = order.slice(start, start + spec.batchSize);
        const cost = optimizer.minimize(() => spec.loss(indices, epoch), true, vars);
        lossSum += (await cost!.data())[0]!;
        cost!.dispose();
        batches++;
        // Let IPC messages (a stop request) in between batches.
        await yieldToEvents();
      }
      const seconds = (performance.now() - t0) / 1000;
      const val = await spec.validate();
      completed = epoch;
      const improved = improves(val, best, monitor);
      if (improved) {
        best = val;
        bestEpoch = epoch;
        since = 0;
        snapshot.dispose();
        snapshot = spec.snapshot();
      } else {
        since++;
      }
      await spec.onEpoch?.(
        { trial: spec.trial, epoch, loss: lossSum / Math.max(1, batches), valLoss: val.loss, valAccuracy: val.metric, learningRate: lr, imagesPerSec: spec.trainCount / Math.max(seconds, 1e-6), elapsedMs: Math.round(performance.now() - started) },
        improved,
        val,
      );
      if (since >= spec.patience) {
        stopReason = 'early_stop';
        break;
      }
    }
  } finally {
    snapshot.restore();
    snapshot.dispose();
    optimizer.dispose();
  }
  return {
    stopReason,
    epochs: completed,
    bestEpoch,
    best: { valLoss: best.loss, valAccuracy: best.metric },
    initial: { valLoss: initial.loss, valAccuracy: initial.metric },
    bestValidation: best,
  };
}

// ---- classification: softmax cross-entropy on labelled samples

export interface ClassifierFitSpec extends Omit<FitSpec, 'loss' | 'validate' | 'monitor' | 'onEpoch'> {
  trainLabels: Int32Array;
  valCount: number;
  valLabels: Int32Array;
  classes: number;
  makeBatch(indices: readonly number[], split: 'train' | 'val', epoch: number): tf.Tensor;
  /** Logits of a batch; `training` turns on dropout. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D;
  labelSmoothing: number;
  onEpoch?(record: EpochRecord, improved: boolean): void | Promise<void>;
}

/** The generic loop's spec for a classifier: softmax cross-entropy, early stop on validation loss. */
export function classifierFit(spec: ClassifierFitSpec): FitSpec {
  return {
    ...spec,
    loss: (indices, epoch) => {
      const x = spec.makeBatch(indices, 'train', epoch);
      const y = tf.oneHot(tf.tensor1d(indices.map((i) => spec.trainLabels[i]!), 'int32'), spec.classes);
      return tf.losses.softmaxCrossEntropy(y, spec.forward(x, true), undefined, spec.labelSmoothing) as tf.Scalar;
    },
    validate: async () => {
      const v = await scoreValidation(spec);
      return { loss: v.loss, metric: v.accuracy };
    },
    monitor: 'loss',
  };
}

export interface ValScores {
  loss: number;
  accuracy: number;
  probabilities: Float32Array;
}

/** Validation loss, accuracy and class probabilities, in batches without dropout. */
export async function scoreValidation(spec: Pick<ClassifierFitSpec, 'valCount' | 'valLabels' | 'classes' | 'makeBatch' | 'forward' | 'batchSize'>): Promise<ValScores> {
  const probabilities = new Float32Array(spec.valCount * spec.classes);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < spec.valCount; start += spec.batchSize) {
    const indices = range(start, Math.min(spec.valCount, start + spec.batchSize));
    const probs = tf.tidy(() => {
      const x = spec.makeBatch(indices, 'val', 0);
      return tf.softmax(spec.forward(x, false));
    });
    // Asynchronous reads only: WebGPU's synchronous read path breaks in a browser training host.
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    indices.forEach((sample, row) => {
      let best = 0;
      for (let c = 0; c < spec.classes; c++) {
        const v = p[row * spec.classes + c]!;
        probabilities[sample * spec.classes + c] = v;
        if (v > p[row * spec.classes + best]!) best = c;
      }
      const truth = spec.valLabels[sample]!;
      loss -= Math.log(Math.max(p[row * spec.classes + truth]!, 1e-7));
      if (best === truth) correct++;
    });
  }
  return { loss: spec.valCount ? loss / spec.valCount : 0, accuracy: spec.valCount ? correct / spec.valCount : 0, probabilities };
}

/** Snapshot of models' weights (trainable and BN statistics) by copy. */
export function snapshotModels(models: ReadonlyArray<{ getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void }>): Snapshot {
  const saved = models.map((m) => m.getWeights().map((w) => tf.keep(w.clone())));
  return {
    restore: () => models.forEach((m, i) => m.setWeights(saved[i]!)),
    dispose: () => saved.flat().forEach((t) => t.dispose()),
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/**
 * "Epoch 12/150 · loss … · val loss … · <metrics> · 340 images/s · ≤ 4 min left": the time left is
 * the smaller of the epochs still allowed at this pace and the budget (early stop may end sooner).
 */
export function epochLine(r: EpochRecord, maxEpochs: number, deadline: number, metrics: readonly string[]): string {
  const perEpoch = r.epoch > 0 ? r.elapsedMs / r.epoch : 0;
  const leftMs = Math.max(0, Math.min((maxEpochs - r.epoch) * perEpoch, deadline - Date.now()));
  const left = leftMs >= 60_000 ? `${Math.ceil(leftMs / 60_000)} min` : `${Math.ceil(leftMs / 1000)} s`;
  return [
    `Epoch ${r.epoch}/${maxEpochs}`,
    r.loss === null ? null : `loss ${r.loss.toFixed(4)}`,
    `val loss ${r.valLoss.toFixed(4)}`,
    ...metrics,
    r.imagesPerSec === null ? null : `${Math.round(r.imagesPerSec)} images/s`,
    r.epoch > 0 ? `≤ ${left} left` : null,
  ]
    .filter((part) => part !== null)
    .join(' · ');
}
