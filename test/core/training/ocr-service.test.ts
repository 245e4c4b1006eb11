// OCR end to end through the Studio: generated cards (VOC boxes named by their text) are indexed and
// trained in two stages (text detector, then recognizer) in the training process; the model reads
// cards through predict and the EAS service (seed 004's OCR items: text, conf, corners in pixels).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOcrMetrics, resultOf } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { availableFonts, generateOcrCards } from '../../../main/core/templates/ocr-cards';
import { initBackend } from '../../../main/core/training/tf/backend';
import { tempDir } from '../../helpers/fixtures';

const fonts = availableFonts().latin.length > 0;
let work: { dir: string; cleanup: () => void };
let studio: Studio;

beforeAll(async () => {
  await initBackend('auto');
  work = tempDir('ocr-service-');
  studio = await openStudio({ workspace: join(work.dir, 'ws'), training: { limits: { maxEpochs: 3, trials: 1, inputSize: 128 } } });
});
afterAll(async () => {
  await studio.close();
  work.cleanup();
});

describe.skipIf(!fonts)(fonts ? 'OCR through the Studio' : 'OCR through the Studio (skipped: fontconfig has no font to render cards with)', () => {
  it('trains a text detector and a recognizer as one model that predict and serve use', async () => {
    const folder = join(work.dir, 'cards');
    const set = await generateOcrCards({ outDir: folder, count: 12, seed: 4, layout: 'digits', cjk: false, width: 320, height: 200 });
    const instance = await studio.createInstance({ type: 'ocr', name: 'cards' });
    const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'cards', path: folder });
    resultOf(await studio.waitJob(job.id), 'index');

    const { job: trainJob } = await studio.startTraining({ datasetId: dataset.id, algorithm: 'fast', backbone: 'none', seed: 2 });
    const report = resultOf(await studio.waitJob(trainJob.id), 'train');
    expect(report.run.status).toBe('finished');
    expect(report.run.labels).toEqual(['text']);
    const model = report.model!;
    expect(model.type).toBe('ocr');
    expect(isOcrMetrics(model.metrics)).toBe(true);
    const metrics = model.metrics as Extract<typeof model.metrics, { cer: number }>;
    expect(metrics.cer).toBeGreaterThanOrEqual(0);
    expect(metrics.samples).toBeGreaterThan(0);
    expect(metrics.model_size).toBe(model.sizeBytes);
    const logs = (await studio.runLogs({ runId: report.run.id })).map((l) => l.message);
    expect(logs.some((m) => /^text detection: /.test(m))).toBe(true);
    expect(logs.some((m) => /^recognizer: CER/.test(m))).toBe(true);

    const card = set.cards[0]!.image;
    const [prediction] = await studio.predict({ modelId: model.id, images: [{ path: card }] });
    expect(prediction!.result.meta).toEqual({ height: 200, width: 320 });
    for (const item of prediction!.result.output[0]!.body) {
      expect(typeof item.label).toBe('string');
      expect(item.conf).toBeGreaterThanOrEqual(0);
      // Corners in pixels (seed 004's OCR example), inside the image.
      for (const [x, y] of item.pos!) expect(x >= 0 && x <= 320 && y >= 0 && y <= 200 && Number.isInteger(x) && Number.isInteger(y)).toBe(true);
    }

    const service = await studio.startService({ modelId: model.id, port: 0 });
    try {
      const { readFile } = await import('node:fs/promises');
      const body = JSON.stringify({ dataArray: [{ name: 'image', type: 'stream', body: (await readFile(card)).toString('base64') }] });
      const reply = (await (await fetch(service.endpoint, { method: 'POST', headers: { Authorization: service.token }, body })).json()) as { success: boolean; result: unknown };
      expect(reply).toEqual({ success: true, result: prediction!.result });
    } finally {
      await studio.stopService(service.name);
    }
  });
});
