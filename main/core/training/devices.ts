// What the Resources field offers (seed 004's "GPU数量及GPU类型"), found without loading TensorFlow.js:
// NVIDIA GPUs by name and count from nvidia-smi and whether tfjs-node-gpu (CUDA) is installed to use
// them; the GPU a browser training host reported (WebGPU adapter, WebGL renderer); the CPU cores
// the WASM/CPU backends use. The run records what trained it.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import type { DeviceChoice, DeviceInfo } from '../../shared/api';
import type { BrowserHosts } from './browser/hosts';
import type { BrowserBackendName, BrowserDevice } from './browser/protocol';

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

/** Whether CUDA training can be tried: an NVIDIA GPU and tfjs-node-gpu installed. */
export async function cudaUsable(): Promise<boolean> {
  return installed('@tensorflow/tfjs-node-gpu') && (await nvidiaGpus()).length > 0;
}

function browserDevice(backend: BrowserBackendName, found: BrowserDevice[], probed: boolean): DeviceInfo {
  const label = backend === 'webgpu' ? 'WebGPU' : 'WebGL';
  const d = found.find((x) => x.backend === backend);
  if (d) return { id: backend, label: `GPU: ${d.name} (${label}${d.software ? ', software rendering' : ''})`, usable: true, note: d.software ? 'software rendering: trains correctly but slower than the CPU path' : null };
  return { id: backend, label: `GPU (${label})`, usable: false, note: probed ? `no ${label} adapter in the browser training host` : `not probed yet: open the studio in a browser, or run "devices" to start a headless Chromium` };
}

/**
 * Devices by name. Browser GPUs come from the pages offering to host runs; `probe` starts the
 * headless Chromium when none offers (the CLI's devices command, benchmarks).
 */
export async function listDevices(hosts?: BrowserHosts, probe = false): Promise<DeviceInfo[]> {
  const gpus = await nvidiaGpus();
  const cuda = installed('@tensorflow/tfjs-node-gpu');
  const counts = new Map<string, number>();
  for (const name of gpus) counts.set(name, (counts.get(name) ?? 0) + 1);
  const gpuText = [...counts].map(([name, n]) => `${n} × ${name}`).join(', ');
  const nvidia: DeviceInfo = gpus.length
    ? { id: 'cuda', label: `GPU: ${gpuText} (CUDA via tfjs-node-gpu)`, usable: cuda, note: cuda ? null : 'the GPU needs @tensorflow/tfjs-node-gpu (with CUDA 11.2 and cuDNN 8.1), which is not installed' }
    : { id: 'cuda', label: 'GPU (CUDA)', usable: false, note: 'no NVIDIA GPU found (nvidia-smi)' };
  const browser = hosts ? await hosts.devices(probe).catch(() => null) : null;
  const cores = cpus().length;
  const cpu: DeviceInfo = { id: 'cpu', label: `CPU: ${cores} core${cores === 1 ? '' : 's'} (${installed('@tensorflow/tfjs-node') ? 'TensorFlow via tfjs-node' : 'WASM, 1 thread per run'})`, usable: true, note: null };
  return [nvidia, browserDevice('webgpu', browser ?? [], browser !== null), browserDevice('webgl', browser ?? [], browser !== null), cpu];
}

/** Where a run trains: the Node host with a tfjs device, or a browser host with its backends in order. */
export type Route = { host: 'node'; device: 'auto' | 'gpu' | 'cpu' } | { host: 'browser'; backends: BrowserBackendName[] };

export async function routeFor(choice: DeviceChoice): Promise<Route> {
  switch (choice) {
    case 'auto':
    case 'cpu':
      return { host: 'node', device: choice };
    case 'cuda':
      return { host: 'node', device: 'gpu' };
    case 'webgpu':
      return { host: 'browser', backends: ['webgpu', 'webgl'] };
    case 'webgl':
      return { host: 'browser', backends: ['webgl'] };
    case 'gpu':
      return (await cudaUsable()) ? { host: 'node', device: 'gpu' } : { host: 'browser', backends: ['webgpu', 'webgl'] };
  }
}
