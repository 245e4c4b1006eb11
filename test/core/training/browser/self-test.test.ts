// The browser host against failures: a deliberately broken backend (WebGL with half-float textures
// forced) must be refused with the reason, the run falling back to the app's own training process
// (WASM); a browser that dies mid-run must fail the run cleanly, and the next run gets a new browser.
// Needs a Chromium (CI installs Debian's); SwiftShader gives it WebGL here.

import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHosts, findChromium, openChromium, type HostPage } from '../../../../main/core/training/browser/hosts';
import { forkWorker, startWorker } from '../../../../main/core/training/host';
import type { WorkerEvent, WorkerSpec } from '../../../../main/core/training/protocol';
import { colourFolder } from '../../../helpers/training';

const chromium = findChromium();
if (!chromium) console.warn('skipping the browser host self-test: no Chromium found (apt-get install -y chromium, or set AUTOLEARN_CHROMIUM)');

describe.skipIf(!chromium)('browser training host self-test', () => {
  let root = '';
  let spec: WorkerSpec;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'browser-host-'));
    const data = await colourFolder(join(root, 'data'), { perClass: 6 });
    const images = ['blue', 'red'].flatMap((label) => readdirSync(join(data, label)).map((f, i) => ({ path: join(data, label, f), label, split: (i < 1 ? 'val' : 'train') as 'val' | 'train' })));
    spec = { runId: 1, type: 'classification', runDir: join(root, 'run'), algorithm: 'fast', device: 'webgl', seed: 2, budgetMs: 120_000, hpo: false, labels: ['blue', 'red'], images, backbone: null, baseModel: null, limits: { maxEpochs: 1 } };
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('refuses WebGL with half-float textures forced, says why, and falls back to the WASM process', async () => {
    const hosts = new BrowserHosts({ chromiumArgs: ['--enable-unsafe-swiftshader', '--use-angle=swiftshader'], flags: { WEBGL_FORCE_F16_TEXTURES: true } });
    const events: WorkerEvent[] = [];
    let fellBack = false;
    try {
      const run = hosts.start(spec, ['webgl'], (e) => events.push(e), () => {
        fellBack = true;
        return startWorker(forkWorker, { ...spec, device: 'cpu' }, (e) => events.push(e));
      });
      const outcome = await run.done;
      const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
      expect(logs.some((m) => /self-test WebGL: 32-bit float textures are not in use/.test(m)), logs.join('\n')).toBe(true);
      expect(logs.some((m) => /no GPU backend of the browser passed its self-test; training on this computer's CPU instead/.test(m))).toBe(true);
      expect(fellBack).toBe(true);
      // The run trained all the same, and records what trained it.
      const backend = events.find((e) => e.type === 'backend');
      expect(backend?.type === 'backend' && backend.backend.name).toBe('wasm');
      expect(outcome.modelDir).toBe(join(root, 'run', 'model'));
    } finally {
      await hosts.close();
    }
  }, 180_000);

  it('fails a run whose browser dies mid-training with the reason, and opens a new browser for the next run', async () => {
    const swiftshader = ['--enable-unsafe-swiftshader', '--use-angle=swiftshader'];
    const pages: HostPage[] = [];
    const hosts = new BrowserHosts({ openPage: (url) => (pages.push(openChromium(chromium!, swiftshader, url)), pages.at(-1)!) });
    const noFallback = () => {
      throw new Error('no fallback expected: WebGL passes its self-test here');
    };
    try {
      const long = { ...spec, runDir: join(root, 'killed'), limits: { maxEpochs: 200, patience: 200 } };
      let killed = false;
      const run = hosts.start(long, ['webgl'], (e) => {
        // The GPU process gone mid-run, as after a crash or a GPU reset: at the run's first progress
        // report (images on their way to the worker), the same point however slow the machine is.
        if (e.type === 'progress' && !killed) {
          killed = true;
          void pages[0]!.close();
        }
      }, noFallback);
      await expect(run.done).rejects.toThrow(/the browser training host went away/);
      const next = await hosts.start({ ...spec, runDir: join(root, 'next') }, ['webgl'], () => undefined, noFallback).done;
      expect(next.modelDir).toBe(join(root, 'next', 'model'));
      expect(killed).toBe(true);
      expect(pages).toHaveLength(2);
    } finally {
      await hosts.close();
    }
  }, 300_000);
});
