// tsx test/bench/wasm-kernels-bench.ts — one training step of a small conv net on the tfjs cpu backend
// vs the wasm backend with our gradient kernels (main/core/training/tf/wasm-kernels.ts), before and
// after replacing wasm's own Conv2DBackpropInput, and each kernel alone at the net's shapes. Median of 3 timed runs after one warm-up.
// BENCH_BATCH (default 32) and BENCH_SIZE (default 32, even) set the batch and image side. The cpu
// backend is the slow part: at the defaults the whole bench takes a few minutes on 2 cores;
// BENCH_SIZE=64 is ~4× that.
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerWasmGradientKernels, replaceWasmConv2DBackpropInput } from '../../main/core/training/tf/wasm-kernels';

const BATCH = Number(process.env['BENCH_BATCH'] ?? 32);
const SIZE = Number(process.env['BENCH_SIZE'] ?? 32);
const RUNS = 3;
type Backend = 'cpu' | 'wasm';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/**
 * Time `fn`: one warm-up, then RUNS runs; returns the median in ms. A warm-up slower than 2 s counts
 * as the first run (the JIT is warm long before; this keeps the cpu backend's minutes-long runs bounded).
 */
async function time(fn: () => Promise<void> | void): Promise<{ median: number; all: number[] }> {
  const all: number[] = [];
  let t = performance.now();
  await fn();
  const warm = performance.now() - t;
  if (warm > 2000) all.push(warm);
  while (all.length < RUNS) {
    t = performance.now();
    await fn();
    all.push(performance.now() - t);
  }
  return { median: median(all), all };
}

function buildModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

async function trainStep(backend: Backend, init: tf.Tensor[] | null): Promise<{ ms: number; all: number[]; init: tf.Tensor[] }> {
  await tf.setBackend(backend);
  const model = buildModel();
  if (init !== null) model.setWeights(init);
  const weights = model.getWeights().map((w) => w.clone());
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 10), 'int32'), 10);
  const r = await time(async () => {
    await model.trainOnBatch(x, y);
  });
  tf.dispose([x, y]);
  model.dispose();
  return { ms: r.median, all: r.all, init: weights };
}

interface KernelCase {
  label: string;
  kernel: string;
  inputs: Record<string, { shape: number[]; dtype: 'float32' | 'int32'; values: Float32Array | Int32Array }>;
  attrs: Record<string, unknown>;
}

function rand(shape: number[], seed: number, relu = false): { shape: number[]; dtype: 'float32'; values: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; ++i) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    const v = a / 2 ** 31 - 1;
    values[i] = relu && v < 0 ? 0 : v;
  }
  return { shape, dtype: 'float32', values };
}

/** The gradient kernels at the shapes the net above uses (UnsortedSegmentSum: an embedding-like gather grad). */
function kernelCases(): KernelCase[] {
  const h2 = SIZE / 2;
  const segRows = 2048;
  const segments = 100;
  return [
    {
      label: `Conv2DBackpropFilter x[${BATCH},${SIZE},${SIZE},3] → [3,3,3,16] s1`,
      kernel: 'Conv2DBackpropFilter',
      inputs: { x: rand([BATCH, SIZE, SIZE, 3], 2), dy: rand([BATCH, SIZE, SIZE, 16], 3) },
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 16] },
    },
    {
      label: `Conv2DBackpropFilter x[${BATCH},${SIZE},${SIZE},16] → [3,3,16,32] s2`,
      kernel: 'Conv2DBackpropFilter',
      inputs: { x: rand([BATCH, SIZE, SIZE, 16], 4, true), dy: rand([BATCH, h2, h2, 32], 5) },
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 32] },
    },
    {
      label: `DepthwiseConv2dNativeBackpropFilter x[${BATCH},${h2},${h2},32] k3`,
      kernel: 'DepthwiseConv2dNativeBackpropFilter',
      inputs: { x: rand([BATCH, h2, h2, 32], 6, true), dy: rand([BATCH, h2, h2, 32], 7) },
      attrs: { strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 32, 1] },
    },
    {
      label: `DepthwiseConv2dNativeBackpropInput dy[${BATCH},${h2},${h2},32] k3`,
      kernel: 'DepthwiseConv2dNativeBackpropInput',
      inputs: { dy: rand([BATCH, h2, h2, 32], 8), filter: rand([3, 3, 32, 1], 9) },
      attrs: { strides: 1, dilations: 1, pad: 'same', inputShape: [BATCH, h2, h2, 32] },
    },
    {
      label: `UnsortedSegmentSum x[${segRows},64] → ${segments} segments`,
      kernel: 'UnsortedSegmentSum',
      inputs: {
        x: rand([segRows, 64], 10),
        segmentIds: { shape: [segRows], dtype: 'int32', values: Int32Array.from({ length: segRows }, (_, i) => (i * 37) % segments) },
      },
      attrs: { numSegments: segments },
    },
  ];
}

async function timeKernel(backend: Backend, c: KernelCase): Promise<number> {
  await tf.setBackend(backend);
  const ins: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) ins[k] = tf.tensor(v.values, v.shape, v.dtype);
  const r = await time(() => {
    const out = tf.engine().runKernel(c.kernel, ins, c.attrs as tf.NamedAttrMap) as tf.Tensor;
    out.dataSync();
    out.dispose();
  });
  tf.dispose(Object.values(ins));
  return r.median;
}

async function main(): Promise<void> {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  console.log(`bench:kernels machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version_core}, wasm SIMD ${simd ? 'on' : 'off'}, 1 thread`);
  console.log(`bench:kernels net: ${BATCH}×${SIZE}×${SIZE}×3 → conv3x3/16 → conv3x3/32 s2 → dwconv3x3 → GAP → dense10, SGD, one trainOnBatch`);
  const all = (xs: number[]): string => xs.map((v) => v.toFixed(0)).join('/');

  // Before replaceWasmConv2DBackpropInput: the wasm backend's own (C++ loop) Conv2DBackpropInput.
  const inputCase = conv2DBackpropInputCase();
  const nativeInputMs = await timeKernel('wasm', inputCase);
  const cpu = await trainStep('cpu', null);
  const wasmNative = await trainStep('wasm', cpu.init);
  replaceWasmConv2DBackpropInput();
  const wasm = await trainStep('wasm', cpu.init);
  tf.dispose([...cpu.init, ...wasmNative.init, ...wasm.init]);
  console.log(`bench:kernels train-step cpu                               ${fmt(cpu.ms).padStart(9)} (runs ${all(cpu.all)} ms)`);
  console.log(`bench:kernels train-step wasm + gradient kernels           ${fmt(wasmNative.ms).padStart(9)} (runs ${all(wasmNative.all)} ms)  ×${(cpu.ms / wasmNative.ms).toFixed(1)} vs cpu`);
  console.log(`bench:kernels train-step wasm + GEMM Conv2DBackpropInput   ${fmt(wasm.ms).padStart(9)} (runs ${all(wasm.all)} ms)  ×${(cpu.ms / wasm.ms).toFixed(1)} vs cpu`);

  for (const c of [...kernelCases(), inputCase]) {
    const cpuMs = await timeKernel('cpu', c);
    const wasmMs = await timeKernel('wasm', c);
    const native = c === inputCase ? `  (wasm's own kernel ${fmt(nativeInputMs)})` : '';
    console.log(`bench:kernels ${c.label.padEnd(60)} cpu ${fmt(cpuMs).padStart(9)}  wasm ${fmt(wasmMs).padStart(9)}  ×${(cpuMs / wasmMs).toFixed(0)}${native}`);
  }
}

/** The net's second conv layer, input gradient. */
function conv2DBackpropInputCase(): KernelCase {
  return {
    label: `Conv2DBackpropInput dy[${BATCH},${SIZE / 2},${SIZE / 2},32] → [${BATCH},${SIZE},${SIZE},16] s2`,
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: rand([BATCH, SIZE / 2, SIZE / 2, 32], 11), filter: rand([3, 3, 16, 32], 12) },
    attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [BATCH, SIZE, SIZE, 16] },
  };
}

await main();
