// The wasm fast paths for depthwise-convolution gradients (stride 1, same padding, odd kernel — the
// detector head's separable convs and MobileNet's stride-1 blocks) must give the cpu backend's
// results, and leave other cases to the JS kernels (which must agree too).

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/core/training/tf/backend';

beforeAll(async () => {
  await initBackend('auto');
});

async function both(shapes: number[][], fn: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const results: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const out = tf.tidy(() => fn(...shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', i + 1))));
    results.push(out.map((t) => Float32Array.from(t.dataSync())));
    tf.dispose(out);
  }
  await tf.setBackend('wasm');
  return [results[0]!, results[1]!];
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  expect(worst).toBeLessThan(1e-4);
}

describe('wasm depthwise gradient fast paths', () => {
  it.each([
    ['3×3 same (fast path)', [2, 7, 6, 5], [3, 3, 5, 1], 1, 'same'],
    ['5×5 same, batch 1 (fast path)', [1, 6, 9, 3], [5, 5, 3, 1], 1, 'same'],
    ['3×3 stride 2 (JS kernel)', [2, 8, 8, 4], [3, 3, 4, 1], 2, 'same'],
    ['3×3 valid (JS kernel)', [2, 6, 6, 4], [3, 3, 4, 1], 1, 'valid'],
    ['3×3 multiplier 2 (JS kernel)', [1, 5, 5, 3], [3, 3, 3, 2], 1, 'same'],
  ] as const)('depthwiseConv2d gradients match the cpu backend: %s', async (_, xShape, wShape, stride, pad) => {
    const [want, got] = await both([[...xShape], [...wShape], [1]], (x, w, r) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)), r!)));
      return g([x!, w!]);
    });
    want.forEach((w, i) => expectClose(got[i]!, w));
  });
});
