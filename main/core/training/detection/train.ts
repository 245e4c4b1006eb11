// Object detection training (seed 004 §4.3). Both algorithms use an anchor-free, TTFNet/CenterNet-
// style head (per-cell class heatmap + box distances, ./network) on a pretrained backbone:
//  - high-speed (fast): 320 px input, the backbone frozen; its stride-16 and stride-32 maps are
//    computed once per view (each image, its mirror, and random zoom/shift/colour views while the
//    budget allows) and a light single-scale head (stride 16) trains on the cached maps, shifted by
//    whole cells per batch (translation augmentation without re-running the backbone);
//  - high-accuracy (accurate): 416 px input, an FPN-lite head on strides 8/16/32 (the stride-8 level
//    only when enough boxes are small enough for it); the backbone's lower part is cached per
//    augmented view and its last blocks are fine-tuned with the head (after a head-only warm-up)
//    under a cosine schedule.
// Without a backbone a small convnet trains from scratch end to end, with augmentation drawn per
// batch. Incremental training starts from a base detector's backbone and head (new labels grow the
// class layer). A short hyperparameter search runs first, inside the time budget (not for
// fine-tuning by default: its epochs are too slow on a CPU).
//
// Early stop and the best epoch follow validation mAP@0.5 (ties: lower validation loss): mAP is what
// the user is shown and what the model is for; the heatmap loss keeps falling long after the boxes
// stop improving (it rewards ever more confident background), so the loss alone picks late epochs.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StudioError, type EpochRecord, type HpoTrial, type StopReason } from '../../../shared/api';
import { seededRandom } from '../../datasets/split';
import { evaluateDetections, type DetectionEvaluation, type Detection, type GroundTruthBox } from '../../evaluation/detection';
import { prCurves } from '../../evaluation/pr-curve';
import { findFeatureLayer, layerOutput, splitForFineTune } from '../backbones/cut';
import { epochLine, fit, improves, yieldToEvents, range, snapshotModels, type FitResult, type FitSpec, type Snapshot, type Validation } from '../fit';
import { describeParams, sampleTrials, type ParamSpace, type Params } from '../hpo';
import { toBatch, type Preprocessing } from '../images';
import type { TrainOutcome, WorkerEvent, WorkerSpec } from '../protocol';
import { decodeEach, Interrupted, startRun } from '../run-control';
import { loadModel, saveModel, type HostIO, type ModelStore } from '../host-io';
import { augmentScene, flipView, transformBoxes } from './augment';
import { decodeOutput, type Frame } from './decode';
import { PAD_VALUE } from './images';
import { layoutFor, levelFor, type Layout } from './layout';
import { detectionLoss, LOCALIZATION_WEIGHT, stackTargets } from './loss';
import { isDetectionMetadata, type DetectionMetrics, type DetectionModelMetadata } from './metadata';
import { assembleDetector, headLevels, initHeadFrom, loadBackboneAt, makeHead, pyramidTaps, scratchBackbone, splitDetector, tapModel, type Taps } from './network';
import { buildTargets, type ImageTargets, type TargetBox } from './targets';
import { withCompiled } from '../tf/inference-graph';

export type { DetectionMetrics } from './metadata';

/** The worker events a detector emits: the classifier's, with detection metrics in checkpoints and the outcome. */
export type DetectionWorkerEvent =
  | Exclude<WorkerEvent, { type: 'checkpoint' } | { type: 'done' }>
  | { type: 'checkpoint'; dir: string; metrics: DetectionMetrics }
  | { type: 'done'; outcome: DetectionOutcome };

export interface DetectionIO extends HostIO {
  emit(event: DetectionWorkerEvent): void;
  stopRequested(): boolean;
}

export interface DetectionOutcome extends Omit<TrainOutcome, 'metrics'> {
  metrics: DetectionMetrics | null;
}

const SCRATCH_PRE = { scale: 1 / 127.5, offset: -1 };
const CHECKPOINT_EVERY_MS = 10_000;
/** Scores kept when measuring mAP (low, so the PR curve is complete). */
const EVAL_THRESHOLD = 0.01;
/** Serving defaults written into the metadata. */
const SERVE_THRESHOLD = 0.3;
const NMS_IOU = 0.5;
/** Cached feature floats at most (×4 bytes): about 1 GB. */
const MAX_CACHED_FLOATS = 256 * 1024 * 1024;

/** A decoded, letterboxed image with its boxes in input pixels and its ground truth in image pixels. */
interface Scene {
  key: string;
  pixels: Uint8Array;
  frame: Frame;
  boxes: TargetBox[];
  truth: GroundTruthBox[];
}

interface Source {
  /** inputs → the pyramid taps, finest first (named "backbone" in the saved model). */
  tapNet: tfl.LayersModel;
  taps: Taps;
  /** Levels the head predicts on (the finest ones). */
  outputs: number;
  pre: Preprocessing;
  backboneId: string | null;
  pretrained: boolean;
  base: { head: tfl.LayersModel; labels: string[]; width: number } | null;
  /** The same source without its finest level (fresh multi-level sources only). */
  withoutFinest?: () => Source;
}

/** One trainable configuration (a trial, or the final model). */
interface Trainable {
  trainCount: number;
  width: number;
  /** Outputs and targets of training rows (cached or freshly augmented views). */
  trainBatch(indices: readonly number[], epoch: number): { output: tf.Tensor3D; targets: ImageTargets[] };
  /** Outputs for evaluation scenes, in inference mode. */
  evalOutput(indices: readonly number[]): tf.Tensor3D;
  variables(epoch: number): tf.Variable[];
  /** Learning rate of an epoch of a run of `total` epochs (a trial's weights go on into the final run). */
  learningRate(epoch: number, total: number): number;
  snapshot(): Snapshot;
  deployable(): tfl.LayersModel;
  dispose(): void;
}

interface Plan {
  name: string;
  space: ParamSpace;
  defaults: Params;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  trials: number;
  trialEpochs: number;
  build(params: Params, seed: number): Trainable;
  dispose(): void;
}

interface DetValidation extends Validation {
  classification: number;
  localization: number;
  evaluation: DetectionEvaluation;
}

interface Context {
  spec: WorkerSpec;
  io: DetectionIO;
  layout: Layout;
  random: () => number;
  deadline: number;
  check(): void;
}

export async function trainDetector(spec: WorkerSpec, io: DetectionIO): Promise<DetectionOutcome> {
  if (spec.labels.length === 0) throw new StudioError('invalid_input', 'choose at least one label to detect', 'labels');
  const { deadline, log, check } = await startRun(spec, io);

  const random = seededRandom(spec.seed);
  let plan: Plan | null = null;
  let source: Source | null = null;
  const params: Record<string, unknown> = { seed: spec.seed, budgetMs: spec.budgetMs };
  try {
    source = await openSource(spec, io.models, log);
    const size = source.pre.size;
    const trainDifficult = spec.trainDifficult ?? true;
    const scenes = await decodeScenes(spec, size, trainDifficult, io, check);
    source = dropUnusedLevels(source, scenes.train, spec.labels.length, log);
    const levels = headLevels(source.taps, source.outputs, size);
    const layout = layoutFor(size, spec.labels.length, levels.map((l) => l.stride));
    Object.assign(params, { backbone: source.backboneId ?? 'none (trained from scratch)', inputSize: size, strides: levels.map((l) => l.stride), taps: source.taps.layers });
    const boxCount = scenes.train.reduce((n, s) => n + s.boxes.filter((b) => !b.ignore).length, 0);
    log(`${scenes.train.length} training images (${boxCount} boxes) and ${scenes.val.length} validation images at ${size}×${size}, ${spec.labels.length} labels: ${spec.labels.join(', ')}; difficult boxes ${trainDifficult ? 'trained on' : 'ignored in training'}`);
    if (boxCount === 0) throw new StudioError('invalid_input', 'no training image has a box of the chosen labels', 'labels');
    let evalScenes = scenes.val;
    if (evalScenes.length === 0) {
      log('no validation images: the model is scored on its training images (mAP will be optimistic)', 'warn');
      evalScenes = scenes.train;
    }
    const ctx: Context = { spec, io, layout, random, deadline, check };
    plan = source.pretrained ? (spec.algorithm === 'fast' ? await frozenPlan(ctx, source, scenes.train, evalScenes) : await fineTunePlan(ctx, source, scenes.train, evalScenes)) : scratchPlan(ctx, source, scenes.train, evalScenes);
    params.plan = plan.name;
    const evalTargets = evalScenes.map((s) => buildTargets(s.boxes, layout));

    const validate = (t: Trainable) => validateDetector(t, evalScenes, evalTargets, layout, spec.labels, plan!.batchSize);
    const fitBase = (t: Trainable, trial: number | null, maxEpochs: number, patience: number, until: number, onEpoch?: FitSpec<DetValidation>['onEpoch']): Promise<FitResult<DetValidation>> =>
      fit<DetValidation>({
        trainCount: t.trainCount,
        // Targets are made inside the optimizer's scope, which disposes them with the batch.
        loss: (indices, epoch) => {
          const { output, targets } = t.trainBatch(indices, epoch);
          return detectionLoss(output, stackTargets(targets, layout), layout).loss;
        },
        validate: () => validate(t),
        monitor: 'metric',
        variables: t.variables,
        snapshot: () => t.snapshot(),
        learningRate: (epoch) => t.learningRate(epoch, maxEpochs),
        batchSize: plan!.batchSize,
        maxEpochs,
        patience,
        random,
        deadline: until,
        stopRequested: () => io.stopRequested(),
        trial,
        onEpoch: onEpoch ?? ((record) => io.emit({ type: 'epoch', record })),
      });

    // ---- hyperparameter search: short trials; the best one goes on to the final training.
    let chosen: { params: Params; trainable: Trainable; state: Snapshot; best: DetValidation } | null = null;
    const trials = spec.hpo ? sampleTrials(plan.space, plan.defaults, spec.limits?.trials ?? plan.trials, random) : [];
    if (trials.length > 1) {
      const searchEnd = Date.now() + (deadline - Date.now()) * 0.3;
      for (const [index, trialParams] of trials.entries()) {
        if (io.stopRequested() || Date.now() >= searchEnd) break;
        io.emit({ type: 'progress', phase: 'search', done: index, total: trials.length, message: `Search: trial ${index + 1} of ${trials.length} (${describeParams(trialParams)})` });
        const started = Date.now();
        const trial: HpoTrial = { index, params: trialParams, status: 'running', metric: null, valAccuracy: null, epochs: 0, durationMs: 0 };
        io.emit({ type: 'trial', trial });
        const trialEpochs = spec.limits?.trialEpochs ?? plan.trialEpochs;
        const t = plan.build(trialParams, spec.seed + 101 * (index + 1));
        const result = await fitBase(t, index, trialEpochs, Math.max(2, Math.ceil(trialEpochs / 3)), Math.min(searchEnd, deadline));
        const ran = result.epochs > 0;
        io.emit({
          type: 'trial',
          trial: { ...trial, status: result.stopReason === 'user' || result.stopReason === 'time_budget' ? 'stopped' : 'finished', metric: ran ? result.best.valLoss : null, valAccuracy: ran ? result.best.valAccuracy : null, epochs: result.epochs, durationMs: Date.now() - started },
        });
        if (ran && (!chosen || improves(result.bestValidation, chosen.best, 'metric'))) {
          chosen?.trainable.dispose();
          chosen?.state.dispose();
          chosen = { params: trialParams, trainable: t, state: t.snapshot(), best: result.bestValidation };
        } else {
          t.dispose();
        }
      }
      if (chosen) {
        chosen.state.restore();
        chosen.state.dispose();
        log(`search chose ${describeParams(chosen.params)} (validation mAP@0.5 ${chosen.best.metric.toFixed(3)}, loss ${chosen.best.loss.toFixed(4)})`);
      }
    }
    const finalParams = chosen?.params ?? plan.defaults;
    Object.assign(params, finalParams);
    const maxEpochs = spec.limits?.maxEpochs ?? plan.maxEpochs;
    const trainable = chosen?.trainable ?? plan.build(finalParams, spec.seed);
    params.headWidth = trainable.width;

    // ---- final training with checkpoints of the best epoch (kept if the process dies).
    const checkpointDir = io.models.dir(spec.runDir, 'checkpoint');
    let lastCheckpoint = 0;
    const metadata = (metrics: DetectionMetrics | null): Omit<DetectionModelMetadata, 'format' | 'version'> => ({
      type: 'detection',
      labels: spec.labels,
      preprocessing: source!.pre,
      algorithm: spec.algorithm,
      backbone: source!.backboneId,
      headUnits: trainable.width,
      runId: spec.runId,
      baseModelId: spec.baseModel?.id ?? null,
      createdAt: new Date().toISOString(),
      metrics,
      detection: { levels, taps: source!.taps.layers, regression: 'ltrb-exp', letterbox: { align: 'top-left', pad: PAD_VALUE }, scoreThreshold: SERVE_THRESHOLD, nmsIoU: NMS_IOU, trainDifficult },
    });
    const finalResult = await fitBase(trainable, null, maxEpochs, spec.limits?.patience ?? plan.patience, deadline, async (record, improved, validation) => {
      io.emit({ type: 'epoch', record });
      io.emit({ type: 'progress', phase: 'train', done: record.epoch, total: maxEpochs, message: epochLine(record, maxEpochs, deadline, [`val mAP@0.5 ${validation.metric.toFixed(3)}`, `COCO mAP ${(validation.evaluation.cocoMAP ?? 0).toFixed(3)}`]) });
      if (improved && Date.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
        lastCheckpoint = Date.now();
        const metrics = metricsOf(validation, spec.labels, evalScenes.length);
        const model = trainable.deployable();
        await saveModel(io.models, checkpointDir, model, metadata(metrics));
        io.emit({ type: 'checkpoint', dir: checkpointDir, metrics });
      }
    });
    const stopReason: StopReason = finalResult.stopReason;
    log(
      `training ended (${stopReason}) after ${finalResult.epochs} epochs; best epoch ${finalResult.bestEpoch}: validation mAP@0.5 ${finalResult.best.valAccuracy.toFixed(3)}, loss ${finalResult.best.valLoss.toFixed(4)}`,
    );
    if (finalResult.epochs === 0 && !chosen && !source.base) {
      trainable.dispose();
      return { stopReason, modelDir: null, metrics: null, epochs: 0, params, inputSize: size, backbone: source.backboneId };
    }

    io.emit({ type: 'progress', phase: 'evaluate', done: 0, total: null, message: 'Evaluating the best epoch on the validation split' });
    const metrics = metricsOf(await validate(trainable), spec.labels, evalScenes.length);
    io.emit({ type: 'progress', phase: 'save', done: 0, total: null, message: 'Saving the model' });
    const modelDir = io.models.dir(spec.runDir, 'model');
    const modelSize = await saveModel(io.models, modelDir, trainable.deployable(), metadata(metrics));
    trainable.dispose();
    return { stopReason, modelDir, metrics: { ...metrics, model_size: modelSize }, epochs: finalResult.epochs, params, inputSize: size, backbone: source.backboneId };
  } catch (err) {
    if (err instanceof Interrupted) {
      log(err.reason === 'user' ? 'stopped before the first epoch: no model' : 'the time budget ran out before the first epoch: no model', 'warn');
      return { stopReason: err.reason, modelDir: null, metrics: null, epochs: 0, params, inputSize: source?.pre.size ?? 0, backbone: source?.backboneId ?? null };
    }
    throw err;
  } finally {
    plan?.dispose();
  }
}

// ---- validation

/** Validation loss (its two parts), and VOC/COCO mAP of the decoded detections against the ground truth. */
async function validateDetector(t: Trainable, scenes: readonly Scene[], targets: readonly ImageTargets[], layout: Layout, labels: readonly string[], batchSize: number): Promise<DetValidation> {
  let cls = 0;
  let loc = 0;
  let objects = 0;
  const detections: Detection[] = [];
  for (let start = 0; start < scenes.length; start += batchSize) {
    const indices = range(start, Math.min(scenes.length, start + batchSize));
    const [out, parts] = tf.tidy(() => {
      const output = t.evalOutput(indices);
      const batch = stackTargets(indices.map((i) => targets[i]!), layout);
      const l = detectionLoss(output, batch, layout);
      return [output, tf.stack([l.classification, l.localization, tf.scalar(batch.objects)])];
    });
    const [c, l, n] = await parts.data();
    parts.dispose();
    cls += c! * n!;
    loc += l! * n!;
    objects += n!;
    const data = (await out.data()) as Float32Array;
    out.dispose();
    const per = data.length / indices.length;
    indices.forEach((i, row) => {
      const scene = scenes[i]!;
      for (const d of decodeOutput(data.subarray(row * per, (row + 1) * per), layout, scene.frame, labels, { scoreThreshold: EVAL_THRESHOLD, nmsIoU: NMS_IOU })) {
        detections.push({ image: scene.key, label: d.label, score: d.score, xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax });
      }
    });
    await yieldToEvents();
  }
  const truth = new Map(scenes.map((s) => [s.key, s.truth]));
  const evaluation = evaluateDetections(truth, detections);
  const classification = objects ? cls / objects : 0;
  const localization = objects ? loc / objects : 0;
  return { loss: classification + LOCALIZATION_WEIGHT * localization, metric: evaluation.mAP ?? 0, classification, localization, evaluation };
}

function metricsOf(v: DetValidation, labels: readonly string[], samples: number): DetectionMetrics {
  const perClass: DetectionMetrics['per_class'] = {};
  for (const label of labels) {
    const c = v.evaluation.classes[label];
    perClass[label] = { ap: c?.ap ?? null, coco_ap: c?.cocoAP ?? null, positives: c?.positives ?? 0 };
  }
  return {
    loss: v.loss,
    'Loss/classification_loss': v.classification,
    'Loss/localization_loss': v.localization,
    'DetectionBoxes_Precision/mAP@.50IOU': v.evaluation.mAP ?? 0,
    'DetectionBoxes_Precision/mAP': v.evaluation.cocoMAP ?? 0,
    model_size: 0,
    samples,
    per_class: perClass,
    pr_curves: prCurves(Object.fromEntries(labels.flatMap((label) => (v.evaluation.classes[label] ? [[label, v.evaluation.classes[label]!]] : [])))),
  };
}

// ---- data

/** Input side: the override, else the algorithm's default; a multiple of 32 (the backbone's coarsest stride). */
function inputSizeFor(spec: WorkerSpec, pretrained: boolean): number {
  const wanted = spec.limits?.inputSize ?? (pretrained ? (spec.algorithm === 'fast' ? 320 : 416) : spec.algorithm === 'fast' ? 256 : 320);
  return Math.max(32, Math.round(wanted / 32) * 32);
}

async function openSource(spec: WorkerSpec, store: ModelStore, log: (m: string, level?: 'info' | 'warn') => void): Promise<Source> {
  if (spec.baseModel) {
    const { model, meta } = await loadModel(store, spec.baseModel.dir);
    if (!isDetectionMetadata(meta)) throw new StudioError('invalid_input', `base model ${spec.baseModel.id} is a ${meta.type} model, not a detector`, 'baseModelId');
    if (spec.backbone) log(`incremental training keeps the base model's backbone (${meta.backbone ?? 'from scratch'}); the backbone option is ignored`, 'warn');
    const added = spec.labels.filter((l) => !meta.labels.includes(l));
    log(`incremental training from model ${spec.baseModel.id} (labels ${meta.labels.join(', ')}${added.length ? `; new: ${added.join(', ')}` : ''}); input ${meta.preprocessing.size}×${meta.preprocessing.size}`);
    const { backbone, head } = splitDetector(model);
    const size = meta.preprocessing.size;
    const outs = backbone.outputs;
    const taps: Taps = { layers: outs.map((o) => o.sourceLayer.name), strides: outs.map((o) => size / (o.shape[1] as number)), channels: outs.map((o) => o.shape[3] as number) };
    return { tapNet: backbone, taps, outputs: meta.detection.levels.length, pre: meta.preprocessing, backboneId: meta.backbone, pretrained: meta.backbone !== null, base: { head, labels: meta.labels, width: meta.headUnits } };
  }
  const fast = spec.algorithm === 'fast';
  if (spec.backbone) {
    const size = inputSizeFor(spec, true);
    const full = await loadBackboneAt(store, spec.backbone.dir, size);
    const layer = findFeatureLayer(full, spec.backbone.featureLayer);
    const taps = pyramidTaps(full, layer, size, fast ? 2 : 3);
    log(`backbone ${spec.backbone.id} at ${size}×${size}, pyramid taps ${taps.layers.map((l, i) => `${l} (stride ${taps.strides[i]})`).join(', ')}`);
    const make = (t: Taps, outputs: number): Source => ({
      tapNet: tapModel(full, t.layers),
      taps: t,
      outputs,
      pre: { ...spec.backbone!.preprocessing, size },
      backboneId: spec.backbone!.id,
      pretrained: true,
      base: null,
      withoutFinest: outputs > 1 ? () => make({ layers: t.layers.slice(1), strides: t.strides.slice(1), channels: t.channels.slice(1) }, outputs - 1) : undefined,
    });
    return make(taps, fast ? 1 : taps.layers.length);
  }
  const size = inputSizeFor(spec, false);
  log(`no pretrained backbone: training a small network from scratch at ${size}×${size} (mAP will be lower than with a pretrained backbone)`, 'warn');
  const make = (levels: number, outputs: number): Source => {
    const { model, taps } = scratchBackbone(size, spec.seed, levels);
    return { tapNet: model, taps, outputs, pre: { size, ...SCRATCH_PRE }, backboneId: null, pretrained: false, base: null, withoutFinest: outputs > 1 ? () => make(levels - 1, outputs - 1) : undefined };
  };
  return make(fast ? 2 : 3, fast ? 1 : 3);
}

/**
 * The finest pyramid level costs most (4× the cells of the next); when under 5 % of the training
 * boxes are small enough for it (kangaroos at 416 px are mostly larger than 64 px), it is left out
 * and those few boxes go to the next level. At least two levels stay.
 */
function dropUnusedLevels(source: Source, train: readonly Scene[], classes: number, log: (m: string) => void): Source {
  let s = source;
  for (;;) {
    if (!s.withoutFinest || s.outputs < 3) return s;
    const layout = layoutFor(s.pre.size, classes, headLevels(s.taps, s.outputs, s.pre.size).map((l) => l.stride));
    const boxes = train.flatMap((scene) => scene.boxes.filter((b) => !b.ignore));
    const finest = boxes.filter((b) => levelFor(layout, Math.max(b.xmax - b.xmin, b.ymax - b.ymin)) === 0).length;
    if (finest >= 0.05 * boxes.length) return s;
    log(`${finest} of ${boxes.length} training boxes are small enough for the stride-${s.taps.strides[0]} level: predicting on strides ${s.taps.strides.slice(1, s.outputs).join('/')} only`);
    s = s.withoutFinest();
  }
}

/** Decodes and letterboxes every image; a file that no longer decodes is left out and logged. */
async function decodeScenes(spec: WorkerSpec, size: number, trainDifficult: boolean, io: DetectionIO, check: () => void): Promise<{ train: Scene[]; val: Scene[] }> {
  const index = new Map(spec.labels.map((l, i) => [l, i]));
  const scenes = await decodeEach(spec, io, check, async (image): Promise<Scene> => {
    const { pixels, frame } = await io.images.letterbox(image.path, size);
    // Boxes refer to image.width × image.height when given (the indexed size); rescale if the decoded frame differs.
    const rx = image.width ? frame.width / image.width : 1;
    const ry = image.height ? frame.height / image.height : 1;
    const boxes: TargetBox[] = [];
    const truth: GroundTruthBox[] = [];
    for (const b of image.boxes ?? []) {
      const cls = index.get(b.label);
      if (cls === undefined) continue;
      const o = { xmin: b.xmin * rx, ymin: b.ymin * ry, xmax: b.xmax * rx, ymax: b.ymax * ry };
      if (!(o.xmax > o.xmin && o.ymax > o.ymin)) continue;
      truth.push({ label: b.label, ...o, difficult: b.difficult === true });
      boxes.push({ cls, xmin: o.xmin * frame.scaleX, ymin: o.ymin * frame.scaleY, xmax: o.xmax * frame.scaleX, ymax: o.ymax * frame.scaleY, ignore: b.difficult === true && !trainDifficult });
    }
    return { key: image.path, pixels, frame, boxes, truth };
  });
  const pick = (split: 'train' | 'val') => spec.images.flatMap((img, i) => (img.split === split && scenes[i] ? [scenes[i]!] : []));
  return { train: pick('train'), val: pick('val') };
}

/** Runs a multi-output model over images in batches; per image, one flat Float32Array per output. */
async function extract(run: (x: tf.Tensor4D) => tf.Tensor[], images: (i: number) => Uint8Array, count: number, pre: Preprocessing, ctx: Context, what: string): Promise<{ data: Float32Array[][]; shapes: number[][] }> {
  const data: Float32Array[][] = [];
  let shapes: number[][] = [];
  const batch = 4;
  for (let start = 0; start < count; start += batch) {
    ctx.check();
    const idx = range(start, Math.min(count, start + batch));
    const outs = tf.tidy(() => run(toBatch(tf, idx.map(images), pre)));
    shapes = outs.map((o) => o.shape.slice(1));
    const flats = await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(outs);
    idx.forEach((_, k) => data.push(flats.map((f) => f.slice((k * f.length) / idx.length, ((k + 1) * f.length) / idx.length))));
    ctx.io.emit({ type: 'progress', phase: 'prepare', done: Math.min(count, start + batch), total: count, message: `${what} ${Math.min(count, start + batch)}/${count}` });
    await yieldToEvents();
  }
  return { data, shapes };
}

function stackRows(rows: readonly Float32Array[][], indices: readonly number[], level: number, shape: readonly number[]): tf.Tensor {
  const per = rows[indices[0]!]![level]!.length;
  const out = new Float32Array(indices.length * per);
  indices.forEach((r, k) => out.set(rows[r]![level]!, k * per));
  return tf.tensor(out, [indices.length, ...shape]);
}

const trainableVars = (...models: tfl.LayersModel[]): tf.Variable[] => models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));

/** Head width: the trial's, else the plan's default — halved for tiny inputs (≤ 128 px), where a wide head only costs time. */
function widthFor(source: Source, p: Params, fallback: number): number {
  if (source.base) return source.base.width;
  const w = Number(p.width ?? fallback);
  return source.pre.size <= 128 ? Math.max(16, Math.round(w / 2)) : w;
}

function headFor(source: Source, width: number, classes: number, seed: number, labels: readonly string[]): tfl.LayersModel {
  const head = makeHead({ inputs: source.taps.strides.map((s, i) => ({ size: source.pre.size / s, channels: source.taps.channels[i]! })), outputs: source.outputs, width, classes, seed });
  if (source.base) initHeadFrom(head, source.base.head, source.base.labels, labels);
  return head;
}

/**
 * Cached views of the training scenes: the originals, their mirrors, then random views (zoom,
 * shift, flip, colour) — as many as fit in `share` of the time left (measured on the originals),
 * `maxViews` at most. Returns per row (view-major: row = view · n + image) its features and targets.
 */
async function cacheViews(
  ctx: Context,
  run: (x: tf.Tensor4D) => tf.Tensor[],
  pre: Preprocessing,
  train: readonly Scene[],
  evalScenes: readonly Scene[],
  maxViews: number,
  strength: number,
  share: number,
): Promise<Cache> {
  const size = pre.size;
  const n = train.length;
  const t0 = performance.now();
  const originals = await extract(run, (i) => train[i]!.pixels, n, pre, ctx, 'Backbone features (training images)');
  const perImageMs = (performance.now() - t0) / Math.max(1, n);
  const evalRows = evalScenes === train ? originals.data : (await extract(run, (i) => evalScenes[i]!.pixels, evalScenes.length, pre, ctx, 'Backbone features (validation images)')).data;
  const floatsPerImage = originals.data[0]?.reduce((a, f) => a + f.length, 0) ?? 0;
  const timeLeft = ctx.deadline - Date.now();
  const byTime = Math.floor((timeLeft * share) / Math.max(1, perImageMs * n));
  const byMemory = Math.floor(MAX_CACHED_FLOATS / Math.max(1, floatsPerImage * n));
  const views = Math.max(1, Math.min(maxViews, 1 + byTime, byMemory));
  const rows = [...originals.data];
  const boxes = train.map((s) => s.boxes);
  for (let v = 1; v < views; v++) {
    const made = train.map((s) => (v === 1 ? flipView(s.pixels, s.boxes, size) : augmentScene(s.pixels, s.boxes, size, ctx.random, { strength })));
    const out = await extract(run, (i) => made[i]!.pixels, n, pre, ctx, `Backbone features (view ${v + 1} of ${views})`);
    rows.push(...out.data);
    boxes.push(...made.map((m) => m.boxes));
  }
  // What the backbone sees in the letterbox's grey border: the centre cell of a grey image, per level.
  const grey = (await extract(run, () => new Uint8Array(size * size * 3).fill(PAD_VALUE), 1, pre, ctx, 'Backbone features (border)')).data[0]!;
  const fill = grey.map((f, l) => {
    const [h, w, c] = originals.shapes[l] as [number, number, number];
    const centre = (Math.floor(h / 2) * w + Math.floor(w / 2)) * c;
    return f.slice(centre, centre + c);
  });
  ctx.io.emit({ type: 'log', level: 'info', message: `cached ${views} view${views === 1 ? '' : 's'} per training image (${(perImageMs / 1000).toFixed(2)} s per image; ${((rows.length * floatsPerImage * 4) / 2 ** 20).toFixed(0)} MB)` });
  return { rows, boxes, targets: boxes.map((b) => buildTargets(b, ctx.layout)), evalRows, shapes: originals.shapes, fill, views, size };
}

interface Cache {
  /** Per row (view-major: view · images + image), per cached level, the flat [h, w, c] map. */
  rows: Float32Array[][];
  boxes: TargetBox[][];
  targets: ImageTargets[];
  evalRows: Float32Array[][];
  shapes: number[][];
  /** Per level, the feature vector of the letterbox border (filled in where maps are shifted). */
  fill: Float32Array[];
  views: number;
  size: number;
}

/**
 * A training batch from cached maps, each row shifted by a random whole number of the coarsest
 * level's cells (up to `maxShift` each way; every level by the same pixels), the border filled with
 * the grey letterbox's features, and its boxes moved and clipped alike: translation augmentation
 * without running the backbone again.
 */
function shiftedBatch(cache: Cache, idx: readonly number[], maxShift: number, random: () => number, layout: Layout): { maps: tf.Tensor[]; targets: ImageTargets[] } {
  const coarse = cache.size / cache.shapes[cache.shapes.length - 1]![0]!;
  const shifts = idx.map(() => (maxShift > 0 ? [Math.round((random() * 2 - 1) * maxShift) * coarse, Math.round((random() * 2 - 1) * maxShift) * coarse] : [0, 0]) as [number, number]);
  const maps = cache.shapes.map((shape, l) => {
    const [h, w, c] = shape as [number, number, number];
    const stride = cache.size / h;
    const out = new Float32Array(idx.length * h * w * c);
    idx.forEach((r, k) => {
      const src = cache.rows[r]![l]!;
      const [dx, dy] = shifts[k]!;
      const sx = dx / stride;
      const sy = dy / stride;
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const si = i - sy;
          const sj = j - sx;
          const o = ((k * h + i) * w + j) * c;
          if (si >= 0 && si < h && sj >= 0 && sj < w) out.set(src.subarray((si * w + sj) * c, (si * w + sj + 1) * c), o);
          else out.set(cache.fill[l]!, o);
        }
      }
    });
    return tf.tensor(out, [idx.length, h, w, c]);
  });
  const targets = idx.map((r, k) => {
    const [dx, dy] = shifts[k]!;
    return dx === 0 && dy === 0 ? cache.targets[r]! : buildTargets(transformBoxes(cache.boxes[r]!, { scale: 1, tx: dx, ty: dy, flip: false }, cache.size), layout);
  });
  return { maps, targets };
}

/** High-speed: the frozen backbone's maps are cached per view; a single-scale head trains on them. */
async function frozenPlan(ctx: Context, source: Source, train: Scene[], evalScenes: Scene[]): Promise<Plan> {
  // Frozen weights: the backbone runs with batch norm folded into its convolutions (3× faster on WASM).
  const net = source.tapNet;
  const cache = await withCompiled(net, (frozen) => cacheViews(ctx, (x) => toList(frozen.predict(x)), source.pre, train, evalScenes, 6, 0.6, 0.35));
  const levels = cache.shapes.length;
  const stack = (rows: Float32Array[][], idx: readonly number[]) => range(0, levels).map((l) => stackRows(rows, idx, l, cache.shapes[l]!));
  return {
    name: `frozen backbone, single-scale head on cached features (${cache.views} views)`,
    space: source.base ? { lr: [1e-3, 2e-3] } : { lr: [1e-3, 2e-3, 4e-3], width: [64, 96], shift: [0, 2] },
    defaults: source.base ? { lr: 1e-3, shift: 2 } : { lr: 2e-3, width: 64, shift: 2 },
    batchSize: 16,
    maxEpochs: 80,
    patience: 12,
    trials: 3,
    trialEpochs: 8,
    build(p, seed) {
      const width = widthFor(source, p, 64);
      const head = headFor(source, width, ctx.spec.labels.length, seed, ctx.spec.labels);
      const lr = Number(p.lr);
      return {
        trainCount: cache.rows.length,
        width,
        trainBatch: (idx) => {
          const { maps, targets } = shiftedBatch(cache, idx, Number(p.shift ?? 0), ctx.random, ctx.layout);
          return { output: head.apply(maps, { training: true }) as tf.Tensor3D, targets };
        },
        evalOutput: (idx) => head.apply(stack(cache.evalRows, idx), { training: false }) as tf.Tensor3D,
        variables: () => trainableVars(head),
        learningRate: () => lr,
        snapshot: () => snapshotModels([head]),
        deployable: once(() => assembleDetector(net, head, source.pre.size)),
        dispose: () => head.dispose(),
      };
    },
    dispose: () => {},
  };
}

/**
 * High-accuracy: the backbone is split where only its last blocks remain (splitForFineTune); the
 * lower part's outputs (the finer pyramid taps and the cut) are cached per augmented view, and the
 * upper blocks train with the FPN-lite head after a head-only warm-up, with a cosine schedule.
 */
async function fineTunePlan(ctx: Context, source: Source, train: Scene[], evalScenes: Scene[]): Promise<Plan> {
  const net = source.tapNet;
  const top = source.taps.layers[source.taps.layers.length - 1]!;
  const { upper, cut } = splitForFineTune(net, top);
  const lower = tfl.model({ inputs: net.inputs, outputs: [...net.outputs.slice(0, -1), layerOutput(net, cut)] });
  ctx.io.emit({ type: 'log', level: 'info', message: `fine-tuning the backbone above layer ${cut} (${upper.countParams().toLocaleString('en')} parameters)` });
  // The lower part stays frozen: it runs with batch norm folded into its convolutions.
  const cache = await withCompiled(lower, (frozen) => cacheViews(ctx, (x) => toList(frozen.predict(x)), source.pre, train, evalScenes, 6, 1, 0.4));
  const levels = cache.shapes.length;
  const initial = snapshotModels([upper]);
  const warmup = 2;
  const forward = (xs: tf.Tensor[], head: tfl.LayersModel, training: boolean) => {
    // BatchNorm stays in inference mode while fine-tuning: small batches would ruin its statistics.
    const topMap = upper.apply(xs[levels - 1]!, { training: false }) as tf.Tensor;
    return head.apply([...xs.slice(0, -1), topMap], { training }) as tf.Tensor3D;
  };
  return {
    name: `fine-tune above ${cut}, FPN-lite head on strides ${source.taps.strides.slice(0, source.outputs).join('/')} (${cache.views} views)`,
    // Adam's steps do not shrink with the gradients, so the pretrained blocks get a low rate (after
    // a head-only warm-up at 2e-3); 1e-3 visibly unsettled them on kangaroo.
    space: source.base ? { lr: [1e-4, 3e-4] } : { lr: [1e-4, 3e-4, 6e-4], width: [64, 96] },
    defaults: source.base ? { lr: 1e-4, shift: 2 } : { lr: 3e-4, width: 64, shift: 2 },
    batchSize: 8,
    maxEpochs: 30,
    patience: 8,
    // No search by default: a fine-tuning epoch at 416 px takes about a minute on two CPU cores, so
    // trials would eat the budget (limits.trials turns it on).
    trials: 1,
    trialEpochs: 3,
    build(p, seed) {
      initial.restore();
      const width = widthFor(source, p, 96);
      const head = headFor(source, width, ctx.spec.labels.length, seed, ctx.spec.labels);
      const lr = Number(p.lr);
      return {
        trainCount: cache.rows.length,
        width,
        trainBatch: (idx) => {
          const { maps, targets } = shiftedBatch(cache, idx, Number(p.shift ?? 2), ctx.random, ctx.layout);
          return { output: forward(maps, head, true), targets };
        },
        evalOutput: (idx) => forward(range(0, levels).map((l) => stackRows(cache.evalRows, idx, l, cache.shapes[l]!)), head, false),
        variables: (epoch) => (epoch <= warmup ? trainableVars(head) : trainableVars(head, upper)),
        learningRate: (epoch, total) => (epoch <= warmup ? 2e-3 : cosine(lr, epoch - warmup, Math.max(1, total - warmup))),
        snapshot: () => snapshotModels([upper, head]),
        deployable: once(() => assembleDetector(net, head, source.pre.size)),
        dispose: () => head.dispose(),
      };
    },
    dispose: () => initial.dispose(),
  };
}

/** No backbone: the small convnet and the head train end to end on views augmented per batch. */
function scratchPlan(ctx: Context, source: Source, train: Scene[], evalScenes: Scene[]): Plan {
  const net = source.tapNet;
  const size = source.pre.size;
  const initial = snapshotModels([net]);
  const accurate = ctx.spec.algorithm === 'accurate';
  const run = (pixels: Uint8Array[], head: tfl.LayersModel, training: boolean) => {
    const maps = toList(net.apply(toBatch(tf, pixels, source.pre), { training }));
    return head.apply(maps, { training }) as tf.Tensor3D;
  };
  return {
    name: `small convnet from scratch at ${size}×${size}, ${source.outputs > 1 ? `FPN-lite head on strides ${source.taps.strides.join('/')}` : `single-scale head at stride ${source.taps.strides[0]}`}`,
    space: accurate ? { lr: [1e-3, 3e-3], augment: [0.5, 1] } : { lr: [1e-3, 3e-3], width: [48, 64] },
    defaults: accurate ? { lr: 3e-3, width: 64, augment: 1 } : { lr: 3e-3, width: 64, augment: 0.5 },
    batchSize: 16,
    maxEpochs: accurate ? 150 : 100,
    patience: accurate ? 20 : 15,
    trials: 3,
    trialEpochs: accurate ? 8 : 6,
    build(p, seed) {
      initial.restore();
      const width = widthFor(source, p, 64);
      const head = headFor(source, width, ctx.spec.labels.length, seed, ctx.spec.labels);
      const strength = Number(p.augment ?? 0.5);
      const lr = Number(p.lr);
      return {
        trainCount: train.length,
        width,
        trainBatch: (idx) => {
          const views = idx.map((i) => augmentScene(train[i]!.pixels, train[i]!.boxes, size, ctx.random, { strength }));
          return { output: run(views.map((v) => v.pixels), head, true), targets: views.map((v) => buildTargets(v.boxes, ctx.layout)) };
        },
        evalOutput: (idx) => run(idx.map((i) => evalScenes[i]!.pixels), head, false),
        variables: () => trainableVars(head, net),
        learningRate: (epoch, total) => cosine(lr, epoch, total),
        snapshot: () => snapshotModels([net, head]),
        deployable: once(() => assembleDetector(net, head, size)),
        dispose: () => head.dispose(),
      };
    },
    dispose: () => initial.dispose(),
  };
}

/** The deployable model is built once per trainable (it shares the trained layers, so it stays current). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Cosine decay from `lr` at epoch 1 to a tenth of it at `total`. */
function cosine(lr: number, epoch: number, total: number): number {
  const t = Math.min(1, Math.max(0, (epoch - 1) / Math.max(1, total - 1)));
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

function toList(x: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[]): tf.Tensor[] {
  return (Array.isArray(x) ? x : [x]) as tf.Tensor[];
}
