// What the Resources field offers (seed 004's "GPU数量及GPU类型"), found without loading TensorFlow.js:
// NVIDIA GPUs by name and count from nvidia-smi, whether tfjs-node-gpu (the CUDA backend) is
// installed to use them, and the CPU cores the WASM/CPU backends use. The run records what trained it.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import type { DeviceInfo } from '../../shared/api';

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** GPU names reported by nvidia-smi (none when it is missing or fails within 3 s). */
function nvidiaGpus(): Promise<string[]> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { timeout: 3000 }, (err, stdout) => {
      resolve(err ? [] : stdout.split('\n').map((l) => l.trim()).filter(Boolean));
    });
  });
}

export async function listDevices(): Promise<DeviceInfo[]> {
  const gpus = await nvidiaGpus();
  const cuda = installed('@tensorflow/tfjs-node-gpu');
  const counts = new Map<string, number>();
  for (const name of gpus) counts.set(name, (counts.get(name) ?? 0) + 1);
  const gpuText = [...counts].map(([name, n]) => `${n} × ${name}`).join(', ');
  const gpu: DeviceInfo = gpus.length
    ? { id: 'gpu', label: `GPU: ${gpuText} (CUDA via tfjs-node-gpu)`, usable: cuda, note: cuda ? null : 'the GPU needs @tensorflow/tfjs-node-gpu (with CUDA 11.2 and cuDNN 8.1), which is not installed' }
    : { id: 'gpu', label: 'GPU', usable: false, note: 'no NVIDIA GPU found (nvidia-smi)' };
  const cores = cpus().length;
  const cpu: DeviceInfo = { id: 'cpu', label: `CPU: ${cores} core${cores === 1 ? '' : 's'} (${installed('@tensorflow/tfjs-node') ? 'TensorFlow via tfjs-node' : 'WASM, 1 thread per run'})`, usable: true, note: null };
  return [gpu, cpu];
}
