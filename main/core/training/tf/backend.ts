/**
 * Picks and initialises the TensorFlow.js backend used for training and
 * inference. Everything in main/core uses `@tensorflow/tfjs-core` as the tf
 * namespace; tfjs-core keeps its engine and kernel registry on the global
 * object, so the native packages (which bring their own copy of the
 * `@tensorflow/tfjs` union package) register into the same engine.
 *
 * Order of preference:
 *   1. `@tensorflow/tfjs-node-gpu` (device 'auto' | 'gpu') — used as a GPU
 *      backend only if TensorFlow actually sees a GPU (the backend's
 *      `isUsingGpuDevice`, which the native binding sets when TF's device list
 *      has a "GPU" entry; with CUDA/cuDNN missing TF silently falls back to CPU).
 *   2. `@tensorflow/tfjs-node` (device 'auto' | 'cpu').
 *   3. `@tensorflow/tfjs-backend-wasm` (device 'auto' | 'cpu'), plus the
 *      gradient kernels it lacks and a faster Conv2DBackpropInput (./wasm-kernels).
 *   4. `@tensorflow/tfjs-backend-cpu` (device 'auto' | 'cpu'), last resort.
 * The two native packages are optional and tried at run time; at most one of
 * them is ever loaded into a process (both would register a 'tensorflow'
 * backend over their own libtensorflow). When tfjs-node-gpu loads but sees no
 * GPU, 'auto' still uses it — TensorFlow on the CPU beats wasm — and reports
 * device 'cpu'.
 *
 * Environment: `AUTOLEARN_BACKEND=wasm|cpu|tensorflow` forces one backend
 * (tests, benchmarks, working around a broken native install):
 *   - `tensorflow`: only the native packages (tfjs-node-gpu unless device is
 *     'cpu', then tfjs-node);
 *   - `wasm` / `cpu`: only that backend (with device 'gpu' this is an error).
 * If the forced backend cannot be initialised, initBackend throws.
 *
 * No electron imports here: this runs in the CLI, the tests and the Electron
 * main process alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { StudioError } from '../../../shared/api';
import { registerWasmGradientKernels, replaceWasmConv2DBackpropInput } from './wasm-kernels';
import { registerWasmFastPaths } from './wasm-fast-paths';

export type DeviceChoice = 'auto' | 'gpu' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend name, as `tf.getBackend()` reports it. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Where the ops run. */
  device: 'gpu' | 'cpu';
  /** The package that provides the backend, e.g. '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'. */
  package: string;
  /** One human line, e.g. "WASM (SIMD, 1 thread)", "TensorFlow 2.9.1 via tfjs-node-gpu, CUDA GPU". */
  detail: string;
  /** Why each earlier candidate was not used, e.g. "@tensorflow/tfjs-node-gpu: not installed". */
  skipped: string[];
}

type ForcedBackend = 'wasm' | 'cpu' | 'tensorflow';

const NODE_GPU = '@tensorflow/tfjs-node-gpu';
const NODE_CPU = '@tensorflow/tfjs-node';
const WASM = '@tensorflow/tfjs-backend-wasm';
const CPU = '@tensorflow/tfjs-backend-cpu';

const GPU_HELP =
  `install ${NODE_GPU} on Linux with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1 ` +
  `(npm install ${NODE_GPU}), or train on the CPU with --device cpu`;

/** What we know about the native TensorFlow backend object (NodeJSKernelBackend in tfjs-node). */
interface NodeBackendLike {
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string; isUsingGpuDevice?: () => boolean };
}

/** The native package loaded into this process, if any (at most one ever is). */
let nativeLoaded: { pkg: string; usesGpu: boolean; tfVersion: string } | null = null;
let cache: { key: string; promise: Promise<BackendInfo> } | null = null;

/**
 * Initialise the best backend for `device` and make it tf's current backend.
 * Idempotent: repeated calls with the same choice (and same AUTOLEARN_BACKEND)
 * return the same info object; a different choice re-initialises.
 * @throws StudioError('invalid_input', …, 'device') when 'gpu' is asked for and
 *   no GPU backend is usable, or when AUTOLEARN_BACKEND names a backend that
 *   cannot be used.
 */
export async function initBackend(device: DeviceChoice): Promise<BackendInfo> {
  const forced = readForced();
  const key = `${device}|${forced ?? ''}`;
  if (cache !== null && cache.key === key) {
    const info = await cache.promise;
    // Someone may have switched backends in between (tests do): switch back.
    if (tf.getBackend() !== info.name) await activate(info.name);
    return info;
  }
  const promise = choose(device, forced);
  cache = { key, promise };
  try {
    return await promise;
  } catch (err) {
    if (cache?.promise === promise) cache = null;
    throw err;
  }
}

function readForced(): ForcedBackend | undefined {
  const raw = process.env['AUTOLEARN_BACKEND']?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'wasm' || raw === 'cpu' || raw === 'tensorflow') return raw;
  throw new StudioError(
    'invalid_input',
    `AUTOLEARN_BACKEND='${raw}' is not a backend; use wasm, cpu or tensorflow, or unset it`,
    'device',
  );
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : typeof err === 'object' && err !== null && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  return (msg.split('\n')[0] ?? '').trim() || 'unknown error';
}

type Attempt = { info: Omit<BackendInfo, 'skipped'> } | { skip: string };

async function choose(device: DeviceChoice, forced: ForcedBackend | undefined): Promise<BackendInfo> {
  const skipped: string[] = [];
  const candidates: Array<() => Promise<Attempt>> = [];

  if (forced === undefined || forced === 'tensorflow') {
    if (device !== 'cpu') candidates.push(() => tryNative(NODE_GPU, device));
    if (device !== 'gpu') candidates.push(() => tryNative(NODE_CPU, device));
  }
  if (device !== 'gpu') {
    if (forced === undefined || forced === 'wasm') candidates.push(tryWasm);
    if (forced === undefined || forced === 'cpu') candidates.push(tryCpu);
  } else if (forced === 'wasm' || forced === 'cpu') {
    throw new StudioError(
      'invalid_input',
      `--device gpu cannot be used while AUTOLEARN_BACKEND=${forced} forces a CPU backend; unset AUTOLEARN_BACKEND or use --device cpu`,
      'device',
    );
  }

  for (const attempt of candidates) {
    const r = await attempt();
    if ('info' in r) return { ...r.info, skipped };
    skipped.push(r.skip);
  }

  const tried = skipped.length > 0 ? ` Tried: ${skipped.join('; ')}.` : '';
  if (device === 'gpu') {
    throw new StudioError('invalid_input', `No usable GPU backend.${tried} To train on a GPU, ${GPU_HELP}.`, 'device');
  }
  if (forced !== undefined) {
    throw new StudioError(
      'invalid_input',
      `AUTOLEARN_BACKEND=${forced} but that backend could not be initialised.${tried} Unset AUTOLEARN_BACKEND to pick one automatically.`,
      'device',
    );
  }
  throw new StudioError('internal', `No TensorFlow.js backend could be initialised.${tried}`, 'device');
}

/** Try @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node. */
async function tryNative(pkg: typeof NODE_GPU | typeof NODE_CPU, device: DeviceChoice): Promise<Attempt> {
  const short = pkg.replace('@tensorflow/', '');
  if (nativeLoaded !== null && nativeLoaded.pkg !== pkg) {
    // The other native package owns 'tensorflow' in this process already; never load both.
    if (pkg === NODE_CPU && !nativeLoaded.usesGpu) {
      // tfjs-node-gpu without a GPU is TensorFlow on the CPU: exactly what tfjs-node would give.
      await activate('tensorflow');
      const other = nativeLoaded.pkg;
      return { info: { name: 'tensorflow', device: 'cpu', package: other, detail: `${tfLabel(nativeLoaded.tfVersion)} via ${other.replace('@tensorflow/', '')}, CPU (no GPU visible)` } };
    }
    const why = nativeLoaded.usesGpu ? ' with a GPU, so its ops would run on the GPU' : '';
    return { skip: `${pkg}: not loaded, ${nativeLoaded.pkg} is already loaded in this process${why} (restart to switch)` };
  }
  if (nativeLoaded === null) {
    const require = createRequire(import.meta.url);
    let resolved: string;
    try {
      resolved = require.resolve(pkg);
    } catch {
      return { skip: `${pkg}: not installed` };
    }
    try {
      // CommonJS package with a native addon; loading it registers the 'tensorflow' backend.
      require(resolved);
    } catch (err) {
      return { skip: `${pkg}: failed to load (${firstLine(err)})` };
    }
    try {
      await activate('tensorflow');
    } catch (err) {
      return { skip: `${pkg}: loaded but the 'tensorflow' backend failed to start (${firstLine(err)})` };
    }
    const b = tf.backend() as unknown as NodeBackendLike;
    const usesGpu = b.isUsingGpuDevice ?? b.binding?.isUsingGpuDevice?.() ?? pkg === NODE_GPU;
    nativeLoaded = { pkg, usesGpu, tfVersion: b.binding?.TF_Version ?? '' };
  } else {
    await activate('tensorflow');
  }

  const { usesGpu, tfVersion } = nativeLoaded;
  const tfName = tfLabel(tfVersion);
  if (pkg === NODE_GPU) {
    if (usesGpu && device !== 'cpu') {
      return { info: { name: 'tensorflow', device: 'gpu', package: pkg, detail: `${tfName} via ${short}, CUDA GPU` } };
    }
    if (device === 'gpu') {
      return {
        skip: `${pkg}: loaded, but TensorFlow sees no GPU (no NVIDIA GPU, or the CUDA 11.2 / cuDNN 8.1 libraries were not found)`,
      };
    }
    // 'auto': TensorFlow on the CPU is still far faster than wasm, and tfjs-node cannot be loaded next to it.
    return { info: { name: 'tensorflow', device: 'cpu', package: pkg, detail: `${tfName} via ${short}, CPU (no GPU visible)` } };
  }
  return { info: { name: 'tensorflow', device: 'cpu', package: pkg, detail: `${tfName} via ${short}, CPU` } };
}

function tfLabel(tfVersion: string): string {
  return tfVersion !== '' ? `TensorFlow ${tfVersion}` : 'TensorFlow';
}

async function tryWasm(): Promise<Attempt> {
  let wasm: { getThreadsCount?: () => number };
  try {
    // Loading the package registers the 'wasm' backend (the .wasm binary is read on setBackend).
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    return { skip: `${WASM}: failed to load (${firstLine(err)})` };
  }
  registerWasmGradientKernels();
  // Before the fast paths: they wrap whatever Conv2DBackpropInput is registered (1×1 → their matmul, else this one).
  replaceWasmConv2DBackpropInput();
  registerWasmFastPaths();
  try {
    await activate('wasm');
  } catch (err) {
    return { skip: `${WASM}: failed to start (${firstLine(err)})` };
  }
  let simd = false;
  try {
    simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  } catch {
    // flag unknown: report without SIMD
  }
  let threads = 1;
  try {
    threads = wasm.getThreadsCount?.() ?? 1;
  } catch {
    // keep 1
  }
  const parts = [simd ? 'SIMD' : 'no SIMD', `${threads} thread${threads === 1 ? '' : 's'}`];
  return { info: { name: 'wasm', device: 'cpu', package: WASM, detail: `WASM (${parts.join(', ')})` } };
}

async function tryCpu(): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
  } catch (err) {
    return { skip: `${CPU}: failed to start (${firstLine(err)})` };
  }
  return { info: { name: 'cpu', device: 'cpu', package: CPU, detail: 'plain JavaScript (tfjs-backend-cpu), slow' } };
}
