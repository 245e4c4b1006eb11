// Training through the Studio API: validation, the training process, runs and models, predict,
// evaluate, stop, and a training process that dies.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { StudioError, resultOf, type TrainInput } from '../../../main/shared/api';
import { forkWorker, type WorkerHandle } from '../../../main/core/training/host';
import { openStudio, type Studio } from '../../../main/core/studio';
import { initBackend } from '../../../main/core/training/tf/backend';
import { tempDir } from '../../helpers/fixtures';
import { useStudioFixture } from '../../helpers/studio';
import { classificationOf, colourFolder, saveColourBackbone } from '../../helpers/training';

const fx = useStudioFixture();

async function colourDataset(studio: Studio, folder: string, name = 'colours') {
  const instance = await studio.createInstance({ type: 'classification', name: `${name}-instance` });
  const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name, path: folder });
  resultOf(await studio.waitJob(job.id), 'index');
  return dataset;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rejection(p: Promise<unknown>): Promise<StudioError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

describe('training through the API', () => {
  it('refuses bad tasks with the field and the reason', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 3 });
    const ds = await colourDataset(fx.studio, folder);
    const base: TrainInput = { datasetId: ds.id, algorithm: 'fast', backbone: 'none' };
    for (const maxMinutes of [5, 61]) {
      const err = await rejection(fx.studio.startTraining({ ...base, maxMinutes }));
      expect(err.field).toBe('maxMinutes');
      expect(err.message).toMatch(/between 10 and 60 minutes/);
    }
    expect((await rejection(fx.studio.startTraining({ ...base, algorithm: 'best' as 'fast' }))).field).toBe('algorithm');
    expect((await rejection(fx.studio.startTraining({ ...base, labels: ['red'] }))).field).toBe('labels');
    const missing = await rejection(fx.studio.startTraining({ ...base, labels: ['red', 'purple'] }));
    expect(missing.message).toMatch(/"purple" has 0 labeled images/);
    expect((await rejection(fx.studio.startTraining({ ...base, baseModelId: 99 }))).code).toBe('not_found');
    const det = await fx.studio.createInstance({ type: 'detection', name: 'boxes' });
    const { job } = await fx.studio.createDataset({ instanceId: det.id, name: 'd', path: folder });
    await fx.studio.waitJob(job.id);
    const detDataset = (await fx.studio.listDatasets(det.id))[0]!;
    const noBoxes = await rejection(fx.studio.startTraining({ ...base, datasetId: detDataset.id }));
    expect([noBoxes.field, noBoxes.message]).toEqual(['labels', expect.stringMatching(/no boxes to train on/)]);
    const ocr = await fx.studio.createInstance({ type: 'ocr', name: 'cards' });
    const ocrJob = await fx.studio.createDataset({ instanceId: ocr.id, name: 'o', path: folder });
    await fx.studio.waitJob(ocrJob.job.id);
    const ocrDataset = (await fx.studio.listDatasets(ocr.id))[0]!;
    expect((await rejection(fx.studio.startTraining({ ...base, datasetId: ocrDataset.id }))).message).toMatch(/no boxes to train on/);
    expect(await fx.studio.listRuns()).toEqual([]);
  });

  it('trains in its own process and records the run, its trials, epochs, logs and the model; predict and evaluate use it', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 10 });
    const ds = await colourDataset(fx.studio, folder);
    await initBackend('auto');
    const backbone = await saveColourBackbone(join(fx.out, 'colour-net'));
    const { run, job } = await fx.studio.startTraining({ datasetId: ds.id, algorithm: 'fast', backbone, seed: 5 });
    expect(run.status).toBe('running');
    const report = resultOf(await fx.studio.waitJob(job.id), 'train');
    expect(report.run.status).toBe('finished');
    expect(['early_stop', 'completed']).toContain(report.run.stopReason);
    expect(report.run.backend?.name).toBe('wasm');
    expect(report.run.trainImages + report.run.valImages).toBe(20);
    expect(report.run.valImages).toBe(2);
    expect(report.model).not.toBeNull();
    const model = report.model!;
    expect(classificationOf(model.metrics).accuracy).toBe(1);
    expect(model.labels).toEqual(['blue', 'red']);
    expect(model.sizeBytes).toBe(model.metrics.model_size);

    const shown = await fx.studio.getRun(run.id);
    expect(shown.trials.length).toBeGreaterThan(1);
    expect(shown.trials.every((t) => t.status === 'finished' && t.metric !== null)).toBe(true);
    expect(shown.epochs.some((e) => e.trial === null && e.epoch > 0)).toBe(true);
    expect(shown.params).toMatchObject({ maxMinutes: 10, seed: 5, backbone: expect.stringMatching(/^imported-/) });
    const logs = await fx.studio.runLogs({ runId: run.id });
    expect(logs.some((l) => /backend: WASM/.test(l.message))).toBe(true);
    expect((await fx.studio.runLogs({ runId: run.id, after: logs.length - 1 })).length).toBe(1);
    expect((await fx.studio.listModels(ds.instanceId)).map((m) => m.id)).toEqual([model.id]);

    const red = join(folder, 'red', 'red_0.png');
    const [byPath, byData] = await fx.studio.predict({ modelId: model.id, images: [{ path: red }, { base64: (await readFile(join(folder, 'blue', 'blue_0.png'))).toString('base64'), name: 'upload.png' }] });
    expect(byPath!.image).toBe(red);
    expect(byPath!.result.meta).toEqual({ height: 40, width: 40 });
    const body = byPath!.result.output[0]!.body;
    expect(byPath!.result.output[0]!.type).toBe('cv_common');
    expect(body.map((b) => b.label)).toEqual(['red', 'blue']);
    expect(body[0]!.conf).toBeGreaterThan(body[1]!.conf);
    expect(body[0]!.conf + body[1]!.conf).toBeCloseTo(1, 5);
    expect(byData!.result.output[0]!.body[0]!.label).toBe('blue');
    expect((await rejection(fx.studio.predict({ modelId: model.id, images: [{ path: join(fx.data, 'nope.jpg') }] }))).message).toMatch(/nope\.jpg: cannot decode image/);

    const evaluation = resultOf(await fx.studio.waitJob((await fx.studio.evaluateModel({ modelId: model.id, path: folder })).id), 'evaluate');
    expect(evaluation.metrics.samples).toBe(20);
    expect(classificationOf(evaluation.metrics).accuracy).toBe(1);
    expect(classificationOf(evaluation.metrics).confusion_matrix).toEqual({ labels: ['blue', 'red'], matrix: [[10, 0], [0, 10]] });

    await fx.studio.deleteModel(model.id);
    expect(existsSync(model.dir)).toBe(false);
    expect(await fx.studio.listModels()).toEqual([]);
  });

  it('a stop keeps the model of the best epoch so far', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 10 });
    const ds = await colourDataset(fx.studio, folder);
    const { run, job } = await fx.studio.startTraining({ datasetId: ds.id, algorithm: 'accurate', backbone: 'none', hpo: false });
    await until('three epochs', async () => (await fx.studio.getRun(run.id)).epochs.filter((e) => e.epoch > 0).length >= 3);
    const stopping = await fx.studio.stopRun(run.id);
    expect(stopping.status).toBe('running');
    const report = resultOf(await fx.studio.waitJob(job.id), 'train');
    expect(report.run.stopReason).toBe('user');
    expect(report.model).not.toBeNull();
    expect(report.model!.fromCheckpoint).toBe(false);
    expect((await fx.studio.runLogs({ runId: run.id })).some((l) => /no model|model version/.test(l.message))).toBe(true);
    expect((await rejection(fx.studio.stopRun(run.id))).code).toBe('conflict');
  });

  it('a training process that dies fails the run and keeps its best checkpoint; the app lives on', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 10 });
    const ws = tempDir('ws-crash-');
    fx.track(ws);
    const handles: WorkerHandle[] = [];
    const studio = await openStudio({ workspace: ws.dir, training: { spawn: (entry) => { const h = forkWorker(entry); handles.push(h); return h; } } });
    try {
      const ds = await colourDataset(studio, folder);
      const { run, job } = await studio.startTraining({ datasetId: ds.id, algorithm: 'accurate', backbone: 'none', hpo: false });
      await until('a checkpoint', async () => (await studio.getRun(run.id)).metrics);
      handles[0]!.kill();
      const finished = await studio.waitJob(job.id);
      expect(finished.state).toBe('failed');
      expect(finished.error?.message).toMatch(/training process ended unexpectedly \(killed by SIGKILL\)/);
      const failed = await studio.getRun(run.id);
      expect(failed.status).toBe('failed');
      expect(failed.stopReason).toBe('failed');
      const kept = await until('the checkpoint model', async () => (await studio.listModels())[0]);
      expect(kept.fromCheckpoint).toBe(true);
      expect(kept.runId).toBe(run.id);
      const [prediction] = await studio.predict({ modelId: kept.id, images: [{ path: join(folder, 'red', 'red_1.png') }] });
      expect(prediction!.result.output[0]!.body).toHaveLength(2);
      expect((await studio.listInstances()).length).toBe(1);
    } finally {
      await studio.close();
    }
  });

  it('offline: a requested zoo backbone fails with the hint; the default falls back to training from scratch, said in the run', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 6 });
    const ws = tempDir('ws-offline-');
    fx.track(ws);
    const offline = (() => Promise.reject(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND storage.googleapis.com') }))) as typeof fetch;
    const studio = await openStudio({ workspace: ws.dir, training: { fetch: offline } });
    try {
      const ds = await colourDataset(studio, folder);
      const asked = await studio.waitJob((await studio.startTraining({ datasetId: ds.id, algorithm: 'fast', backbone: 'mobilenet_v1_0.25' })).job.id);
      expect(asked.state).toBe('failed');
      expect(asked.error?.message).toMatch(/could not download .*mobilenet_v1_0\.25.*Offline\? Import a local tfjs layers model folder with --backbone DIR/s);
      const { run, job } = await studio.startTraining({ datasetId: ds.id, algorithm: 'fast', hpo: false });
      const report = resultOf(await studio.waitJob(job.id), 'train');
      expect(report.model?.backbone).toBeNull();
      expect(report.run.params.backbone).toBe('none (trained from scratch)');
      const logs = (await studio.runLogs({ runId: run.id })).map((l) => l.message);
      expect(logs.some((m) => /default backbone mobilenet_v2_0\.35 is not available .*training a small network from scratch/.test(m))).toBe(true);
    } finally {
      await studio.close();
    }
  });

  it('the same seed reproduces the split and the whole run; another seed does not', async () => {
    const folder = await colourFolder(join(fx.data, 'c'), { perClass: 10 });
    const ds = await colourDataset(fx.studio, folder);
    await initBackend('auto');
    const backbone = await saveColourBackbone(join(fx.out, 'colour-net'));
    const trained = async (seed: number) => {
      const { job } = await fx.studio.startTraining({ datasetId: ds.id, algorithm: 'fast', backbone, seed, hpo: false });
      const { run } = resultOf(await fx.studio.waitJob(job.id), 'train');
      return (await fx.studio.getRun(run.id)).epochs.map((e) => [e.epoch, e.loss, e.valLoss]);
    };
    const first = await trained(7);
    expect(await trained(7)).toEqual(first);
    expect(await trained(8)).not.toEqual(first);
  });
});
