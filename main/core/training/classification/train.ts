// Image classification training (seed 004 §4.2): high-speed trains a small head on cached features
// of a frozen pretrained backbone; high-accuracy also fine-tunes the backbone's upper blocks on
// augmented views, with a warm-up and a cosine schedule. Without a backbone both train a small
// network from scratch. A short hyperparameter search runs first, inside the time budget.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StudioError, type ClassificationMetrics, type EpochRecord, type HpoTrial, type StopReason } from '../../../shared/api';
import { seededRandom, shuffle } from '../../datasets/split';
import { featureExtractor, findFeatureLayer, loadLayers, splitForFineTune } from '../backbones/cut';
import { classifierFit, epochLine, fit, yieldToEvents, range, scoreValidation, snapshotModels, type ClassifierFitSpec as FitSpec, type FitResult, type Snapshot } from '../fit';
import { describeParams, sampleTrials, type ParamSpace, type Params } from '../hpo';
import { augmentView, mirror, toBatch, type Preprocessing } from '../images';
import type { TrainerIO, TrainOutcome, WorkerSpec } from '../protocol';
import { decodeEach, Interrupted, startRun } from '../run-control';
import { scoreProbabilities } from '../metrics';
import { withCompiled } from '../tf/inference-graph';
import { loadModel, saveModel, type ModelStore } from '../host-io';
import { asBackbone, assemble, initHeadFrom, makeHead, scratchBackbone, splitSaved, type Head, type SavedParts } from './network';

const SCRATCH_PRE = { scale: 1 / 127.5, offset: -1 };
const CHECKPOINT_EVERY_MS = 10_000;

/** Why the run ended before a model existed. */
interface Source {
  backbone: tfl.LayersModel;
  pre: Preprocessing;
  backboneId: string | null;
  pretrained: boolean;
  base: { parts: SavedParts; labels: string[]; headUnits: number } | null;
}

/** One trainable configuration (a trial, or the final model). */
interface Trainable {
  head: Head;
  trainCount: number;
  trainLabels: Int32Array;
  /** Labels of what makeBatch(…, 'val') returns: the validation split, or a held-out fold. */
  valLabels: Int32Array;
  makeBatch: FitSpec['makeBatch'];
  forward: FitSpec['forward'];
  variables: FitSpec['variables'];
  learningRate: FitSpec['learningRate'];
  snapshot(): Snapshot;
  dispose(): void;
}

/** Training images of a cross-validation fold: indices into the decoded training images. */
interface Fold {
  train: number[];
  heldOut: number[];
}

interface Plan {
  name: string;
  /**
   * Trials are scored by k-fold cross-validation on the training images instead of on the small
   * validation split (only where cheap: cached features). With 20 images per class the split
   * holds a handful of images, and choosing among trials on so few was mostly noise.
   */
  crossValidate: boolean;
  space: ParamSpace;
  defaults: Params;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  trials: number;
  trialEpochs: number;
  labelSmoothing: number;
  build(params: Params, seed: number, maxEpochs: number, fold?: Fold): Trainable;
  dispose(): void;
}

interface Decoded {
  train: Uint8Array[];
  trainLabels: Int32Array;
  val: Uint8Array[];
  valLabels: Int32Array;
}

export async function trainClassifier(spec: WorkerSpec, io: TrainerIO): Promise<TrainOutcome> {
  const { deadline, log, check } = await startRun(spec, io);

  const random = seededRandom(spec.seed);
  let plan: Plan | null = null;
  let source: Source | null = null;
  const params: Record<string, unknown> = { seed: spec.seed, budgetMs: spec.budgetMs };
  try {
    source = await openSource(spec, io.models, log);
    params.backbone = source.backboneId ?? 'none (trained from scratch)';
    params.inputSize = source.pre.size;
    const decoded = await decodeAll(spec, source.pre.size, io, check);
    log(`${decoded.train.length} training and ${decoded.val.length} validation images, ${spec.labels.length} labels: ${spec.labels.join(', ')}`);
    plan = source.pretrained
      ? spec.algorithm === 'fast'
        ? await frozenPlan(source, decoded, spec, io, check)
        : await fineTunePlan(source, decoded, spec, io, check, random)
      : scratchPlan(source, decoded, spec, random);
    params.plan = plan.name;

    const fitBase = (t: Trainable, trial: number | null, maxEpochs: number, patience: number, until: number, onEpoch?: FitSpec['onEpoch']): Promise<FitResult> =>
      fit(classifierFit({
        trainCount: t.trainCount,
        trainLabels: t.trainLabels,
        valCount: t.valLabels.length,
        valLabels: t.valLabels,
        classes: spec.labels.length,
        makeBatch: t.makeBatch,
        forward: t.forward,
        variables: t.variables,
        snapshot: () => t.snapshot(),
        learningRate: t.learningRate,
        batchSize: plan!.batchSize,
        maxEpochs,
        patience,
        labelSmoothing: plan!.labelSmoothing,
        random,
        deadline: until,
        stopRequested: () => io.stopRequested(),
        trial,
        onEpoch: onEpoch ?? ((record) => io.emit({ type: 'epoch', record })),
      }));

    // ---- hyperparameter search: short trials; the best one goes on to the final training.
    // Trials share the backbone's upper layers, so the winner's weights are kept as a snapshot.
    let chosen: { params: Params; trainable: Trainable | null; state: Snapshot | null } | null = null;
    const folds = plan.crossValidate ? makeFolds(decoded.trainLabels, 4, random) : [];
    const trials = spec.hpo ? sampleTrials(plan.space, plan.defaults, spec.limits?.trials ?? plan.trials, random) : [];
    if (trials.length > 1) {
      const searchEnd = Date.now() + (deadline - Date.now()) * 0.35;
      let bestLoss = Infinity;
      for (const [index, trialParams] of trials.entries()) {
        if (io.stopRequested() || Date.now() >= searchEnd) break;
        io.emit({ type: 'progress', phase: 'search', done: index, total: trials.length, message: `Search: trial ${index + 1} of ${trials.length} (${describeParams(trialParams)})` });
        const started = Date.now();
        const trial: HpoTrial = { index, params: trialParams, status: 'running', metric: null, valAccuracy: null, epochs: 0, durationMs: 0 };
        io.emit({ type: 'trial', trial });
        const trialEpochs = spec.limits?.trialEpochs ?? plan.trialEpochs;
        const patience = Math.max(2, Math.ceil(trialEpochs / 3));
        const until = Math.min(searchEnd, deadline);
        const seed = spec.seed + 101 * (index + 1);
        let outcome: { result: FitResult; trainable: Trainable | null };
        if (plan.crossValidate) {
          outcome = { result: await crossValidate(plan, folds, trialParams, seed, trialEpochs, (t) => fitBase(t, index, trialEpochs, patience, until, () => {})), trainable: null };
        } else {
          const t = plan.build(trialParams, seed, trialEpochs);
          outcome = { result: await fitBase(t, index, trialEpochs, patience, until), trainable: t };
        }
        const { result, trainable: t } = outcome;
        const ran = result.epochs > 0;
        io.emit({
          type: 'trial',
          trial: { ...trial, status: result.stopReason === 'user' || result.stopReason === 'time_budget' ? 'stopped' : 'finished', metric: ran ? result.best.valLoss : null, valAccuracy: ran ? result.best.valAccuracy : null, epochs: result.epochs, durationMs: Date.now() - started },
        });
        if (ran && result.best.valLoss < bestLoss) {
          bestLoss = result.best.valLoss;
          chosen?.trainable?.dispose();
          chosen?.state?.dispose();
          chosen = { params: trialParams, trainable: t, state: t?.snapshot() ?? null };
        } else {
          t?.dispose();
        }
      }
      chosen?.state?.restore();
      chosen?.state?.dispose();
      if (chosen) log(`search chose ${describeParams(chosen.params)} (${plan.crossValidate ? `${folds.length}-fold cross-validated` : 'validation'} loss ${bestLoss.toFixed(4)})`);
    }
    const finalParams = chosen?.params ?? plan.defaults;
    Object.assign(params, finalParams);
    const maxEpochs = spec.limits?.maxEpochs ?? plan.maxEpochs;
    // The winning trial's weights are a head start; without a search the final model starts fresh.
    const trainable = chosen?.trainable ?? plan.build(finalParams, spec.seed, maxEpochs);

    // ---- final training with checkpoints of the best epoch (kept if the process dies).
    const checkpointDir = io.models.dir(spec.runDir, 'checkpoint');
    let lastCheckpoint = 0;
    const finalResult = await fitBase(trainable, null, maxEpochs, spec.limits?.patience ?? plan.patience, deadline, async (record, improved) => {
      io.emit({ type: 'epoch', record });
      io.emit({ type: 'progress', phase: 'train', done: record.epoch, total: maxEpochs, message: epochLine(record, maxEpochs, deadline, [`val accuracy ${(record.valAccuracy * 100).toFixed(1)} %`]) });
      if (improved && Date.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
        lastCheckpoint = Date.now();
        const metrics = await metricsOf(trainable, decoded, spec.labels, plan!.batchSize);
        await saveModel(io.models, checkpointDir, assemble(source!.backbone, trainable.head, source!.pre.size), metadataFor(spec, source!, trainable.head, metrics));
        io.emit({ type: 'checkpoint', dir: checkpointDir, metrics });
      }
    });
    const stopReason: StopReason = finalResult.stopReason;
    log(`training ended (${stopReason}) after ${finalResult.epochs} epochs; best epoch ${finalResult.bestEpoch}: validation loss ${finalResult.best.valLoss.toFixed(4)}, accuracy ${(finalResult.best.valAccuracy * 100).toFixed(1)} %`);
    if (finalResult.epochs === 0 && !chosen?.trainable && !source.base) {
      trainable.dispose();
      return { stopReason, modelDir: null, metrics: null, epochs: 0, params, inputSize: source.pre.size, backbone: source.backboneId };
    }

    io.emit({ type: 'progress', phase: 'evaluate', done: 0, total: null, message: 'Evaluating the best epoch on the validation split' });
    const metrics = await metricsOf(trainable, decoded, spec.labels, plan.batchSize);
    io.emit({ type: 'progress', phase: 'save', done: 0, total: null, message: 'Saving the model' });
    const modelDir = io.models.dir(spec.runDir, 'model');
    const size = await saveModel(io.models, modelDir, assemble(source.backbone, trainable.head, source.pre.size), metadataFor(spec, source, trainable.head, metrics));
    trainable.dispose();
    return { stopReason, modelDir, metrics: { ...metrics, model_size: size }, epochs: finalResult.epochs, params, inputSize: source.pre.size, backbone: source.backboneId };
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

/** Stratified folds of the training images (each label dealt round-robin after a seeded shuffle). */
function makeFolds(labels: Int32Array, k: number, random: () => number): Fold[] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((y, i) => byLabel.set(y, [...(byLabel.get(y) ?? []), i]));
  const foldOf = new Int32Array(labels.length);
  for (const images of byLabel.values()) {
    shuffle(images, random);
    images.forEach((img, j) => (foldOf[img] = j % k));
  }
  return range(0, k).map((f) => ({ train: range(0, labels.length).filter((i) => foldOf[i] !== f), heldOut: range(0, labels.length).filter((i) => foldOf[i] === f) }));
}

/** Mean over the folds of the best held-out loss and accuracy, and of the epochs run. */
async function crossValidate(plan: Plan, folds: Fold[], params: Params, seed: number, maxEpochs: number, run: (t: Trainable) => Promise<FitResult>): Promise<FitResult> {
  const results: FitResult[] = [];
  for (const fold of folds) {
    const t = plan.build(params, seed, maxEpochs, fold);
    try {
      results.push(await run(t));
    } finally {
      t.dispose();
    }
    if (results.at(-1)!.stopReason === 'user' || results.at(-1)!.stopReason === 'time_budget') return results.at(-1)!;
  }
  const mean = (f: (r: FitResult) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
  return { ...results[0]!, epochs: Math.round(mean((r) => r.epochs)), best: { valLoss: mean((r) => r.best.valLoss), valAccuracy: mean((r) => r.best.valAccuracy) } };
}

function metadataFor(spec: WorkerSpec, source: Source, head: Head, metrics: ClassificationMetrics) {
  return {
    type: 'classification' as const,
    labels: spec.labels,
    preprocessing: source.pre,
    algorithm: spec.algorithm,
    backbone: source.backboneId,
    headUnits: head.hidden,
    runId: spec.runId,
    baseModelId: spec.baseModel?.id ?? null,
    createdAt: new Date().toISOString(),
    metrics,
  };
}

/** Accuracy, macro and per-class precision/recall/F1, confusion matrix and loss on the validation split. */
async function metricsOf(t: Trainable, decoded: Decoded, labels: string[], batchSize: number): Promise<ClassificationMetrics> {
  const scores = await scoreValidation({ valCount: decoded.valLabels.length, valLabels: decoded.valLabels, classes: labels.length, makeBatch: t.makeBatch, forward: t.forward, batchSize });
  return { ...scoreProbabilities(labels, decoded.valLabels, scores.probabilities), model_size: 0 };
}

// ---- where features come from

async function openSource(spec: WorkerSpec, store: ModelStore, log: (m: string, level?: 'info' | 'warn') => void): Promise<Source> {
  if (spec.baseModel) {
    const { model, meta } = await loadModel(store, spec.baseModel.dir);
    if (meta.type !== 'classification') throw new StudioError('invalid_input', `base model ${spec.baseModel.id} is a ${meta.type} model`, 'baseModelId');
    if (spec.backbone) log(`incremental training keeps the base model's backbone (${meta.backbone ?? 'from scratch'}); the backbone option is ignored`, 'warn');
    const added = spec.labels.filter((l) => !meta.labels.includes(l));
    log(`incremental training from model ${spec.baseModel.id} (labels ${meta.labels.join(', ')}${added.length ? `; new: ${added.join(', ')}` : ''})`);
    return { backbone: splitSaved(model).backbone, pre: meta.preprocessing, backboneId: meta.backbone, pretrained: meta.backbone !== null, base: { parts: splitSaved(model), labels: meta.labels, headUnits: meta.headUnits } };
  }
  if (spec.backbone) {
    const full = await loadLayers(store, spec.backbone.dir);
    const layer = findFeatureLayer(full, spec.backbone.featureLayer);
    log(`backbone ${spec.backbone.id}, features from layer ${layer}`);
    return { backbone: asBackbone(featureExtractor(full, layer)), pre: spec.backbone.preprocessing, backboneId: spec.backbone.id, pretrained: true, base: null };
  }
  const size = spec.algorithm === 'fast' ? 64 : 96;
  log(`no pretrained backbone: training a small network from scratch at ${size}×${size} (accuracy will be lower than with a pretrained backbone)`, 'warn');
  return { backbone: scratchBackbone(size, spec.seed), pre: { size, ...SCRATCH_PRE }, backboneId: null, pretrained: false, base: null };
}

/** Decodes every image; a file that no longer decodes (changed since indexing) is left out and logged. */
async function decodeAll(spec: WorkerSpec, size: number, io: TrainerIO, check: () => void): Promise<Decoded> {
  const index = new Map(spec.labels.map((l, i) => [l, i]));
  const pixels = await decodeEach(spec, io, check, (image) => io.images.square(image.path, size));
  const pick = (split: 'train' | 'val') => {
    const items = spec.images.map((img, i) => ({ img, px: pixels[i] })).filter((x) => x.img.split === split && x.px);
    return { data: items.map((x) => x.px!), labels: Int32Array.from(items.map((x) => index.get(x.img.label)!)) };
  };
  const train = pick('train');
  const val = pick('val');
  for (const [label, k] of index) {
    if (!train.labels.includes(k)) throw new StudioError('invalid_input', `label "${label}" has no readable training image left`, 'labels');
  }
  return { train: train.data, trainLabels: train.labels, val: val.data, valLabels: val.labels };
}

/** Runs `model` over image views in batches, keeping outputs as one flat Float32Array per sample. */
async function extract(
  model: (x: tf.Tensor4D) => tf.Tensor,
  views: readonly Uint8Array[],
  pre: Preprocessing,
  io: TrainerIO,
  check: () => void,
  what: string,
): Promise<{ data: Float32Array[]; shape: number[] }> {
  const data: Float32Array[] = [];
  let shape: number[] = [];
  const batch = 8;
  for (let start = 0; start < views.length; start += batch) {
    check();
    const out = tf.tidy(() => model(toBatch(tf, views.slice(start, start + batch), pre)));
    shape = out.shape.slice(1);
    const flat = await out.data();
    out.dispose();
    const per = flat.length / (out.shape[0] ?? 1);
    for (let k = 0; k < out.shape[0]!; k++) data.push(Float32Array.from(flat.subarray(k * per, (k + 1) * per)));
    io.emit({ type: 'progress', phase: 'prepare', done: Math.min(views.length, start + batch), total: views.length, message: `${what} ${Math.min(views.length, start + batch)}/${views.length}` });
    await yieldToEvents();
  }
  return { data, shape };
}

function stack(rows: readonly Float32Array[], indices: readonly number[], shape: readonly number[]): tf.Tensor {
  const per = rows[0]?.length ?? 0;
  const out = new Float32Array(indices.length * per);
  indices.forEach((r, k) => out.set(rows[r]!, k * per));
  return tf.tensor(out, [indices.length, ...shape]);
}

function gap(x: tf.Tensor): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

function headFor(source: Source, channels: number, classes: number, hidden: number, dropout: number, seed: number, labels: string[]): Head {
  const head = makeHead(channels, classes, source.base ? source.base.headUnits : hidden, dropout, seed);
  if (source.base) initHeadFrom(tf, head, source.base.parts, source.base.labels, labels);
  return head;
}

const trainableVars = (...models: tfl.LayersModel[]): tf.Variable[] => models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));

/** High-speed: the backbone is frozen, so its pooled features are computed once (and for mirrored images). */
async function frozenPlan(source: Source, d: Decoded, spec: WorkerSpec, io: TrainerIO, check: () => void): Promise<Plan> {
  const trainViews = [...d.train, ...d.train.map((p) => mirror(p, source.pre.size))];
  // Frozen weights: the backbone runs with batch norm folded into its convolutions (3× faster on WASM).
  const { train, val } = await withCompiled(source.backbone, async (backbone) => {
    const pooled = (x: tf.Tensor4D) => gap(backbone.predict(x) as tf.Tensor);
    return {
      train: await extract(pooled, trainViews, source.pre, io, check, 'Backbone features (training images and mirrors)'),
      val: await extract(pooled, d.val, source.pre, io, check, 'Backbone features (validation images)'),
    };
  });
  const channels = train.shape[0]!;
  const n = d.train.length;
  return {
    name: 'frozen backbone + head on cached features',
    crossValidate: true,
    space: source.base ? { lr: [3e-4, 1e-3, 3e-3] } : { lr: [3e-4, 1e-3, 3e-3], hidden: [0, 128], dropout: [0.2, 0.5], mirrors: [0, 1] },
    defaults: source.base ? { lr: 1e-3 } : { lr: 1e-3, hidden: 128, dropout: 0.5, mirrors: 1 },
    batchSize: 32,
    maxEpochs: 150,
    patience: 12,
    trials: 6,
    trialEpochs: 25,
    labelSmoothing: 0,
    build(p, seed, _maxEpochs, fold) {
      const head = headFor(source, channels, spec.labels.length, Number(p.hidden ?? 128), Number(p.dropout ?? 0.5), seed, spec.labels);
      // Rows are [images..., their mirrors...]; a fold trains on its images (and their mirrors).
      const images = fold?.train ?? range(0, n);
      const rows = Number(p.mirrors ?? 1) ? [...images, ...images.map((i) => n + i)] : images;
      const held = fold?.heldOut ?? null;
      return {
        head,
        trainCount: rows.length,
        trainLabels: Int32Array.from(rows, (r) => d.trainLabels[r % n]!),
        valLabels: held ? Int32Array.from(held, (i) => d.trainLabels[i]!) : d.valLabels,
        makeBatch: (idx, split) => (split === 'train' ? stack(train.data, idx.map((i) => rows[i]!), [channels]) : held ? stack(train.data, idx.map((i) => held[i]!), [channels]) : stack(val.data, idx, [channels])),
        forward: (x, training) => head.apply(x, training),
        variables: () => trainableVars(head.model),
        learningRate: () => Number(p.lr),
        snapshot: () => snapshotModels([head.model]),
        dispose: () => head.model.dispose(),
      };
    },
    dispose: () => {},
  };
}

/**
 * High-accuracy: the backbone is cut where only its last blocks remain; the lower part's outputs
 * are cached for several augmented views of each image, and the upper blocks train with the head
 * (after a head-only warm-up) under a cosine-decayed learning rate.
 */
async function fineTunePlan(source: Source, d: Decoded, spec: WorkerSpec, io: TrainerIO, check: () => void, random: () => number): Promise<Plan> {
  const outputLayer = source.backbone.layers[source.backbone.layers.length - 1]!.name;
  const { lower, upper, cut } = splitForFineTune(source.backbone, outputLayer);
  io.emit({ type: 'log', level: 'info', message: `fine-tuning the backbone above layer ${cut} (${upper.countParams().toLocaleString('en')} parameters)` });
  const VIEWS = 4;
  const size = source.pre.size;
  const views: Uint8Array[] = [];
  for (const img of d.train) {
    views.push(img, mirror(img, size));
    for (let v = 2; v < VIEWS; v++) views.push(augmentView(img, size, size, random, 1));
  }
  // The lower part stays frozen: it runs with batch norm folded into its convolutions.
  const { train, val } = await withCompiled(lower, async (frozen) => {
    const run = (x: tf.Tensor4D) => frozen.predict(x) as tf.Tensor;
    return {
      train: await extract(run, views, source.pre, io, check, 'Lower backbone features (4 augmented views per image)'),
      val: await extract(run, d.val, source.pre, io, check, 'Lower backbone features (validation images)'),
    };
  });
  const channels = (upper.outputs[0]!.shape[3] as number) ?? 0;
  const initial = snapshotModels([upper]);
  const n = d.train.length;
  const warmup = 1;
  return {
    name: `fine-tune above ${cut} with augmentation`,
    crossValidate: false,
    space: source.base ? { lr: [1e-4, 3e-4] } : { lr: [1e-4, 3e-4, 1e-3], hidden: [0, 128], augment: ['light', 'strong'] },
    defaults: source.base ? { lr: 1e-4 } : { lr: 3e-4, hidden: 128, augment: 'strong' },
    batchSize: 16,
    maxEpochs: 30,
    patience: 6,
    // Fine-tuning steps are costly on a CPU: a short search.
    trials: 3,
    trialEpochs: 3,
    labelSmoothing: 0.1,
    build(p, seed, maxEpochs) {
      initial.restore();
      const head = headFor(source, channels, spec.labels.length, Number(p.hidden ?? 128), 0.3, seed, spec.labels);
      // Views are stored image by image: [original, mirror, augmented...]; "light" uses the first two.
      const perImage = p.augment === 'light' ? 2 : VIEWS;
      const rows = range(0, n).flatMap((i) => range(0, perImage).map((v) => i * VIEWS + v));
      const lr = Number(p.lr);
      return {
        head,
        trainCount: rows.length,
        trainLabels: Int32Array.from(rows, (r) => d.trainLabels[Math.floor(r / VIEWS)]!),
        valLabels: d.valLabels,
        makeBatch: (idx, split) => (split === 'train' ? stack(train.data, idx.map((i) => rows[i]!), train.shape) : stack(val.data, idx, val.shape)),
        // BatchNorm stays in inference mode while fine-tuning: small batches would ruin its statistics.
        forward: (x, training) => head.apply(gap(upper.apply(x, { training: false }) as tf.Tensor), training),
        variables: (epoch) => (epoch <= warmup ? trainableVars(head.model) : trainableVars(head.model, upper)),
        learningRate: (epoch) => (epoch <= warmup ? 1e-3 : lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - warmup - 1)) / Math.max(1, maxEpochs - warmup)))),
        snapshot: () => snapshotModels([upper, head.model]),
        dispose: () => head.model.dispose(),
      };
    },
    dispose: () => initial.dispose(),
  };
}

/** No backbone: a small convnet learns from the decoded images, with augmentation drawn per batch. */
function scratchPlan(source: Source, d: Decoded, spec: WorkerSpec, random: () => number): Plan {
  const size = source.pre.size;
  const backbone = source.backbone;
  const initial = snapshotModels([backbone]);
  const channels = backbone.outputs[0]!.shape[3] as number;
  const accurate = spec.algorithm === 'accurate';
  return {
    name: `small convnet from scratch at ${size}×${size}`,
    crossValidate: false,
    space: accurate ? { lr: [1e-3, 3e-3], hidden: [0, 64], augment: [0.5, 1] } : { lr: [1e-3, 3e-3], hidden: [0, 64] },
    defaults: accurate ? { lr: 3e-3, hidden: 64, augment: 1 } : { lr: 3e-3, hidden: 64 },
    batchSize: 16,
    maxEpochs: accurate ? 150 : 80,
    patience: accurate ? 15 : 10,
    trials: accurate ? 4 : 3,
    trialEpochs: accurate ? 8 : 6,
    labelSmoothing: accurate ? 0.1 : 0,
    build(p, seed, maxEpochs) {
      initial.restore();
      const head = headFor(source, channels, spec.labels.length, Number(p.hidden ?? 64), 0.3, seed, spec.labels);
      const strength = Number(p.augment ?? 0);
      const lr = Number(p.lr);
      return {
        head,
        trainCount: d.train.length,
        trainLabels: d.trainLabels,
        valLabels: d.valLabels,
        makeBatch: (idx, split) =>
          split === 'train'
            ? toBatch(tf, idx.map((i) => (strength > 0 ? augmentView(d.train[i]!, size, size, random, strength) : random() < 0.5 ? mirror(d.train[i]!, size) : d.train[i]!)), source.pre)
            : toBatch(tf, idx.map((i) => d.val[i]!), source.pre),
        forward: (x, training) => head.apply(gap(backbone.apply(x, { training }) as tf.Tensor), training),
        variables: () => trainableVars(head.model, backbone),
        learningRate: (epoch) => (accurate ? lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / Math.max(1, maxEpochs))) : lr),
        snapshot: () => snapshotModels([backbone, head.model]),
        dispose: () => head.model.dispose(),
      };
    },
    dispose: () => initial.dispose(),
  };
}

