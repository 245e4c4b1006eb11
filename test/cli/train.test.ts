// train / predict / evaluate / models / runs through the real CLI, including a stop from another
// process and a training CLI killed mid-run.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudio } from '../../main/core/studio';
import { initBackend } from '../../main/core/training/tf/backend';
import { collect, parseJson, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { colourFolder, saveColourBackbone } from '../helpers/training';

const ws = tempDir('cli-train-ws-');
const data = tempDir('cli-train-data-');
let folder = '';
let backbone = '';

/** Polls the workspace (a second reader beside the CLI) until `probe` finds what it waits for. */
async function watchRun<T>(what: string, probe: (runs: Awaited<ReturnType<Awaited<ReturnType<typeof openStudio>>['getRun']>>[]) => T | undefined): Promise<T> {
  const end = Date.now() + 90_000;
  for (;;) {
    const studio = await openStudio({ workspace: ws.dir });
    try {
      const runs = await Promise.all((await studio.listRuns()).map((r) => studio.getRun(r.id)));
      const found = probe(runs);
      if (found !== undefined) return found;
    } finally {
      await studio.close();
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  await initBackend('auto');
  folder = await colourFolder(join(data.dir, 'colours'), { perClass: 10 });
  backbone = await saveColourBackbone(join(data.dir, 'colour-net'));
  expect((await runCli(ws.dir, 'instance', 'create', '--type', 'classification', '--name', 'colours')).code).toBe(0);
  expect((await runCli(ws.dir, 'dataset', 'create', '--instance', 'colours', '--name', 'swatches', '--path', folder)).code).toBe(0);
});
afterAll(() => {
  ws.cleanup();
  data.cleanup();
});

describe('autolearn train', () => {
  let modelId = 0;

  it('train --json prints the model, run, backend, stop reason, epochs and metrics; progress goes to stderr', async () => {
    const run = await runCli(ws.dir, 'train', '--dataset', 'swatches', '--algorithm', 'fast', '--backbone', backbone, '--seed', '2', '--json');
    expect(run.code).toBe(0);
    const out = parseJson(run);
    expect(out.backend.name).toBe('wasm');
    expect(['early_stop', 'completed']).toContain(out.stop_reason);
    expect(out.epochs).toBeGreaterThan(0);
    expect(out.metrics).toMatchObject({ accuracy: 1, precision: 1, recall: 1, f1: 1 });
    expect(out.metrics.loss).toBeGreaterThanOrEqual(0);
    expect(out.metrics.model_size).toBe(out.model.sizeBytes);
    expect(Object.keys(out.metrics.per_class)).toEqual(['blue', 'red']);
    expect(out.run.id).toBe(out.model.runId);
    expect(run.stderr).toMatch(/Epoch \d+\/\d+ · loss [\d.]+ · val loss [\d.]+ · val accuracy [\d.]+ % · \d+ images\/s · ≤ \d+ (s|min) left/);
    modelId = out.model.id;
  });

  it('predict --json gives one entry per image, in argument order, with the EAS result', async () => {
    const blue = join(folder, 'blue', 'blue_3.png');
    const red = join(folder, 'red', 'red_3.png');
    const run = await runCli(ws.dir, 'predict', '--model', String(modelId), blue, red, '--json');
    expect(run.code).toBe(0);
    const out = parseJson(run);
    expect(out.map((p: { image: string }) => p.image)).toEqual([blue, red]);
    expect(Object.keys(out[0].result)).toEqual(['output', 'meta']);
    expect(out[0].result.meta).toEqual({ height: 40, width: 40 });
    expect(out[0].result.output[0].type).toBe('cv_common');
    expect(out[0].result.output[0].body.map((b: { label: string }) => b.label)).toEqual(['blue', 'red']);
    expect(out[1].result.output[0].body[0].label).toBe('red');
    expect(Object.keys(out[1].result.output[0].body[0])).toEqual(['label', 'conf']);
  });

  it('evaluate scores a labeled folder; models and runs list what was made', async () => {
    const evaluation = parseJson(await runCli(ws.dir, 'evaluate', '--model', String(modelId), '--path', folder, '--json'));
    expect(evaluation.metrics.samples).toBe(20);
    expect(evaluation.metrics.accuracy).toBe(1);
    const models = parseJson(await runCli(ws.dir, 'models', 'list', '--json'));
    expect(models.map((m: { id: number }) => m.id)).toEqual([modelId]);
    const runs = await runCli(ws.dir, 'runs', 'list');
    expect(runs.stdout).toMatch(/swatches-1\s+fast\s+finished/);
    const shown = await runCli(ws.dir, 'runs', 'show', '1');
    expect(shown.stdout).toMatch(/HPO trials:/);
    expect(shown.stdout).toMatch(/backend: WASM/);
  });

  it('rejects a max training time outside 10–60 minutes', async () => {
    const run = await runCli(ws.dir, 'train', '--dataset', 'swatches', '--algorithm', 'fast', '--max-minutes', '5', '--json');
    expect(run.code).toBe(1);
    expect(parseJson(run).error).toMatchObject({ code: 'invalid_input', field: 'maxMinutes' });
    expect(parseJson(run).error.message).toMatch(/between 10 and 60 minutes/);
  });

  it('runs stop from another process stops a training CLI, which keeps its best model', async () => {
    const child = startCli(ws.dir, ['train', '--dataset', 'swatches', '--algorithm', 'accurate', '--backbone', 'none', '--no-hpo', '--name', 'to-stop', '--json'], { direct: true });
    const done = collect(child);
    const id = await watchRun('epochs of to-stop', (runs) => runs.find((r) => r.name === 'to-stop' && r.epochs.filter((e) => e.epoch > 0).length >= 2)?.id);
    expect((await runCli(ws.dir, 'runs', 'stop', String(id))).code).toBe(0);
    const run = await done;
    expect(run.code).toBe(0);
    const out = parseJson(run);
    expect(out.stop_reason).toBe('user');
    expect(out.model).not.toBeNull();
  });

  it('a training CLI killed mid-run is marked failed on the next start, with its best checkpoint kept', async () => {
    const child = startCli(ws.dir, ['train', '--dataset', 'swatches', '--algorithm', 'accurate', '--backbone', 'none', '--no-hpo', '--name', 'to-kill'], { direct: true });
    const done = collect(child);
    const id = await watchRun('a checkpoint of to-kill', (runs) => runs.find((r) => r.name === 'to-kill' && r.metrics !== null)?.id);
    child.kill('SIGKILL');
    await done;
    // The next start finds it, marks it failed and says so (the UI shows this list as a banner).
    const next = await openStudio({ workspace: ws.dir });
    try {
      const { recovered } = await next.workspaceInfo();
      expect(recovered).toEqual([expect.objectContaining({ runId: id, name: 'to-kill', modelId: expect.any(Number) })]);
    } finally {
      await next.close();
    }
    const shown = parseJson(await runCli(ws.dir, 'runs', 'show', String(id), '--json'));
    expect(shown.status).toBe('failed');
    expect(shown.stopReason).toBe('failed');
    expect(shown.logs.some((l: { message: string }) => /app stopped while this run was training/.test(l.message))).toBe(true);
    const models = parseJson(await runCli(ws.dir, 'models', 'list', '--json'));
    expect(models.find((m: { runId: number }) => m.runId === id)).toMatchObject({ fromCheckpoint: true });
  });
});
