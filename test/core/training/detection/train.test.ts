// The detection trainer in-process (the training process runs exactly this), on tiny synthetic
// scenes (a red square and a blue disk at known places) and tiny backbones the tests create.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HpoTrial } from '../../../../main/shared/api';
import { evaluateDetections } from '../../../../main/core/evaluation/detection';
import { trainDetector, type DetectionWorkerEvent } from '../../../../main/core/training/detection/train';
import { Detector, scoreDetector } from '../../../../main/core/training/detection/predict';
import type { DetectionModelMetadata } from '../../../../main/core/training/detection/metadata';
import { readMetadata } from '../../../../main/core/training/model-metadata';
import type { TrainImage, WorkerSpec } from '../../../../main/core/training/protocol';
import { initBackend } from '../../../../main/core/training/tf/backend';
import { tempDir } from '../../../helpers/fixtures';
import { saveTinyBackbone } from '../../../helpers/tiny-backbone';
import { saveColourBackbone } from '../../../helpers/training';
import { SHAPES, writeScenes } from './scenes';
import { nodeHostIO } from '../../../../main/core/training/node-io';

let root: { dir: string; cleanup: () => void };
let colourDir: string;
let tinyDir: string;
let train: TrainImage[];
let val: TrainImage[];
let heldOut: TrainImage[];

beforeAll(async () => {
  await initBackend('auto');
  root = tempDir('detect-');
  colourDir = await saveColourBackbone(join(root.dir, 'colour'));
  tinyDir = join(root.dir, 'tiny');
  await saveTinyBackbone(tinyDir, 'v2');
  // 64×64 scenes with 1–3 objects of 16–28 px, letterboxed to 32×32 inputs in most runs.
  const scene = { size: 64, minSide: 16, maxSide: 28 };
  train = await writeScenes(join(root.dir, 'train'), { count: 24, seed: 1, ...scene }, 'train');
  val = await writeScenes(join(root.dir, 'val'), { count: 8, seed: 2, ...scene }, 'val');
  heldOut = await writeScenes(join(root.dir, 'held-out'), { count: 16, seed: 3, ...scene }, 'val');
});
afterAll(() => root.cleanup());

let runCounter = 0;
function spec(patch: Partial<WorkerSpec> = {}): WorkerSpec {
  return {
    runId: ++runCounter,
    runDir: join(root.dir, `run-${runCounter}`),
    algorithm: 'fast',
    device: 'auto',
    seed: 3,
    budgetMs: 120_000,
    hpo: false,
    labels: [...SHAPES],
    images: [...train, ...val],
    backbone: { id: 'colour-net', dir: colourDir, preprocessing: { size: 32, scale: 1 / 127.5, offset: -1 }, featureLayer: null },
    baseModel: null,
    ...patch,
  };
}

async function run(s: WorkerSpec, stopWhen?: (e: DetectionWorkerEvent) => boolean) {
  const events: DetectionWorkerEvent[] = [];
  let stop = false;
  const outcome = await trainDetector(s, {
    ...nodeHostIO,
    emit: (e) => {
      events.push(e);
      if (stopWhen?.(e)) stop = true;
    },
    stopRequested: () => stop,
  });
  return { outcome, events, epochs: events.flatMap((e) => (e.type === 'epoch' ? [e.record] : [])) };
}

/** mAP@0.5 of a saved detector on held-out scenes, through the serving path (files → EAS items). */
async function heldOutMAP(modelDir: string): Promise<number> {
  const detector = await Detector.load(modelDir);
  try {
    const inputs = await Promise.all(heldOut.map((i) => detector.decode(i.path)));
    const results = await detector.easResults(inputs, { scoreThreshold: 0.01 });
    const detections = results.flatMap((r, i) =>
      r.output[0]!.body.map((d) => ({ image: heldOut[i]!.path, label: d.label, score: d.conf, xmin: d.pos[0][0] * 64, ymin: d.pos[0][1] * 64, xmax: d.pos[2][0] * 64, ymax: d.pos[2][1] * 64 })),
    );
    expect(results[0]!.meta).toEqual({ height: 64, width: 64 });
    return evaluateDetections(new Map(heldOut.map((i) => [i.path, i.boxes!])), detections).mAP!;
  } finally {
    detector.dispose();
  }
}

describe('detection training', () => {
  it('high-speed learns the shapes to mAP@0.5 ≥ 0.9 on held-out scenes and saves a detector with the seed metrics', async () => {
    const { outcome, events, epochs } = await run(spec({ limits: { maxEpochs: 8, patience: 8, inputSize: 32 } }));
    expect(events.find((e) => e.type === 'backend')).toBeDefined();
    expect(outcome.stopReason).toBe('completed');
    expect(outcome.modelDir).not.toBeNull();
    const m = outcome.metrics!;
    for (const key of ['loss', 'Loss/classification_loss', 'Loss/localization_loss', 'DetectionBoxes_Precision/mAP@.50IOU', 'DetectionBoxes_Precision/mAP', 'model_size'] as const) {
      expect(Number.isFinite(m[key]), key).toBe(true);
    }
    expect(m.loss).toBeCloseTo(m['Loss/classification_loss'] + 2 * m['Loss/localization_loss'], 6);
    expect(m['DetectionBoxes_Precision/mAP@.50IOU']).toBeGreaterThanOrEqual(0.9);
    expect(m['DetectionBoxes_Precision/mAP']).toBeGreaterThan(0.2);
    expect(Object.keys(m.per_class).sort()).toEqual(['disk', 'square']);
    expect(m.samples).toBe(8);
    expect(m.model_size).toBeGreaterThan(1000);
    // Epoch records: valAccuracy is the validation mAP@0.5; the best epoch's is the final metric.
    expect(Math.max(...epochs.map((e) => e.valAccuracy))).toBeCloseTo(m['DetectionBoxes_Precision/mAP@.50IOU'], 6);
    const meta = (await readMetadata(outcome.modelDir!)) as unknown as DetectionModelMetadata;
    expect(meta.type).toBe('detection');
    expect(meta.labels).toEqual(['disk', 'square']);
    expect(meta.preprocessing.size).toBe(32);
    expect(meta.detection.levels).toHaveLength(1);
    expect(meta.metrics!.model_size).toBe(m.model_size);
    expect(await heldOutMAP(outcome.modelDir!)).toBeGreaterThanOrEqual(0.9);
    const detector = await Detector.load(outcome.modelDir!);
    const score = await scoreDetector(detector, heldOut.map((i) => ({ path: i.path, boxes: i.boxes! })));
    detector.dispose();
    expect(score['DetectionBoxes_Precision/mAP@.50IOU']).toBeGreaterThanOrEqual(0.9);
    expect(score.samples).toBe(16);
  });

  it('high-accuracy fine-tunes the upper backbone with an FPN-lite head on several levels', async () => {
    const { outcome, events } = await run(
      spec({ algorithm: 'accurate', backbone: { id: 'tiny-v2', dir: tinyDir, preprocessing: { size: 32, scale: 1 / 127.5, offset: -1 }, featureLayer: null }, limits: { maxEpochs: 2, patience: 2, inputSize: 32 } }),
    );
    expect(outcome.modelDir).not.toBeNull();
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs.some((l) => l.startsWith('fine-tuning the backbone above layer'))).toBe(true);
    const meta = (await readMetadata(outcome.modelDir!)) as unknown as DetectionModelMetadata;
    expect(meta.detection.levels.length).toBeGreaterThan(1);
    expect(meta.algorithm).toBe('accurate');
    const detector = await Detector.load(outcome.modelDir!);
    const [result] = await detector.easResults([await detector.decode(train[0]!.path)], { scoreThreshold: 0 });
    detector.dispose();
    for (const item of result!.output[0]!.body) {
      expect(item.pos).toHaveLength(4);
      const [[x0, y0], [x1, y1t], [x1b, y1], [x0b, y1b]] = item.pos;
      expect([y1t, x1b, x0b, y1b]).toEqual([y0, x1, x0, y1]);
      for (const v of item.pos.flat()) expect(v >= 0 && v <= 1).toBe(true);
    }
  });

  it('without a backbone trains a small network from scratch, and a user stop keeps the best epoch', async () => {
    const { outcome, epochs } = await run(spec({ backbone: null, limits: { maxEpochs: 1000, patience: 1000, inputSize: 64 } }), (e) => e.type === 'epoch' && e.record.trial === null && e.record.epoch === 2);
    expect(outcome.stopReason).toBe('user');
    expect(outcome.modelDir).not.toBeNull();
    expect(outcome.backbone).toBeNull();
    expect(epochs.filter((e) => e.epoch > 0).length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(outcome.modelDir!, 'model.json'))).toBe(true);
  });

  it('hyperparameter search records its trials, and incremental training grows the class layer for a new label', async () => {
    const { outcome, events } = await run(spec({ hpo: true, labels: ['square'], limits: { trials: 2, trialEpochs: 1, maxEpochs: 1, patience: 1, inputSize: 32 } }));
    const finished = new Map<number, HpoTrial>();
    for (const e of events) if (e.type === 'trial' && e.trial.status !== 'running') finished.set(e.trial.index, e.trial);
    expect([...finished.keys()]).toEqual([0, 1]);
    for (const t of finished.values()) expect(t.epochs).toBeGreaterThan(0);
    const base = outcome.modelDir!;
    const next = await run(spec({ labels: ['disk', 'square'], baseModel: { id: 1, dir: base }, limits: { maxEpochs: 1, patience: 1 } }));
    const logs = next.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs.some((l) => l.includes('incremental training from model 1') && l.includes('new: disk'))).toBe(true);
    const meta = (await readMetadata(next.outcome.modelDir!)) as unknown as DetectionModelMetadata;
    expect(meta.labels).toEqual(['disk', 'square']);
    expect(meta.baseModelId).toBe(1);
  });
});
