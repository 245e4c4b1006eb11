import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/shared/api';
import { initBackend } from '../../../main/core/training/tf/backend';
import { registerWasmGradientKernels, replaceWasmConv2DBackpropInput } from '../../../main/core/training/tf/wasm-kernels';

type Backend = 'cpu' | 'wasm';
type Pad = 'same' | 'valid' | number;

/** Deterministic pseudo-random values in [-1, 1) (mulberry32). */
function randoms(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Run `fn` with `backend` current; returns the values of the tensors it produced. */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const ts = tf.tidy(fn);
  const vals = ts.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(ts);
  return vals;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string, tol = 1e-4): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; ++i) {
    // Relative to the element and to the tensor's scale (sums of many products cancel).
    const err = Math.abs(actual[i]! - expected[i]!) / (Math.max(Math.abs(expected[i]!), scale * 0.01) + 1e-6);
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${label}: worst rel. error at [${at}]: got ${actual[at]} want ${expected[at]}`).toBeLessThan(tol);
}

/** Compare grads computed on cpu and wasm for the same inputs. */
async function compareGrads(label: string, fn: () => tf.Tensor[]): Promise<void> {
  const want = await on('cpu', fn);
  const got = await on('wasm', fn);
  want.forEach((w, i) => expectClose(got[i]!, w, `${label} #${i}`));
}

beforeAll(async () => {
  registerWasmGradientKernels();
  replaceWasmConv2DBackpropInput();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('wasm gradient kernels', () => {
  it('registers the four kernels for wasm, once', () => {
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
    const before = tf.getKernelsForBackend('wasm').length;
    registerWasmGradientKernels();
    expect(tf.getKernelsForBackend('wasm').length).toBe(before);
  });

  const convCases: Array<{ x: [number, number, number, number]; k: number; co: number; s: number; pad: Pad }> = [
    { x: [2, 7, 9, 3], k: 3, co: 5, s: 1, pad: 'same' },
    { x: [2, 7, 9, 3], k: 3, co: 5, s: 2, pad: 'same' },
    { x: [3, 8, 6, 4], k: 3, co: 6, s: 2, pad: 'valid' },
    { x: [1, 9, 9, 2], k: 5, co: 3, s: 1, pad: 'valid' },
    { x: [2, 6, 7, 3], k: 2, co: 4, s: 2, pad: 'same' },
    { x: [2, 5, 6, 3], k: 3, co: 2, s: 1, pad: 1 },
    { x: [2, 10, 10, 8], k: 1, co: 16, s: 1, pad: 'same' },
  ];
  for (const [i, c] of convCases.entries()) {
    it(`conv2d grads match cpu: x=${c.x} k=${c.k} co=${c.co} stride=${c.s} pad=${c.pad}`, async () => {
      const wShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.co];
      const xv = randoms(size(c.x), 10 + i);
      const wv = randoms(size(wShape), 20 + i);
      await compareGrads(`conv2d case ${i}`, () => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, wShape);
        const outShape = tf.conv2d(x, w, c.s, c.pad).shape;
        const r = tf.tensor(randoms(size(outShape), 30 + i), outShape);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)));
        return g([x, w]);
      });
    });
  }

  it('conv2d filter grad honours explicit [top,bottom]/[left,right] padding', async () => {
    const xs: [number, number, number, number] = [2, 6, 7, 3];
    const ws: [number, number, number, number] = [3, 3, 3, 4];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 2], [0, 1], [0, 0]];
    const xv = randoms(size(xs), 41);
    const wv = randoms(size(ws), 42);
    await compareGrads('conv2d explicit pad', () => {
      const x = tf.tensor4d(xv, xs);
      const w = tf.tensor4d(wv, ws);
      const outShape = tf.conv2d(x, w, [2, 1], pad).shape;
      const r = tf.tensor(randoms(size(outShape), 43), outShape);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], pad), r)))([x, w]);
    });
  });

  it('conv2d filter grad: several im2col chunks, dilations (checked against a direct reference)', async () => {
    await tf.setBackend('wasm');
    const cases: Array<{ x: [number, number, number, number]; k: number; co: number; s: [number, number]; dil: [number, number]; pad: 'same' | 'valid' }> = [
      // K·M = 72 · 4551 > 2^18 floats: two chunks, the boundary in the middle of an image row.
      { x: [3, 41, 37, 8], k: 3, co: 5, s: [1, 1], dil: [1, 1], pad: 'same' },
      { x: [2, 11, 10, 3], k: 3, co: 4, s: [1, 1], dil: [2, 1], pad: 'same' },
      { x: [2, 12, 13, 2], k: 3, co: 3, s: [1, 1], dil: [1, 3], pad: 'valid' },
      { x: [1, 15, 14, 3], k: 2, co: 2, s: [2, 3], dil: [1, 1], pad: 'same' },
    ];
    for (const [i, c] of cases.entries()) {
      const ws: [number, number, number, number] = [c.k, c.k, c.x[3], c.co];
      const info = tf.backend_util.computeConv2DInfo(c.x, ws, c.s, c.dil, c.pad);
      const { outHeight: OH, outWidth: OW } = info;
      const [N, H, W, C] = c.x;
      const xv = randoms(size(c.x), 130 + i);
      const dyv = randoms(N * OH * OW * c.co, 140 + i);
      const x = tf.tensor4d(xv, c.x);
      const dy = tf.tensor4d(dyv, [N, OH, OW, c.co]);
      const dW = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: c.s, dilations: c.dil, pad: c.pad, dataFormat: 'NHWC', filterShape: ws,
      }) as tf.Tensor;
      const ref = new Float64Array(size(ws));
      for (let b = 0; b < N; ++b)
        for (let oh = 0; oh < OH; ++oh)
          for (let ow = 0; ow < OW; ++ow)
            for (let kh = 0; kh < c.k; ++kh)
              for (let kw = 0; kw < c.k; ++kw) {
                const ih = oh * c.s[0] + kh * c.dil[0] - info.padInfo.top;
                const iw = ow * c.s[1] + kw * c.dil[1] - info.padInfo.left;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                for (let ci = 0; ci < C; ++ci)
                  for (let co = 0; co < c.co; ++co)
                    ref[((kh * c.k + kw) * C + ci) * c.co + co]! +=
                      xv[((b * H + ih) * W + iw) * C + ci]! * dyv[((b * OH + oh) * OW + ow) * c.co + co]!;
              }
      expect(dW.shape).toEqual(ws);
      expectClose(Float32Array.from(dW.dataSync()), Float32Array.from(ref), `conv filter ref case ${i}`);
      tf.dispose([x, dy, dW]);
    }
  });

  it('Conv2DBackpropInput (GEMM + col2im): several chunks, strides, padding; NCHW falls back to the native kernel', async () => {
    await tf.setBackend('wasm');
    const cases: Array<{ x: [number, number, number, number]; k: number; co: number; s: [number, number]; pad: 'same' | 'valid' | number }> = [
      // K·M = 72 · 4551 > 2^18 floats: two chunks.
      { x: [3, 41, 37, 8], k: 3, co: 5, s: [1, 1], pad: 'same' },
      { x: [2, 13, 12, 3], k: 3, co: 4, s: [2, 2], pad: 'same' },
      { x: [2, 12, 13, 2], k: 4, co: 3, s: [3, 2], pad: 'valid' },
      { x: [1, 9, 10, 3], k: 3, co: 2, s: [1, 2], pad: 2 },
    ];
    for (const [i, c] of cases.entries()) {
      const ws: [number, number, number, number] = [c.k, c.k, c.x[3], c.co];
      const info = tf.backend_util.computeConv2DInfo(c.x, ws, c.s, 1, c.pad);
      const { outHeight: OH, outWidth: OW } = info;
      const [N, H, W, C] = c.x;
      const wv = randoms(size(ws), 150 + i);
      const dyv = randoms(N * OH * OW * c.co, 160 + i);
      const w = tf.tensor4d(wv, ws);
      const dy = tf.tensor4d(dyv, [N, OH, OW, c.co]);
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
        strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
      }) as tf.Tensor;
      const ref = new Float64Array(size(c.x));
      for (let b = 0; b < N; ++b)
        for (let oh = 0; oh < OH; ++oh)
          for (let ow = 0; ow < OW; ++ow)
            for (let kh = 0; kh < c.k; ++kh)
              for (let kw = 0; kw < c.k; ++kw) {
                const ih = oh * c.s[0] + kh - info.padInfo.top;
                const iw = ow * c.s[1] + kw - info.padInfo.left;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                for (let ci = 0; ci < C; ++ci)
                  for (let co = 0; co < c.co; ++co)
                    ref[((b * H + ih) * W + iw) * C + ci]! +=
                      wv[((kh * c.k + kw) * C + ci) * c.co + co]! * dyv[((b * OH + oh) * OW + ow) * c.co + co]!;
              }
      expect(dx.shape).toEqual(c.x);
      expectClose(Float32Array.from(dx.dataSync()), Float32Array.from(ref), `conv input ref case ${i}`);
      tf.dispose([w, dy, dx]);
    }
    // NCHW goes to the original wasm kernel.
    const ws: [number, number, number, number] = [3, 3, 2, 3];
    const wv = randoms(size(ws), 170);
    const dyv = randoms(2 * 3 * 4 * 5, 171);
    await compareGrads('conv input NCHW', () => [
      tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dyv, [2, 3, 4, 5]), filter: tf.tensor4d(wv, ws) }, {
        strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 8, 9],
      }) as tf.Tensor,
    ]);
  });

  const dwCases: Array<{ x: [number, number, number, number]; k: number; mul: number; s: number; pad: Pad }> = [
    { x: [2, 7, 9, 3], k: 3, mul: 1, s: 1, pad: 'same' },
    { x: [2, 7, 9, 3], k: 3, mul: 2, s: 1, pad: 'same' },
    { x: [2, 9, 8, 4], k: 3, mul: 1, s: 2, pad: 'same' },
    { x: [3, 9, 7, 2], k: 3, mul: 2, s: 2, pad: 'valid' },
    { x: [1, 8, 8, 5], k: 5, mul: 3, s: 1, pad: 'valid' },
    { x: [2, 6, 5, 3], k: 2, mul: 2, s: 2, pad: 'same' },
    { x: [2, 6, 6, 2], k: 3, mul: 1, s: 1, pad: 2 },
  ];
  for (const [i, c] of dwCases.entries()) {
    it(`depthwiseConv2d grads match cpu: x=${c.x} k=${c.k} mul=${c.mul} stride=${c.s} pad=${c.pad}`, async () => {
      const wShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.mul];
      const xv = randoms(size(c.x), 50 + i);
      const wv = randoms(size(wShape), 60 + i);
      await compareGrads(`depthwise case ${i}`, () => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, wShape);
        const outShape = tf.depthwiseConv2d(x, w, c.s, c.pad).shape;
        const r = tf.tensor(randoms(size(outShape), 70 + i), outShape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)))([x, w]);
      });
    });
  }

  const sepCases: Array<{ x: [number, number, number, number]; mul: number; co: number; s: number; pad: 'same' | 'valid' }> = [
    { x: [2, 8, 8, 3], mul: 1, co: 4, s: 1, pad: 'same' },
    { x: [2, 9, 7, 3], mul: 2, co: 5, s: 2, pad: 'same' },
    { x: [3, 7, 7, 2], mul: 2, co: 3, s: 1, pad: 'valid' },
  ];
  for (const [i, c] of sepCases.entries()) {
    it(`separableConv2d grads match cpu: x=${c.x} mul=${c.mul} co=${c.co} stride=${c.s} pad=${c.pad}`, async () => {
      const dwShape: [number, number, number, number] = [3, 3, c.x[3], c.mul];
      const pwShape: [number, number, number, number] = [1, 1, c.x[3] * c.mul, c.co];
      const xv = randoms(size(c.x), 80 + i);
      const dv = randoms(size(dwShape), 81 + i);
      const pv = randoms(size(pwShape), 82 + i);
      await compareGrads(`separable case ${i}`, () => {
        const x = tf.tensor4d(xv, c.x);
        const d = tf.tensor4d(dv, dwShape);
        const p = tf.tensor4d(pv, pwShape);
        const f = (a: tf.Tensor, b: tf.Tensor, e: tf.Tensor): tf.Tensor =>
          tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, e as tf.Tensor4D, c.s, c.pad);
        const outShape = f(x, d, p).shape;
        const r = tf.tensor(randoms(size(outShape), 83 + i), outShape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(f(a, b, e), r)))([x, d, p]);
      });
    });
  }

  it('depthwise backprop kernels honour dilations (checked against a direct reference)', async () => {
    await tf.setBackend('wasm');
    for (const [i, c] of [
      { x: [2, 9, 8, 3], k: 3, mul: 2, dil: 2, pad: 'same' as const },
      { x: [1, 10, 9, 2], k: 3, mul: 1, dil: [2, 3] as [number, number], pad: 'valid' as const },
    ].entries()) {
      const xs = c.x as [number, number, number, number];
      const ws: [number, number, number, number] = [c.k, c.k, xs[3], c.mul];
      const xv = randoms(size(xs), 90 + i);
      const wv = randoms(size(ws), 91 + i);
      const x = tf.tensor4d(xv, xs);
      const w = tf.tensor4d(wv, ws);
      const y = tf.depthwiseConv2d(x, w, 1, c.pad, 'NHWC', c.dil);
      const dyv = randoms(y.size, 92 + i);
      const dy = tf.tensor4d(dyv, y.shape as [number, number, number, number]);
      const attrs = { strides: 1, dilations: c.dil, pad: c.pad };
      const dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: ws }) as tf.Tensor;
      const dX = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs }) as tf.Tensor;
      // Reference straight from the definition: y[b,oh,ow,c*mul+m] = Σ x[b, oh+kh*dh-pt, ow+kw*dw-pl, c] · W[kh,kw,c,m].
      const [dh, dw] = typeof c.dil === 'number' ? [c.dil, c.dil] : c.dil;
      const [, H, W, C] = xs;
      const [, OH, OW, D] = y.shape as [number, number, number, number];
      const pt = c.pad === 'same' ? Math.floor(Math.max(0, (OH - 1) + (c.k - 1) * dh + 1 - H) / 2) : 0;
      const pl = c.pad === 'same' ? Math.floor(Math.max(0, (OW - 1) + (c.k - 1) * dw + 1 - W) / 2) : 0;
      const refW = new Float32Array(size(ws));
      const refX = new Float32Array(size(xs));
      for (let b = 0; b < xs[0]; ++b)
        for (let oh = 0; oh < OH; ++oh)
          for (let ow = 0; ow < OW; ++ow)
            for (let kh = 0; kh < c.k; ++kh)
              for (let kw = 0; kw < c.k; ++kw) {
                const ih = oh + kh * dh - pt;
                const iw = ow + kw * dw - pl;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                for (let ch = 0; ch < C; ++ch)
                  for (let m = 0; m < c.mul; ++m) {
                    const d = ch * c.mul + m;
                    const g = dyv[((b * OH + oh) * OW + ow) * D + d]!;
                    const wi = ((kh * c.k + kw) * C + ch) * c.mul + m;
                    const xi = ((b * H + ih) * W + iw) * C + ch;
                    refW[wi]! += xv[xi]! * g;
                    refX[xi]! += wv[wi]! * g;
                  }
              }
      expectClose(Float32Array.from(dW.dataSync()), refW, `dilated filter grad ${i}`);
      expectClose(Float32Array.from(dX.dataSync()), refX, `dilated input grad ${i}`);
      // Forward sanity: the same padding convention as the wasm forward kernel.
      expect(y.shape).toEqual([xs[0], OH, OW, D]);
      tf.dispose([x, w, y, dy, dW, dX]);
    }
  });

  it('gather grads (UnsortedSegmentSum) match cpu', async () => {
    const table = randoms(11 * 6, 100);
    for (const [i, idx] of [[0, 3, 3, 10, 7, 0, 3], [5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0]].entries()) {
      const r = randoms(idx.length * 6, 101 + i);
      await compareGrads(`gather ${i}`, () => {
        const x = tf.tensor2d(table, [11, 6]);
        const ind = tf.tensor1d(idx, 'int32');
        const rt = tf.tensor2d(r, [idx.length, 6]);
        return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, ind), rt)))(x)];
      });
    }
    // Gather along axis 1 of a 3-D tensor (the gradient transposes, then segment-sums).
    const t3 = randoms(3 * 5 * 4, 110);
    const r3 = randoms(3 * 4 * 4, 111);
    await compareGrads('gather axis 1', () => {
      const x = tf.tensor3d(t3, [3, 5, 4]);
      const ind = tf.tensor1d([4, 0, 4, 2], 'int32');
      const rt = tf.tensor3d(r3, [3, 4, 4]);
      return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, ind, 1), rt)))(x)];
    });
  });

  it('unsortedSegmentSum matches cpu; 2-D ids and dropped ids follow TensorFlow', async () => {
    const xv = randoms(8 * 5, 120);
    await compareGrads('segsum 1d', () => [tf.unsortedSegmentSum(tf.tensor2d(xv, [8, 5]), tf.tensor1d([3, 0, 3, 1, 1, 3, 0, 2], 'int32'), 5)]);
    await compareGrads('segsum rank1', () => [tf.unsortedSegmentSum(tf.tensor1d(xv.subarray(0, 6)), tf.tensor1d([1, 1, 0, 4, 2, 1], 'int32'), 4)]);
    await tf.setBackend('wasm');
    // 2-D ids (a prefix of x's shape; the op's typings say 1-D, the kernel takes any prefix);
    // the cpu kernel cannot broadcast these, so check by hand.
    const ids2 = [0, 1, 1, 2, 2, 2, 0, 1];
    const x2 = tf.tensor3d(xv, [2, 4, 5]);
    const i2 = tf.tensor2d(ids2, [2, 4], 'int32');
    const seg2 = tf.engine().runKernel('UnsortedSegmentSum', { x: x2, segmentIds: i2 }, { numSegments: 3 }) as tf.Tensor;
    tf.dispose([x2, i2]);
    const want2 = new Float32Array(3 * 5);
    ids2.forEach((s, r) => {
      for (let j = 0; j < 5; ++j) want2[s * 5 + j]! += xv[r * 5 + j]!;
    });
    expect(seg2.shape).toEqual([3, 5]);
    expectClose(Float32Array.from(seg2.dataSync()), want2, 'segsum 2d ids');
    seg2.dispose();
    // TensorFlow drops negative / out-of-range ids.
    const out = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 4, 8]), tf.tensor1d([0, -1, 1, 2], 'int32'), 2);
    expect(Array.from(out.dataSync())).toEqual([1, 4]);
    out.dispose();
  });
});

describe('tfjs-layers training on wasm', () => {
  function buildModel(): tfl.Sequential {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'valid', depthMultiplier: 1 }),
        tfl.layers.batchNormalization(),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    return model;
  }

  it('model.fit gives the same losses on wasm as on cpu', async () => {
    const n = 16;
    const xv = randoms(n * 12 * 12 * 3, 200);
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 3);

    const run = async (backend: Backend, init: tf.Tensor[] | null): Promise<{ losses: number[]; init: tf.Tensor[] }> => {
      await tf.setBackend(backend);
      const model = buildModel();
      if (init !== null) model.setWeights(init);
      const weights = model.getWeights().map((w) => w.clone());
      const x = tf.tensor4d(xv, [n, 12, 12, 3]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
      const h = await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
      tf.dispose([x, y]);
      model.dispose();
      return { losses: h.history['loss'] as number[], init: weights };
    };
    const cpu = await run('cpu', null);
    const wasm = await run('wasm', cpu.init);
    tf.dispose(cpu.init);
    tf.dispose(wasm.init);
    expect(cpu.losses).toHaveLength(2);
    expect(wasm.losses).toHaveLength(2);
    for (let e = 0; e < 2; ++e) expect(Math.abs(wasm.losses[e]! - cpu.losses[e]!), `epoch ${e}: ${wasm.losses[e]} vs ${cpu.losses[e]}`).toBeLessThan(1e-3);
    // Training did something.
    expect(cpu.losses[1]).not.toBe(cpu.losses[0]);
  });
});

describe('initBackend', () => {
  const saved = process.env['AUTOLEARN_BACKEND'];
  const installed = (pkg: string): boolean => {
    try {
      createRequire(import.meta.url).resolve(pkg);
      return true;
    } catch {
      return false;
    }
  };
  const hasNodeGpu = installed('@tensorflow/tfjs-node-gpu');
  const hasNode = installed('@tensorflow/tfjs-node');

  beforeAll(() => {
    delete process.env['AUTOLEARN_BACKEND'];
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['AUTOLEARN_BACKEND'];
    else process.env['AUTOLEARN_BACKEND'] = saved;
  });

  it.skipIf(hasNodeGpu || hasNode)("'auto' picks wasm here and says why the native packages were skipped", async () => {
    const info = await initBackend('auto');
    expect(info).toMatchObject({ name: 'wasm', device: 'cpu', package: '@tensorflow/tfjs-backend-wasm' });
    expect(info.detail).toMatch(/^WASM \(/);
    expect(info.skipped).toEqual(['@tensorflow/tfjs-node-gpu: not installed', '@tensorflow/tfjs-node: not installed']);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    // Idempotent: same object back, and the backend is restored if someone switched it.
    await tf.setBackend('cpu');
    expect(await initBackend('auto')).toBe(info);
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(hasNodeGpu)("'gpu' without a GPU package throws StudioError on field 'device'", async () => {
    const err = await initBackend('gpu').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StudioError);
    const se = err as StudioError;
    expect(se.code).toBe('invalid_input');
    expect(se.field).toBe('device');
    expect(se.message).toContain('@tensorflow/tfjs-node-gpu');
    expect(se.message).toContain('--device cpu');
  });

  it.skipIf(hasNode)("'cpu' works (wasm here)", async () => {
    const info = await initBackend('cpu');
    expect(info.device).toBe('cpu');
    expect(info.name).toBe('wasm');
    expect(info.skipped).toEqual(['@tensorflow/tfjs-node: not installed']);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });

  it('AUTOLEARN_BACKEND forces a backend; a bad value is rejected', async () => {
    process.env['AUTOLEARN_BACKEND'] = 'cpu';
    const info = await initBackend('auto');
    expect(info).toMatchObject({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', skipped: [] });
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend('gpu')).rejects.toMatchObject({ code: 'invalid_input', field: 'device' });
    process.env['AUTOLEARN_BACKEND'] = 'webgl';
    await expect(initBackend('auto')).rejects.toMatchObject({ code: 'invalid_input', field: 'device' });
    delete process.env['AUTOLEARN_BACKEND'];
  });
});
