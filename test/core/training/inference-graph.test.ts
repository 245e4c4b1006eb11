// A compiled model (BatchNormalization and activations folded into convolutions) must predict what
// model.predict does, on wasm and on the cpu backend, free what it allocates, and leave models it
// cannot walk to model.predict.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../main/core/training/tf/backend';
import { compileInference } from '../../../main/core/training/tf/inference-graph';

type Sym = tfl.SymbolicTensor;

beforeAll(async () => {
  await initBackend('auto');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

/** MobileNetV2-like: conv → BN → ReLU6, depthwise → BN → ReLU, a linear projection + BN, a residual add, a conv with its own bias and relu, dropout, a softmax head. */
function mobileNetLike(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3] });
  const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;
  let x = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), input);
  x = apply(tfl.layers.batchNormalization({ epsilon: 1e-3 }), x);
  x = apply(tfl.layers.reLU({ maxValue: 6 }), x);
  const skip = x;
  let y = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false }), x);
  y = apply(tfl.layers.batchNormalization({}), y);
  y = apply(tfl.layers.activation({ activation: 'relu' }), y);
  y = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }), y);
  y = apply(tfl.layers.batchNormalization({ scale: false, center: false }), y);
  x = apply(tfl.layers.add(), [skip, y]);
  x = apply(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu', dilationRate: 2 }), x);
  x = apply(tfl.layers.dropout({ rate: 0.5 }), x);
  x = apply(tfl.layers.globalAveragePooling2d({}), x);
  const out = apply(tfl.layers.dense({ units: 4, activation: 'softmax' }), x);
  const model = tfl.model({ inputs: input, outputs: out });
  // Trained-looking statistics: batch norm with identity statistics would hide a wrong fold.
  let seed = 10;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const v = tf.randomUniform(w.shape as number[], 0.2, 1.5, 'float32', seed++);
        return w.name.includes('moving_mean') || w.name.includes('beta') ? tf.sub(v, 0.8) : v;
      }),
    );
  }
  return model;
}

async function compare(model: tfl.LayersModel, x: tf.Tensor): Promise<{ worst: number; folded: number; leaked: number }> {
  const want = model.predict(x) as tf.Tensor;
  const compiled = compileInference(model);
  const before = tf.memory().numTensors;
  const got = compiled.predict(x) as tf.Tensor;
  expect(got.shape).toEqual(want.shape);
  const [a, b] = [await want.data(), await got.data()];
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  got.dispose();
  const leaked = tf.memory().numTensors - before;
  want.dispose();
  compiled.dispose();
  return { worst, folded: compiled.folded, leaked };
}

describe('compileInference', () => {
  it.each(['wasm', 'cpu'])('predicts what model.predict does with BatchNormalization and activations folded (%s)', async (backend) => {
    await tf.setBackend(backend);
    const model = mobileNetLike();
    const x = tf.randomUniform([3, 12, 12, 3], 0, 1, 'float32', 1);
    const { worst, folded, leaked } = await compare(model, x);
    // 3 BatchNormalization layers + ReLU6 + relu Activation.
    expect(folded).toBe(5);
    expect(worst).toBeLessThan(1e-5);
    expect(leaked).toBe(0);
    // The outputs differ per image (a fold that broke the net could make them all alike).
    const p = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    expect(Math.abs(p[0]![0]! - p[1]![0]!)).toBeGreaterThan(1e-4);
    x.dispose();
    model.dispose();
  });

  it('keeps a convolution whose output is read twice unfolded', async () => {
    await tf.setBackend('wasm');
    const input = tfl.input({ shape: [6, 6, 2] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(input) as Sym;
    const bn = tfl.layers.batchNormalization({}).apply(conv) as Sym;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.concatenate().apply([conv, bn]) as Sym });
    const bnLayer = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    bnLayer.setWeights(bnLayer.weights.map((w, i) => tf.fill(w.shape as number[], [1.5, 0.3, -0.2, 2][i]!)));
    const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 2);
    const { worst, folded } = await compare(model, x);
    expect(folded).toBe(0);
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });

  it('runs a layer called twice as two calls', async () => {
    await tf.setBackend('wasm');
    const input = tfl.input({ shape: [5, 5, 3] });
    const shared = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' });
    const model = tfl.model({ inputs: input, outputs: shared.apply(shared.apply(input) as Sym) as Sym });
    const x = tf.randomUniform([1, 5, 5, 3], 0, 1, 'float32', 3);
    const { worst, folded } = await compare(model, x);
    expect(folded).toBe(0);
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
    model.dispose();
  });

  it('folds inside a backbone that is a model within the model, as saved and loaded', async () => {
    await tf.setBackend('wasm');
    const backbone = mobileNetLike();
    const input = tfl.input({ shape: [12, 12, 3] });
    const head = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(backbone.apply(input) as Sym) as Sym;
    const built = tfl.model({ inputs: input, outputs: head });
    // Saved models are what serving compiles: the nested model comes back with two calls (its own and the outer one).
    let artifacts: tf.io.ModelArtifacts | null = null;
    await built.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const x = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 4);
    const { worst, folded } = await compare(model, x);
    expect(folded).toBe(5);
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
    built.dispose();
    model.dispose();
  });

  it('leaves a model with two inputs to model.predict', async () => {
    await tf.setBackend('wasm');
    const a = tfl.input({ shape: [4] });
    const b = tfl.input({ shape: [4] });
    const model = tfl.model({ inputs: [a, b], outputs: tfl.layers.add().apply([a, b]) as Sym });
    expect(compileInference(model).folded).toBe(0);
    model.dispose();
  });
});
