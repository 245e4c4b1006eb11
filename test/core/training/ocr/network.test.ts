import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctcLossMean } from '../../../../main/core/training/ocr/ctc';
import { DEFAULT_RECOGNIZER, buildRecognizer, framesFor, recognizerGeometry, type SequenceKind } from '../../../../main/core/training/ocr/network';
import { initBackend } from '../../../../main/core/training/tf/backend';

beforeAll(async () => {
  await initBackend('cpu'); // wasm here
});

describe('CRNN recognizer', () => {
  it('maps a [32, W, 3] line to [W/4, classes] logits', () => {
    const model = buildRecognizer({ classes: 12, width: 64, filters: [8, 8, 8, 8], units: 8 });
    expect(recognizerGeometry(model)).toEqual({ height: 32, width: 64, frames: 16, classes: 12 });
    expect(framesFor(256)).toBe(64);
    const y = model.predict(tf.zeros([2, 32, 64, 3])) as tf.Tensor;
    expect(y.shape).toEqual([2, 16, 12]);
    y.dispose();
    model.dispose();
    expect(DEFAULT_RECOGNIZER).toMatchObject({ height: 32, width: 256, sequence: 'bigru', group: 2 });
  });

  it('refuses shapes it cannot build', () => {
    expect(() => buildRecognizer({ classes: 5, height: 48 })).toThrow(/height must be 32/);
    expect(() => buildRecognizer({ classes: 5, width: 30 })).toThrow(/multiple of 4/);
    expect(() => buildRecognizer({ classes: 5, width: 36, group: 2 })).toThrow(/group/);
    expect(() => buildRecognizer({ classes: 1 })).toThrow(/2 classes/);
  });

  for (const sequence of ['bigru', 'bilstm', 'conv', 'none'] as SequenceKind[]) {
    it(`${sequence}: trains on ${'wasm'} (CTC loss falls on a fixed batch)`, async () => {
      const started = Date.now();
      const model = buildRecognizer({ classes: 4, width: 32, filters: [8, 8, 8, 8], units: 8, sequence, group: sequence === 'bigru' ? 2 : 1, dropout: 0, seed: 7 });
      const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 1);
      const labels = [[1], [2, 3], [3, 3], [1, 2]];
      const optimizer = tf.train.adam(1e-2);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const losses: number[] = [];
      for (let step = 0; step < 15; step++) {
        const cost = optimizer.minimize(() => ctcLossMean(model.apply(x, { training: true }) as tf.Tensor3D, labels), true, vars);
        losses.push(cost!.dataSync()[0]!);
        cost!.dispose();
      }
      expect(tf.getBackend()).toBe('wasm');
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
      // Building never runs the orthogonal initializer (glorot instead): fast.
      expect(Date.now() - started).toBeLessThan(20_000);
      tf.dispose([x]);
      optimizer.dispose();
      model.dispose();
    });
  }
});
