// Picks the browser backend a run trains on. Before a run, each candidate (WebGPU, then WebGL) must
// pass a self-test: WebGL must render to 32-bit float textures (half floats lose training
// precision), and a few training steps of a small conv + depthwise-conv + BatchNorm net on fixed
// data must match the CPU backend's losses and weights within a stated tolerance. A backend that
// fails is skipped with the reason; if none passes, the app trains on its Node host instead.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendReport } from '../../../shared/api';
import type { BrowserBackendName, BrowserDevice, SelfTestResult, TfFlags } from './protocol';

/** Relative difference allowed per step's loss, and absolute difference per weight, vs the CPU backend. */
export const SELF_TEST_TOLERANCE = { loss: 1e-3, weight: 1e-3 } as const;
const STEPS = 3;

interface Trace {
  losses: number[];
  weights: Float32Array;
}

/** STEPS training steps of a fixed model on fixed data on the current backend. */
async function trace(): Promise<Trace> {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(1) }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.reLU(),
      tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: init(2), activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([12, 16, 16, 3], -1, 1, 'float32', 7);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3);
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push(Number(await model.trainOnBatch(x, y)));
  const parts = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
  const weights = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    weights.set(p, at);
    at += p.length;
  }
  x.dispose();
  y.dispose();
  model.dispose();
  return { losses, weights };
}

function compare(reference: Trace, got: Trace): { ok: boolean; detail: string } {
  let lossDiff = 0;
  reference.losses.forEach((l, i) => (lossDiff = Math.max(lossDiff, Math.abs(got.losses[i]! - l) / Math.max(1e-6, Math.abs(l)))));
  let weightDiff = 0;
  for (let i = 0; i < reference.weights.length; i++) weightDiff = Math.max(weightDiff, Math.abs(got.weights[i]! - reference.weights[i]!));
  const finite = got.losses.every(Number.isFinite);
  const ok = finite && lossDiff <= SELF_TEST_TOLERANCE.loss && weightDiff <= SELF_TEST_TOLERANCE.weight;
  const numbers = `${STEPS} training steps vs the CPU backend: max relative loss difference ${lossDiff.toExponential(1)} (allowed ${SELF_TEST_TOLERANCE.loss}), max weight difference ${weightDiff.toExponential(1)} (allowed ${SELF_TEST_TOLERANCE.weight})`;
  return { ok, detail: finite ? numbers : `losses are not finite (${got.losses.join(', ')})` };
}

/** Applies debug flags (tests force half floats with them) before any backend reads them. */
export function applyFlags(flags: TfFlags | undefined): void {
  for (const [name, value] of Object.entries(flags ?? {})) tf.env().set(name, value);
}

async function use(name: string): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return `the ${name} backend could not be initialised`;
    await tf.ready();
    return null;
  } catch (err) {
    return `the ${name} backend failed to start (${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * Self-tests `wanted` in order and leaves the first that passes as tf's backend. Returns its report,
 * or null when none passed; `results` says what happened to each.
 */
export async function chooseBrowserBackend(wanted: BrowserBackendName[], devices: BrowserDevice[]): Promise<{ report: BackendReport | null; results: SelfTestResult[] }> {
  const results: SelfTestResult[] = [];
  const failed = await use('cpu');
  if (failed) throw new Error(failed);
  const reference = await trace();
  for (const backend of wanted) {
    const device = devices.find((d) => d.backend === backend);
    const label = backend === 'webgpu' ? 'WebGPU' : 'WebGL';
    if (!device) {
      results.push({ backend, ok: false, detail: `${label}: not available in this browser` });
      continue;
    }
    const problem = await use(backend);
    if (problem) {
      results.push({ backend, ok: false, detail: `${label}: ${problem}` });
      continue;
    }
    if (backend === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
      results.push({ backend, ok: false, detail: `${label}: 32-bit float textures are not in use (half floats would lose training precision)` });
      continue;
    }
    const { ok, detail } = compare(reference, await trace());
    const where = `${label} on ${device.name}${device.software ? ' (software rendering: checks correctness, not speed)' : ''}`;
    if (!ok) {
      results.push({ backend, ok, detail: `${label}: self-test failed, ${detail}` });
      continue;
    }
    const skipped = results.map((r) => r.detail);
    const report: BackendReport = { name: backend, device: 'gpu', detail: `${where}; self-test passed`, skipped };
    results.push({ backend, ok, detail: `${label}: ${detail}`, report });
    return { report, results };
  }
  await use('cpu');
  return { report: null, results };
}
