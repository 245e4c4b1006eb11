import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listDevices } from '../../../main/core/training/devices';

describe('listDevices', () => {
  it('names the CUDA GPU (or why there is none usable), the browser GPUs and the CPU cores, without loading TensorFlow.js', async () => {
    const [cuda, webgpu, webgl, cpu] = await listDevices();
    expect(cuda!.id).toBe('cuda');
    // Where tfjs-node-gpu is not installed (this machine, CI), the GPU is never offered as usable, and the reason is given.
    if (!cuda!.usable) expect(cuda!.note).toMatch(/no NVIDIA GPU found|needs @tensorflow\/tfjs-node-gpu/);
    // Without browser hosts nothing was probed, and the entries say how to probe.
    expect(webgpu).toMatchObject({ id: 'webgpu', usable: false });
    expect(webgl).toMatchObject({ id: 'webgl', usable: false });
    expect(webgl!.note).toMatch(/not probed yet/);
    expect(cpu).toMatchObject({ id: 'cpu', usable: true, note: null });
    expect(cpu!.label).toContain(`${cpus().length} core`);
  });
});
