// The classification trainer in-process (the training process runs exactly this), on tiny
// generated images and a tiny MobileNet-like backbone: seconds per test on a CPU.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HpoTrial } from '../../../main/shared/api';
import { splitTrainVal } from '../../../main/core/datasets/split';
import { trainClassifier } from '../../../main/core/training/classification/train';
import type { TrainImage, WorkerEvent, WorkerSpec } from '../../../main/core/training/protocol';
import { readMetadata } from '../../../main/core/training/model-metadata';
import { initBackend } from '../../../main/core/training/tf/backend';
import { tempDir } from '../../helpers/fixtures';
import { classificationOf, colourFolder, saveColourBackbone } from '../../helpers/training';
import { nodeHostIO } from '../../../main/core/training/node-io';

let root: { dir: string; cleanup: () => void };
let backboneDir: string;

beforeAll(async () => {
  await initBackend('auto');
  root = tempDir('train-');
  backboneDir = await saveColourBackbone(join(root.dir, 'backbone'));
});
afterAll(() => root.cleanup());

function imagesOf(folder: string, seed = 1): TrainImage[] {
  const items = readdirSync(folder).flatMap((label) => readdirSync(join(folder, label)).map((f) => ({ key: `${label}/${f}`, stratum: label })));
  const split = splitTrainVal(items, 0.9, seed);
  return items.map((i) => ({ path: join(folder, i.key), label: i.stratum, split: split.get(i.key)! }));
}

let runCounter = 0;
function spec(folder: string, patch: Partial<WorkerSpec> = {}): WorkerSpec {
  const images = imagesOf(folder);
  return {
    runId: ++runCounter,
    runDir: join(root.dir, `run-${runCounter}`),
    algorithm: 'fast',
    device: 'auto',
    seed: 3,
    budgetMs: 120_000,
    hpo: false,
    labels: [...new Set(images.map((i) => i.label))].sort(),
    images,
    backbone: { id: 'colour-net', dir: backboneDir, preprocessing: { size: 32, scale: 1 / 127.5, offset: -1 }, featureLayer: null },
    baseModel: null,
    ...patch,
  };
}

async function train(s: WorkerSpec, stopWhen?: (e: WorkerEvent) => boolean) {
  const events: WorkerEvent[] = [];
  let stop = false;
  const outcome = await trainClassifier(s, {
    ...nodeHostIO,
    emit: (e) => {
      events.push(e);
      if (stopWhen?.(e)) stop = true;
    },
    stopRequested: () => stop,
  });
  return { outcome, events, epochs: events.flatMap((e) => (e.type === 'epoch' ? [e.record] : [])) };
}

describe('classification training', () => {
  it('high-speed learns colours on a frozen backbone, reports the backend and saves a loadable model', async () => {
    const folder = await colourFolder(join(root.dir, 'colours'), { perClass: 10 });
    const { outcome, events } = await train(spec(folder, { limits: { maxEpochs: 40, patience: 8 } }));
    const backend = events.find((e) => e.type === 'backend');
    expect(backend && backend.type === 'backend' && backend.backend.name).toBe('wasm');
    expect(outcome.modelDir).not.toBeNull();
    expect(classificationOf(outcome.metrics!).accuracy).toBe(1);
    expect(outcome.metrics!.samples).toBe(2);
    expect(outcome.metrics!.model_size).toBeGreaterThan(1000);
    const meta = await readMetadata(outcome.modelDir!);
    expect(meta.labels).toEqual(['blue', 'red']);
    expect(meta.preprocessing.size).toBe(32);
    expect(meta.backbone).toBe('colour-net');
    expect(existsSync(join(outcome.modelDir!, 'model.json'))).toBe(true);
  });

  it('early stop fires when validation loss stops improving', async () => {
    const folder = await colourFolder(join(root.dir, 'noise'), { perClass: 10, shuffleLabels: true, seed: 11 });
    const { outcome, epochs } = await train(spec(folder, { limits: { maxEpochs: 200, patience: 3 } }));
    expect(outcome.stopReason).toBe('early_stop');
    const final = epochs.filter((e) => e.trial === null && e.epoch > 0);
    expect(final.length).toBeLessThan(200);
    // The last `patience` epochs did not beat the best one before them.
    const best = Math.min(...final.slice(0, -3).map((e) => e.valLoss), epochs.find((e) => e.epoch === 0)!.valLoss);
    expect(Math.min(...final.slice(-3).map((e) => e.valLoss))).toBeGreaterThanOrEqual(best - 1e-4);
  });

  it('the time budget stops a run and keeps the best epoch', async () => {
    const folder = await colourFolder(join(root.dir, 'budget'), { perClass: 8 });
    const started = Date.now();
    const { outcome, epochs } = await train(spec(folder, { backbone: null, algorithm: 'accurate', budgetMs: 4000, limits: { maxEpochs: 100_000, patience: 100_000 } }));
    expect(outcome.stopReason).toBe('time_budget');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(epochs.filter((e) => e.trial === null && e.epoch > 0).length).toBeGreaterThan(0);
    expect(outcome.modelDir).not.toBeNull();
  });

  it('a user stop keeps the model of the best epoch so far', async () => {
    const folder = await colourFolder(join(root.dir, 'stop'), { perClass: 8 });
    const { outcome, epochs } = await train(spec(folder, { limits: { maxEpochs: 100_000, patience: 100_000 } }), (e) => e.type === 'epoch' && e.record.trial === null && e.record.epoch === 5);
    expect(outcome.stopReason).toBe('user');
    expect(outcome.epochs).toBeGreaterThanOrEqual(5);
    expect(outcome.modelDir).not.toBeNull();
    const final = epochs.filter((e) => e.trial === null && e.epoch > 0);
    expect(outcome.metrics!.loss).toBeCloseTo(Math.min(...final.map((e) => e.valLoss)), 4);
  });

  it('hyperparameter search records its trials and trains the best one to the end', async () => {
    const folder = await colourFolder(join(root.dir, 'hpo'), { perClass: 8 });
    const { outcome, events } = await train(spec(folder, { hpo: true, limits: { trials: 3, trialEpochs: 3, maxEpochs: 10, patience: 4 } }));
    const finished = new Map<number, HpoTrial>();
    for (const e of events) if (e.type === 'trial' && e.trial.status !== 'running') finished.set(e.trial.index, e.trial);
    expect([...finished.keys()]).toEqual([0, 1, 2]);
    for (const t of finished.values()) {
      expect(t.status).toBe('finished');
      expect(t.metric).toBeGreaterThan(0);
      expect(t.epochs).toBeGreaterThan(0);
    }
    expect(new Set([...finished.values()].map((t) => JSON.stringify(t.params))).size).toBe(3);
    const bestTrial = [...finished.values()].sort((a, b) => a.metric! - b.metric!)[0]!;
    for (const [k, v] of Object.entries(bestTrial.params)) expect(outcome.params[k]).toBe(v);
    // High-speed scores trials on folds of the training images, not on the 2 validation images.
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs.some((m) => /^search chose .* \(4-fold cross-validated loss \d/.test(m))).toBe(true);
    expect(events.some((e) => e.type === 'epoch' && e.record.trial !== null)).toBe(false);
  });

  it('incremental training starts from the base weights and grows the head for a new label', async () => {
    const two = await colourFolder(join(root.dir, 'base'), { perClass: 10 });
    const base = await train(spec(two, { limits: { maxEpochs: 30, patience: 6 } }));
    const three = await colourFolder(join(root.dir, 'grown'), { labels: ['red', 'blue', 'green'], perClass: 10 });
    const fresh = await train(spec(three, { limits: { maxEpochs: 1, patience: 1 } }));
    const grown = await train(spec(three, { baseModel: { id: 1, dir: base.outcome.modelDir! }, limits: { maxEpochs: 1, patience: 1 } }));
    const start = (r: typeof fresh) => r.epochs.find((e) => e.trial === null && e.epoch === 0)!;
    // Before any step, the base head already separates red from blue; a fresh head is at chance.
    expect(start(grown).valLoss).toBeLessThan(start(fresh).valLoss);
    expect(start(grown).valAccuracy).toBeGreaterThanOrEqual(2 / 3);
    const meta = await readMetadata(grown.outcome.modelDir!);
    expect(meta.labels).toEqual(['blue', 'green', 'red']);
    expect(meta.baseModelId).toBe(1);
  });

  it('high-accuracy fine-tunes the upper backbone blocks on augmented views', async () => {
    const folder = await colourFolder(join(root.dir, 'accurate'), { perClass: 8 });
    const { outcome, events } = await train(spec(folder, { algorithm: 'accurate', limits: { maxEpochs: 30, patience: 30 } }));
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs.some((m) => /fine-tuning the backbone above layer/.test(m))).toBe(true);
    expect(outcome.params.plan).toMatch(/fine-tune/);
    expect(classificationOf(outcome.metrics!).accuracy).toBe(1);
  });

  it('an image that no longer decodes is left out with a warning, not the whole run', async () => {
    const folder = await colourFolder(join(root.dir, 'gone'), { perClass: 6 });
    const s = spec(folder, { limits: { maxEpochs: 3, patience: 3 } });
    s.images.push({ path: join(folder, 'red', 'deleted-since-indexing.png'), label: 'red', split: 'train' });
    const { outcome, events } = await train(s);
    expect(outcome.modelDir).not.toBeNull();
    const warnings = events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
    expect(warnings).toEqual([expect.stringMatching(/^left out: .*deleted-since-indexing\.png: cannot decode image/)]);
  });
});
