// Detection end to end through the Studio: a folder of scenes with VOC sidecars is indexed, trained
// in the training process, and its model predicts (seed 004's {label, conf, pos} items), is scored on
// a VOC folder by evaluate, and answers through the EAS service like a classifier does.

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDetectionMetrics, resultOf, type EasResult } from '../../../main/shared/api';
import { seededRandom } from '../../../main/core/datasets/split';
import { writeVoc } from '../../../main/core/interchange/voc';
import { openStudio, type Studio } from '../../../main/core/studio';
import { initBackend } from '../../../main/core/training/tf/backend';
import { tempDir } from '../../helpers/fixtures';
import { saveColourBackbone } from '../../helpers/training';
import { drawScene, SHAPES } from './detection/scenes';

const SIZE = 64;
let work: { dir: string; cleanup: () => void };
let studio: Studio;

/** `count` scenes as PNG + VOC XML in `dir` (the layout a user's detection folder has). */
async function vocScenes(dir: string, count: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const { pixels, boxes } = drawScene(SIZE, random, { minSide: 16, maxSide: 28 });
    const file = join(dir, `scene_${String(i).padStart(3, '0')}.png`);
    writeFileSync(file, await sharp(Buffer.from(pixels), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer());
    writeFileSync(file.replace(/\.png$/, '.xml'), writeVoc({ folder: basename(dir), filename: basename(file), path: file, width: SIZE, height: SIZE, depth: 3, verified: true, boxes: boxes.map((b) => ({ ...b, difficult: false, truncated: false })) }));
  }
}

beforeAll(async () => {
  await initBackend('auto');
  work = tempDir('detect-service-');
  studio = await openStudio({ workspace: join(work.dir, 'ws'), training: { limits: { maxEpochs: 40, trials: 1, inputSize: 32 } } });
});
afterAll(async () => {
  await studio.close();
  work.cleanup();
});

describe('detection through the Studio', () => {
  it('trains on an indexed VOC folder; predict, evaluate and the EAS service use the detector', async () => {
    const folder = join(work.dir, 'scenes');
    const heldOut = join(work.dir, 'held-out');
    mkdirSync(folder);
    mkdirSync(heldOut);
    await vocScenes(folder, 32, 1);
    await vocScenes(heldOut, 12, 3);
    const instance = await studio.createInstance({ type: 'detection', name: 'shapes' });
    const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'scenes', path: folder });
    resultOf(await studio.waitJob(job.id), 'index');
    const backbone = await saveColourBackbone(join(work.dir, 'colour-net'));

    const { job: trainJob } = await studio.startTraining({ datasetId: dataset.id, algorithm: 'fast', backbone, seed: 3 });
    const report = resultOf(await studio.waitJob(trainJob.id), 'train');
    expect(report.run.status).toBe('finished');
    expect(report.run.labels).toEqual([...SHAPES].sort());
    expect(report.run.trainImages + report.run.valImages).toBe(32);
    const model = report.model!;
    expect(model.type).toBe('detection');
    expect(isDetectionMetrics(model.metrics)).toBe(true);
    const metrics = model.metrics as Extract<typeof model.metrics, { loss: number; 'Loss/localization_loss': number }>;
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['loss', 'Loss/classification_loss', 'Loss/localization_loss', 'DetectionBoxes_Precision/mAP@.50IOU', 'model_size']));
    expect(metrics.model_size).toBe(model.sizeBytes);

    // predict: seed 004's detection items, corners relative to the image, highest confidence first.
    const [prediction] = await studio.predict({ modelId: model.id, images: [{ path: join(heldOut, 'scene_000.png') }] });
    expect(prediction!.result.meta).toEqual({ height: SIZE, width: SIZE });
    const body = prediction!.result.output[0]!.body;
    expect(body.length).toBeGreaterThan(0);
    for (const item of body) {
      expect(SHAPES).toContain(item.label);
      expect(item.pos).toHaveLength(4);
      const [tl, tr, br, bl] = item.pos!;
      // An axis-aligned box: top edge, right edge, bottom edge, left edge.
      expect([tr![1], br![0], bl![1], bl![0]]).toEqual([tl![1], tr![0], br![1], tl![0]]);
      expect(br![0]).toBeGreaterThan(tl![0]);
      expect(br![1]).toBeGreaterThan(tl![1]);
      for (const v of item.pos!.flat()) expect(v >= 0 && v <= 1, `${v} is relative`).toBe(true);
    }
    expect(body.map((b) => b.conf)).toEqual([...body.map((b) => b.conf)].sort((a, b) => b - a));

    // evaluate on held-out scenes: the detector learned the shapes.
    const evaluation = resultOf(await studio.waitJob((await studio.evaluateModel({ modelId: model.id, path: heldOut })).id), 'evaluate');
    expect(evaluation.metrics.samples).toBe(12);
    expect(isDetectionMetrics(evaluation.metrics) && evaluation.metrics['DetectionBoxes_Precision/mAP@.50IOU']).toBeGreaterThan(0.5);

    // The EAS service answers with the same items.
    const service = await studio.startService({ modelId: model.id, port: 0 });
    try {
      const bytes = await sharp(join(heldOut, 'scene_000.png')).png().toBuffer();
      const res = await fetch(service.endpoint, { method: 'POST', headers: { Authorization: service.token }, body: JSON.stringify({ dataArray: [{ name: 'image', type: 'stream', body: bytes.toString('base64') }] }) });
      const reply = (await res.json()) as { success: boolean; result: EasResult };
      expect(reply.success).toBe(true);
      expect(reply.result).toEqual(prediction!.result);
    } finally {
      await studio.stopService(service.name);
    }
  });
});
