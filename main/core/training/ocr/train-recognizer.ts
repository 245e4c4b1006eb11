// Trains the text-line recognizer (CRNN + CTC) on (image, box, transcription) samples.
//
// Samples in, model + metrics out. Images are decoded once; each box is kept as a small region
// (crops.ts) and re-rendered with fresh jitter every epoch. Adam with a cosine decay of the
// learning rate (to 10 % at the last epoch), per-epoch validation CER / exact line accuracy / CTC
// loss, and the weights of the best epoch (lowest CER, then lowest validation loss) are what the
// returned model holds, whatever stopped the run. Stops: epochs done, deadline, `stopRequested`
// (checked between batches), or `patience` epochs without improvement.

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededRandom, shuffle } from '../../datasets/split';
import { snapshotModels, type Snapshot } from '../fit';
import { Charset } from './charset';
import { ctcLossMean, minFrames } from './ctc';
import { decodeRgb, extractRegion, renderCrop, toLineBatch, type BoxLike, type LineGeometry, type LineRegion } from './crops';
import { recognitionScores } from './metrics';
import { DEFAULT_RECOGNIZER, buildRecognizer, framesFor, recognizerGeometry, type RecognizerConfig } from './network';
import { scoreCrops } from './recognize';

export interface RecognizerSample {
  /** Image file path or encoded bytes. Samples sharing a path (or the same Buffer) are decoded once. */
  image: string | Buffer;
  /** The line's box in the image's displayed (EXIF-rotated) pixel frame. */
  box: BoxLike;
  /** Transcription. */
  text: string;
}

export interface RecognizerEpoch {
  /** 0 = before training. */
  epoch: number;
  /** Mean training CTC loss of the epoch (null for epoch 0). */
  loss: number | null;
  /** Mean validation CTC loss (null without validation samples). */
  valLoss: number | null;
  /** Validation character error rate (null without validation samples). */
  cer: number | null;
  /** Validation exact line accuracy (null without validation samples). */
  lineAccuracy: number | null;
  learningRate: number;
  samplesPerSec: number | null;
  elapsedMs: number;
}

export type RecognizerStop = 'completed' | 'early_stop' | 'time_budget' | 'user';

export interface SkippedSample {
  split: 'train' | 'val';
  index: number;
  text: string;
  reason: string;
}

export interface TrainRecognizerOptions {
  train: readonly RecognizerSample[];
  val: readonly RecognizerSample[];
  /** Default: learned from the training and validation transcriptions. */
  charset?: Charset;
  /** Network shape (height, width, filters, sequence, units, dropout); classes come from the charset. */
  network?: Partial<Omit<RecognizerConfig, 'classes' | 'seed'>>;
  /** Continue from this model (same charset size and input geometry) instead of a fresh one. */
  base?: tfl.LayersModel;
  epochs: number;
  /** Default 16. */
  batchSize?: number;
  /** Peak Adam learning rate, default 2e-3. */
  learningRate?: number;
  /** Augmentation strength 0–1 (crops.ts renderCrop), default 1. */
  augment?: number;
  /** Epochs without improvement before stopping; default: never stop early. */
  patience?: number;
  seed?: number;
  /** Wall-clock deadline (Date.now() milliseconds). */
  deadline?: number;
  stopRequested?: () => boolean;
  onEpoch?: (record: RecognizerEpoch, improved: boolean) => void | Promise<void>;
  /** Preparation progress (decoding images and cutting regions). */
  onPrepare?: (done: number, total: number) => void;
}

export interface TrainRecognizerResult {
  /** Holds the best epoch's weights. */
  model: tfl.LayersModel;
  charset: Charset;
  config: RecognizerConfig;
  geometry: LineGeometry;
  stopReason: RecognizerStop;
  /** Epochs that ran to the end. */
  epochs: number;
  bestEpoch: number;
  /** The best epoch's record. */
  best: RecognizerEpoch;
  history: RecognizerEpoch[];
  skipped: SkippedSample[];
}

interface Prepared {
  regions: LineRegion[];
  texts: string[];
  labels: number[][];
}

/** What a validation pass of the recognizer reports (shaped for the shared fit loop's `validate`). */
export interface RecognizerValidation {
  /** Mean CTC loss of the validation lines (NaN without validation lines). */
  loss: number;
  /** 1 − CER: higher is better (NaN without validation lines). */
  metric: number;
  cer: number | null;
  lineAccuracy: number | null;
}

export interface RecognizerTaskOptions {
  train: readonly RecognizerSample[];
  val: readonly RecognizerSample[];
  charset?: Charset;
  network?: Partial<Omit<RecognizerConfig, 'classes' | 'seed'>>;
  base?: tfl.LayersModel;
  /** Augmentation strength 0–1 (crops.ts renderCrop), default 1. */
  augment?: number;
  seed?: number;
  /** Batch size of validation passes, default 32. */
  evalBatchSize?: number;
  onPrepare?: (done: number, total: number) => void;
}

/**
 * The recognizer as a training task: data prepared, model built, and the two functions a training
 * loop needs — the CTC loss of a batch of training lines (augmented; call it under the
 * optimizer's tape) and a validation pass. trainRecognizer runs its own loop over it; the shared
 * fit loop can drive it the same way (`loss`, `validate`, monitor 'metric').
 */
export interface RecognizerTask {
  model: tfl.LayersModel;
  charset: Charset;
  config: RecognizerConfig;
  geometry: LineGeometry;
  /** Training lines kept (indices 0 … trainCount−1 for `loss`). */
  trainCount: number;
  valCount: number;
  skipped: SkippedSample[];
  /** Mean CTC loss of the given training lines, freshly augmented. */
  loss(indices: readonly number[]): tf.Scalar;
  validate(): RecognizerValidation;
  /** The model's trainable variables. */
  variables(): tf.Variable[];
}

export async function prepareRecognizer(o: RecognizerTaskOptions): Promise<RecognizerTask> {
  const seed = o.seed ?? 1;
  const random = seededRandom(seed ^ 0x5eed);
  const strength = o.augment ?? 1;
  const charset = o.charset ?? Charset.fromTexts([...o.train, ...o.val].map((s) => s.text));
  const config: RecognizerConfig = { ...DEFAULT_RECOGNIZER, ...o.network, classes: charset.classes, seed };
  const model = o.base ?? buildRecognizer(config);
  const g = recognizerGeometry(model);
  if (g.classes !== charset.classes) throw new RangeError(`the base model has ${g.classes} classes, the charset needs ${charset.classes}`);
  const geometry: LineGeometry = { height: g.height, width: g.width };
  config.height = g.height;
  config.width = g.width;
  const frames = framesFor(g.width);

  const skipped: SkippedSample[] = [];
  const total = o.train.length + o.val.length;
  let done = 0;
  const prepare = async (samples: readonly RecognizerSample[], split: 'train' | 'val'): Promise<Prepared> => {
    const out: Prepared = { regions: [], texts: [], labels: [] };
    // Group by image so each is decoded once, then release its pixels.
    const groups = new Map<string | Buffer, number[]>();
    samples.forEach((s, i) => {
      const list = groups.get(s.image) ?? [];
      list.push(i);
      groups.set(s.image, list);
    });
    const kept: Array<{ index: number; region: LineRegion; label: number[] }> = [];
    for (const [image, indices] of groups) {
      let img;
      try {
        img = await decodeRgb(image);
      } catch (err) {
        for (const i of indices) skipped.push({ split, index: i, text: samples[i]!.text, reason: (err as Error).message });
        done += indices.length;
        continue;
      }
      for (const i of indices) {
        const s = samples[i]!;
        done++;
        const why = rejectReason(s.text, charset, frames, split);
        if (why) {
          skipped.push({ split, index: i, text: s.text, reason: why });
          continue;
        }
        try {
          kept.push({ index: i, region: await extractRegion(img, s.box, geometry), label: charset.encode(s.text, true) });
        } catch (err) {
          skipped.push({ split, index: i, text: s.text, reason: (err as Error).message });
        }
      }
      o.onPrepare?.(done, total);
    }
    kept.sort((a, b) => a.index - b.index);
    for (const k of kept) {
      out.regions.push(k.region);
      out.texts.push(samples[k.index]!.text.normalize('NFC'));
      out.labels.push(k.label);
    }
    return out;
  };
  const train = await prepare(o.train, 'train');
  const val = await prepare(o.val, 'val');
  skipped.sort((a, b) => (a.split === b.split ? a.index - b.index : a.split === 'train' ? -1 : 1));
  const valCrops = val.regions.map((r) => renderCrop(r, geometry).pixels);

  return {
    model,
    charset,
    config,
    geometry,
    trainCount: train.regions.length,
    valCount: valCrops.length,
    skipped,
    loss: (indices) => {
      const crops = indices.map((i) => renderCrop(train.regions[i]!, geometry, strength > 0 ? { random, strength } : undefined).pixels);
      const labels = indices.map((i) => train.labels[i]!);
      const x = toLineBatch(tf, crops, geometry);
      return ctcLossMean(model.apply(x, { training: true }) as tf.Tensor3D, labels);
    },
    validate: () => {
      if (valCrops.length === 0) return { loss: NaN, metric: NaN, cer: null, lineAccuracy: null };
      const { recognized, loss } = scoreCrops(model, charset, valCrops, geometry, val.texts, o.evalBatchSize ?? 32);
      const s = recognitionScores(val.texts, recognized.map((r) => r.text));
      return { loss: loss!, metric: 1 - s.cer, cer: s.cer, lineAccuracy: s.lineAccuracy };
    },
    variables: () => model.trainableWeights.map((w) => w.read() as tf.Variable),
  };
}

/** Trains a recognizer: prepareRecognizer + Adam with a cosine schedule + best-epoch weights. */
export async function trainRecognizer(o: TrainRecognizerOptions): Promise<TrainRecognizerResult> {
  const started = performance.now();
  const seed = o.seed ?? 1;
  const random = seededRandom(seed);
  const batchSize = o.batchSize ?? 16;
  const baseRate = o.learningRate ?? 2e-3;
  const task = await prepareRecognizer({ ...o, seed, evalBatchSize: Math.max(batchSize, 32) });
  const { model } = task;

  const evaluate = (): Pick<RecognizerEpoch, 'valLoss' | 'cer' | 'lineAccuracy'> => {
    const v = task.validate();
    return v.cer === null ? { valLoss: null, cer: null, lineAccuracy: null } : { valLoss: v.loss, cer: v.cer, lineAccuracy: v.lineAccuracy };
  };
  const better = (a: RecognizerEpoch, b: RecognizerEpoch): boolean => {
    if (a.cer !== null && b.cer !== null) {
      if (a.cer < b.cer - 1e-9) return true;
      if (a.cer > b.cer + 1e-9) return false;
      return (a.valLoss ?? Infinity) < (b.valLoss ?? Infinity) - 1e-6;
    }
    // No validation: the training loss decides (epoch 0 has none and is beaten by any epoch).
    return (a.loss ?? Infinity) < (b.loss ?? Infinity);
  };

  const history: RecognizerEpoch[] = [];
  const initial: RecognizerEpoch = { epoch: 0, loss: null, ...evaluate(), learningRate: 0, samplesPerSec: null, elapsedMs: Math.round(performance.now() - started) };
  history.push(initial);
  await o.onEpoch?.(initial, false);
  let best = initial;
  let snapshot: Snapshot = snapshotModels([model]);
  let since = 0;
  let completed = 0;
  let stopReason: RecognizerStop = 'completed';
  const optimizer = tf.train.adam(baseRate);
  const setRate = (lr: number) => ((optimizer as unknown as { learningRate: number }).learningRate = lr);
  const variables = task.variables();
  const order = Array.from({ length: task.trainCount }, (_, i) => i);
  try {
    outer: for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const lr = baseRate * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, o.epochs))));
      setRate(lr);
      shuffle(order, random);
      const t0 = performance.now();
      let lossSum = 0;
      let seen = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        if (o.stopRequested?.()) {
          stopReason = 'user';
          break outer;
        }
        if (o.deadline !== undefined && Date.now() >= o.deadline) {
          stopReason = 'time_budget';
          break outer;
        }
        const indices = order.slice(start, start + batchSize);
        const cost = optimizer.minimize(() => task.loss(indices), true, variables);
        lossSum += (await cost!.data())[0]! * indices.length;
        cost!.dispose();
        seen += indices.length;
        // Let messages (a stop request) in between batches.
        await new Promise((r) => setImmediate(r));
      }
      const seconds = (performance.now() - t0) / 1000;
      completed = epoch;
      const record: RecognizerEpoch = {
        epoch,
        loss: seen ? lossSum / seen : null,
        ...evaluate(),
        learningRate: lr,
        samplesPerSec: seen / Math.max(seconds, 1e-6),
        elapsedMs: Math.round(performance.now() - started),
      };
      history.push(record);
      const improved = better(record, best);
      if (improved) {
        best = record;
        since = 0;
        snapshot.dispose();
        snapshot = snapshotModels([model]);
      } else {
        since++;
      }
      await o.onEpoch?.(record, improved);
      if (o.patience !== undefined && since >= o.patience) {
        stopReason = 'early_stop';
        break;
      }
    }
  } finally {
    snapshot.restore();
    snapshot.dispose();
    optimizer.dispose();
  }
  return { model, charset: task.charset, config: task.config, geometry: task.geometry, stopReason, epochs: completed, bestEpoch: best.epoch, best, history, skipped: task.skipped };
}

/** Why a sample cannot be trained on (or null). */
function rejectReason(text: string, charset: Charset, frames: number, split: 'train' | 'val'): string | null {
  if (text.trim() === '') return 'empty transcription';
  const unknown = charset.unknown(text);
  if (unknown.length > 0 && split === 'train') return `characters not in the charset: ${unknown.join(' ')}`;
  const need = minFrames(charset.encode(text, true));
  if (need > frames) return `${need} frames needed (characters plus repeats), the recognizer has ${frames}; the line is too long for its input width`;
  return null;
}
