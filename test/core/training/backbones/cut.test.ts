import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../main/shared/api';
import { featureExtractor, findFeatureLayer, loadLayers, maxAbsDiff, splitForFineTune } from '../../../../main/core/training/backbones/cut';
import { diskModels } from '../../../../main/core/training/saved-model';
import { folderIO } from '../../../../main/core/training/backbones/folder-io';
import { BackboneStore } from '../../../../main/core/training/backbones/store';
import { nsfwjsBackbone, nsfwjsModelDir, NSFWJS_MISSING } from '../../../bench/standin-backbone';
import { tempDir } from '../../../helpers/fixtures';
import { makeTinyBackbone, saveTinyBackbone } from '../../../helpers/tiny-backbone';

let root: string;
let cleanup: () => void;
beforeAll(async () => {
  await tf.setBackend('cpu');
  ({ dir: root, cleanup } = tempDir('backbone-cut-'));
});
afterAll(() => cleanup());

function caught(fn: () => unknown): StudioError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    return e as StudioError;
  }
  throw new Error('expected a StudioError');
}

type Sym = tfl.SymbolicTensor;
const ap = (layer: { apply: (x: Sym | Sym[]) => unknown }, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** conv → relu → conv → maxpool → flatten → dense: a plain random convnet. */
function plainConvnet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, name: 'c1' }),
      tfl.layers.reLU({ name: 'r1' }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, name: 'c2' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 3, name: 'logits' }),
    ],
  });
}

function input(n: number, size = 32, seed = 11): tf.Tensor {
  return tf.randomUniform([n, size, size, 3], -1, 1, 'float32', seed);
}

describe('findFeatureLayer', () => {
  it('finds the spatial map before the head automatically', () => {
    expect(findFeatureLayer(makeTinyBackbone('v1'))).toBe('conv_pw_13_relu'); // before GAP/reshape/conv_preds top
    expect(findFeatureLayer(makeTinyBackbone('v2'))).toBe('out_relu'); // no top: the output itself
    expect(findFeatureLayer(plainConvnet())).toBe('pool');
  });

  it('handles a dynamic input size and an AveragePooling2D-to-1×1 head', () => {
    const x = tfl.input({ shape: [null, null, 3], name: 'img' });
    let h = ap(tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }), x);
    h = ap(tfl.layers.reLU({ name: 'feat' }), h);
    h = ap(tfl.layers.globalAveragePooling2d({ name: 'gap' }), h);
    expect(findFeatureLayer(tfl.model({ inputs: x, outputs: ap(tfl.layers.dense({ units: 2 }), h) }))).toBe('feat');

    const y = tfl.input({ shape: [28, 28, 3] });
    let k = ap(tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 4, padding: 'same', name: 'c7' }), y);
    k = ap(tfl.layers.reLU({ name: 'relu7' }), k);
    k = ap(tfl.layers.averagePooling2d({ poolSize: 7, name: 'avg' }), k); // 7×7 → 1×1, like nsfwjs' head
    k = ap(tfl.layers.flatten({}), k);
    expect(findFeatureLayer(tfl.model({ inputs: y, outputs: k }))).toBe('relu7');
  });

  it('accepts a named layer, and names candidates when it is absent or not a spatial map', () => {
    const m = makeTinyBackbone('v2');
    expect(findFeatureLayer(m, 'block_16_project_BN')).toBe('block_16_project_BN');
    const missing = caught(() => findFeatureLayer(m, 'block_99_project_BN'));
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toContain('"block_99_project_BN"');
    expect(missing.message).toContain('candidates: ');
    expect(missing.message).toContain('out_relu');
    const flat = caught(() => findFeatureLayer(makeTinyBackbone('v1'), 'reshape_2'));
    expect(flat.message).toContain('outputs [?,5], not a spatial feature map');
    expect(flat.message).toContain('conv_pw_13_relu');
  });
});

describe('featureExtractor / splitForFineTune', () => {
  it.each([
    ['v1', 'conv_pw_13_relu', 'conv_dw_12_relu', [null, 4, 4, 8], [null, 4, 4, 16]],
    ['v2', 'out_relu', 'block_13_project_BN', [null, 4, 4, 8], [null, 4, 4, 32]],
  ] as const)('%s: cuts at a clean layer and upper(lower(x)) equals the feature extractor', (kind, feature, cut, cutShape, featShape) => {
    const model = makeTinyBackbone(kind);
    const layer = findFeatureLayer(model);
    expect(layer).toBe(feature);
    const fe = featureExtractor(model, layer);
    expect(fe.outputs[0]!.shape).toEqual(featShape);
    const split = splitForFineTune(model, layer);
    expect(split.cut).toBe(cut);
    expect(split.lower.outputs[0]!.shape).toEqual(cutShape);
    expect(split.upper.inputs[0]!.shape).toEqual(cutShape);
    expect(split.upper.outputs[0]!.shape).toEqual(featShape);
    // upper holds the backbone's own layer objects, and nothing from before the cut.
    const upperNames = split.upper.layers.map((l) => l.name);
    expect(upperNames).not.toContain(cut);
    expect(split.lower.layers.map((l) => l.name)).toContain(cut);
    for (const l of split.upper.layers.slice(1)) expect(model.getLayer(l.name)).toBe(l);
    expect(upperNames.length - 1 + split.lower.layers.length).toBe(fe.layers.length);

    const x = input(3);
    const direct = fe.predict(x) as tf.Tensor;
    const viaSplit = split.upper.predict(split.lower.predict(x) as tf.Tensor) as tf.Tensor;
    expect(maxAbsDiff(direct, viaSplit)).toBeLessThan(1e-5);
    // The original model (and a new extractor) still work after the layers were re-applied.
    expect(findFeatureLayer(model)).toBe(feature);
    expect(maxAbsDiff(featureExtractor(model, layer).predict(x) as tf.Tensor, direct)).toBe(0);
    expect((model.predict(x) as tf.Tensor).shape[0]).toBe(3);
    // Splitting the extractor itself (what a trainer holds) gives the same cut.
    expect(splitForFineTune(featureExtractor(model, layer), layer).cut).toBe(cut);
  });

  it('never cuts inside a residual block, even where channels are fewest', () => {
    const x = tfl.input({ shape: [8, 8, 3] });
    const a = ap(tfl.layers.conv2d({ filters: 16, kernelSize: 1, name: 'a' }), x);
    const b = ap(tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'b' }), a); // fewest channels, but bypassed
    const c = ap(tfl.layers.conv2d({ filters: 16, kernelSize: 1, name: 'c' }), b);
    const s = ap(tfl.layers.add({ name: 'skip_add' }), [a, c]);
    const o = ap(tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'out' }), s);
    const m = tfl.model({ inputs: x, outputs: o });
    const split = splitForFineTune(m, 'out');
    expect(split.cut).toBe('a');
    const xs = input(2, 8);
    expect(maxAbsDiff(split.upper.predict(split.lower.predict(xs) as tf.Tensor) as tf.Tensor, m.predict(xs) as tf.Tensor)).toBeLessThan(1e-5);

    // Nothing at the feature map's size but the feature map itself → a clear error.
    const err = caught(() => splitForFineTune(plainConvnet(), 'c1'));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('"c1"');
  });

  it('splits a model with a dynamic input size', () => {
    const x = tfl.input({ shape: [null, null, 3] });
    let h = ap(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', name: 'c1' }), x);
    h = ap(tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c2' }), h);
    h = ap(tfl.layers.reLU({ name: 'c2_relu' }), h);
    h = ap(tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c3' }), h);
    const m = tfl.model({ inputs: x, outputs: h });
    const split = splitForFineTune(m, 'c3');
    expect(split.cut).toBe('c2_relu');
    expect(split.upper.inputs[0]!.shape).toEqual([null, null, null, 4]);
    const xs = input(1, 20);
    expect(maxAbsDiff(split.upper.predict(split.lower.predict(xs) as tf.Tensor) as tf.Tensor, m.predict(xs) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('training upper updates the shared backbone layers above the cut only', async () => {
    const model = makeTinyBackbone('v2');
    const { lower, upper } = splitForFineTune(model, 'out_relu');
    const above = ['block_14_expand', 'block_16_project', 'Conv_1'];
    const below = ['Conv1', 'block_13_project'];
    const snapshot = (names: string[]) => names.map((n) => Array.from(model.getLayer(n).getWeights()[0]!.dataSync()));
    const aboveBefore = snapshot(above);
    const belowBefore = snapshot(below);

    const feats = lower.predict(input(8)) as tf.Tensor;
    const pooled = ap(tfl.layers.globalAveragePooling2d({}), upper.outputs[0]!);
    const probs = ap(tfl.layers.dense({ units: 2, activation: 'softmax' }), pooled);
    const trainable = tfl.model({ inputs: upper.inputs, outputs: probs });
    trainable.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    await trainable.fit(feats, labels, { epochs: 2, batchSize: 4, verbose: 0 });

    const aboveAfter = snapshot(above);
    for (let i = 0; i < above.length; i++) expect(aboveAfter[i], above[i]).not.toEqual(aboveBefore[i]);
    expect(snapshot(below)).toEqual(belowBefore);
    // The backbone's own extractor sees the trained weights too.
    const x = input(2);
    const fe = featureExtractor(model, 'out_relu');
    const trained = fe.predict(x) as tf.Tensor;
    expect(maxAbsDiff(trained, upper.predict(lower.predict(x) as tf.Tensor) as tf.Tensor)).toBeLessThan(1e-5);

    // Models over layers that now have two inbound nodes still save and reload faithfully.
    for (const [name, m, xin] of [['fe', fe, x], ['upper', upper, lower.predict(x) as tf.Tensor]] as const) {
      const dir = join(root, `saved-${name}`);
      await m.save(folderIO(dir));
      const back = await loadLayers(diskModels, dir);
      expect(maxAbsDiff(back.predict(xin) as tf.Tensor, m.predict(xin) as tf.Tensor), name).toBe(0);
    }
  });

  it('works on a saved and reloaded backbone (loadLayers)', async () => {
    const dir = join(root, 'v1');
    await saveTinyBackbone(dir, 'v1');
    const m = await loadLayers(diskModels, dir);
    expect(splitForFineTune(m, findFeatureLayer(m)).cut).toBe('conv_dw_12_relu');
    const err = await loadLayers(diskModels, join(root, 'nope')).then(
      () => null,
      (e: unknown) => e as StudioError,
    );
    expect(err?.code).toBe('not_found');
  });
});

describe.skipIf(!nsfwjsModelDir())('nsfwjs MobileNetV2 stand-in', () => {
  it('unwraps, imports, loads and cuts like a real MobileNetV2', async () => {
    const dir = await nsfwjsBackbone(join(root, 'nsfwjs'));
    const resolved = await new BackboneStore(join(root, 'store')).resolve(dir);
    expect(resolved.preprocessing).toEqual({ size: 224, scale: 1 / 255, offset: 0 });
    // The stand-in's top layers were tuned for nsfwjs' classes: its backbone.json names a lower layer.
    expect(resolved.featureLayer).toBe('block_15_add');
    const m = await loadLayers(diskModels, resolved.dir);
    expect(findFeatureLayer(m)).toBe('out_relu');
    const split = splitForFineTune(m, 'out_relu');
    expect(split.cut).toBe('block_13_project_BN');
    expect(split.lower.outputs[0]!.shape).toEqual([null, 7, 7, 160]);
    expect(split.upper.outputs[0]!.shape).toEqual([null, 7, 7, 1280]);
  });
});
if (!nsfwjsModelDir()) console.warn(NSFWJS_MISSING);
