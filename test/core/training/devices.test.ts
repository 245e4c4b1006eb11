import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { listDevices } from '../../../main/core/training/devices';

describe('listDevices', () => {
  it('names the GPU (or why there is none usable) and the CPU cores, without loading TensorFlow.js', async () => {
    const [gpu, cpu] = await listDevices();
    expect(gpu!.id).toBe('gpu');
    // Where tfjs-node-gpu is not installed (this machine, CI), the GPU is never offered as usable, and the reason is given.
    if (!gpu!.usable) expect(gpu!.note).toMatch(/no NVIDIA GPU found|needs @tensorflow\/tfjs-node-gpu/);
    expect(cpu).toMatchObject({ id: 'cpu', usable: true, note: null });
    expect(cpu!.label).toContain(`${cpus().length} core`);
  });
});
