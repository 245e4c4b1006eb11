// The wasm fast paths (1×1 conv gradients as matrix products, Tile by rows) must give the cpu
// backend's results for every shape they take, and leave other shapes to the old kernels.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../main/core/training/tf/backend';

beforeAll(async () => {
  await initBackend('auto');
});

/** Values of what `fn` returns on the cpu backend and on wasm, from the same inputs. */
async function both(inputs: Array<{ shape: number[]; seed: number; dtype?: 'float32' | 'int32' }>, fn: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const results: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const out = tf.tidy(() => fn(...inputs.map((i) => (i.dtype === 'int32' ? tf.randomUniform(i.shape, -50, 50, 'int32', i.seed) : tf.randomNormal(i.shape, 0, 1, 'float32', i.seed)))));
    results.push(out.map((t) => Float32Array.from(t.dataSync())));
    tf.dispose(out);
  }
  await tf.setBackend('wasm');
  return [results[0]!, results[1]!];
}

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scale);
  expect(worst).toBeLessThan(1e-4);
}

describe('wasm fast paths', () => {
  it.each([
    ['1×1 same', [2, 5, 7, 6], [1, 1, 6, 4], 'same', 1],
    ['1×1 valid, batch 1', [1, 3, 3, 8], [1, 1, 8, 3], 'valid', 1],
    ['1×1 stride 2 (old kernel)', [2, 6, 6, 4], [1, 1, 4, 5], 'same', 2],
    ['3×3 (old kernel)', [2, 6, 5, 3], [3, 3, 3, 4], 'same', 1],
  ] as const)('conv2d gradients match the cpu backend: %s', async (_, xShape, wShape, pad, stride) => {
    const [want, got] = await both([{ shape: [...xShape], seed: 1 }, { shape: [...wShape], seed: 2 }], (x, w) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), tf.randomNormal([1], 0, 1, 'float32', 3))));
      return g([x!, w!]);
    });
    want.forEach((w, i) => expectClose(got[i]!, w));
  });

  it.each([
    ['Aᵀ·B', [3, 5, 4], [3, 5, 6], true, false],
    ['A·Bᵀ', [3, 4, 5], [3, 6, 5], false, true],
    ['Aᵀ·Bᵀ, rank 2', [5, 4], [6, 5], true, true],
    ['A·B (old kernel)', [2, 3, 4], [2, 4, 5], false, false],
  ] as const)('matMul with transposes matches the cpu backend, and its gradients too: %s', async (_, aShape, bShape, ta, tb) => {
    const [want, got] = await both([{ shape: [...aShape], seed: 5 }, { shape: [...bShape], seed: 6 }], (a, b) => {
      const product = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb);
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(product(x, y), tf.randomNormal([1], 0, 1, 'float32', 7))));
      return [product(a!, b!), ...g([a!, b!])];
    });
    want.forEach((w, i) => expectClose(got[i]!, w));
  });

  it('matMul with a transpose broadcasts batch dimensions as the cpu backend does (forward only: tfjs has no gradient for it)', async () => {
    const [want, got] = await both([{ shape: [1, 7, 2], seed: 8 }, { shape: [4, 7, 3], seed: 9 }], (a, b) => [tf.matMul(a!, b!, true, false)]);
    expectClose(got[0]!, want[0]!);
  });

  it.each([
    [[1, 1, 1, 5], [2, 3, 4, 1]],
    [[2, 3], [3, 2]],
    [[4], [3]],
    [[2, 1, 3], [1, 4, 2]],
  ])('tile %j by %j matches the cpu backend (float32 and int32)', async (shape, reps) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const [want, got] = await both([{ shape, seed: 4, dtype }], (x) => [tf.tile(x!, reps)]);
      expectClose(got[0]!, want[0]!);
    }
  });
});
