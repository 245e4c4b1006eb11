// `devices` lists what --device can use by name; the browser GPUs come from the headless Chromium it
// starts (SwiftShader here, named as software rendering).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../main/core/training/browser/hosts';
import type { DeviceInfo } from '../../main/shared/api';
import { collect, startCli } from '../helpers/cli';

const chromium = findChromium();
if (!chromium) console.warn('skipping the devices command test: no Chromium found (apt-get install -y chromium, or set AUTOLEARN_CHROMIUM)');

describe.skipIf(!chromium)('devices command', () => {
  it('names the CUDA, WebGPU, WebGL and CPU paths and whether each is usable', async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'devices-cli-'));
    process.env['AUTOLEARN_CHROMIUM_ARGS'] = '--enable-unsafe-swiftshader --use-angle=swiftshader';
    try {
      const run = await collect(startCli(workspace, ['--json', 'devices']));
      expect(run.code, run.stderr).toBe(0);
      const devices = JSON.parse(run.stdout) as DeviceInfo[];
      expect(devices.map((d) => d.id)).toEqual(['cuda', 'webgpu', 'webgl', 'cpu']);
      const webgl = devices.find((d) => d.id === 'webgl')!;
      expect(webgl.usable).toBe(true);
      expect(webgl.label).toMatch(/^GPU: .*SwiftShader.*\(WebGL, software rendering\)$/);
      expect(devices.find((d) => d.id === 'cpu')!.usable).toBe(true);
    } finally {
      delete process.env['AUTOLEARN_CHROMIUM_ARGS'];
      await rm(workspace, { recursive: true, force: true });
    }
  }, 120_000);
});
