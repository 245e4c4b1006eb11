// The classifier's layers: a backbone (pretrained, cut at a feature layer, or a small from-scratch
// convnet), global average pooling, and a small head. The saved model is one tfjs layers model:
// input → backbone → GAP → head → softmax, so any tfjs runtime can load it.

import * as tfl from '@tensorflow/tfjs-layers';
import type * as tf from '@tensorflow/tfjs-core';

export const BACKBONE_NAME = 'backbone';
const HIDDEN = 'head_hidden';
const LOGITS = 'head_logits';

/**
 * A MobileNet-style network for training from scratch: a strided stem and depthwise-separable
 * blocks, small enough to train on a CPU in minutes.
 */
export function scratchBackbone(size: number, seed: number, widths: readonly number[] = [32, 64, 128]): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 3] });
  const init = (k: number) => tfl.initializers.heNormal({ seed: seed + k });
  let k = 0;
  // Momentum 0.9, not Keras' 0.99: a small dataset gives a few dozen steps, after which 0.99's moving
  // statistics are still mostly their initial values and validation (inference mode) sees garbage.
  const bnRelu = (x: tfl.SymbolicTensor) => tfl.layers.reLU().apply(tfl.layers.batchNormalization({ momentum: 0.9 }).apply(x)) as tfl.SymbolicTensor;
  let x = bnRelu(tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(k++) }).apply(input) as tfl.SymbolicTensor);
  for (const filters of widths) {
    x = bnRelu(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false, depthwiseInitializer: init(k++) }).apply(x) as tfl.SymbolicTensor);
    x = bnRelu(tfl.layers.conv2d({ filters, kernelSize: 1, useBias: false, kernelInitializer: init(k++) }).apply(x) as tfl.SymbolicTensor);
  }
  return tfl.model({ inputs: input, outputs: x, name: BACKBONE_NAME });
}

/** Gives a feature extractor the fixed name the saved model and incremental training rely on. */
export function asBackbone(extractor: tfl.LayersModel): tfl.LayersModel {
  return extractor.name === BACKBONE_NAME ? extractor : tfl.model({ inputs: extractor.inputs, outputs: extractor.outputs, name: BACKBONE_NAME });
}

export interface Head {
  /** Trains on pooled features: [batch, channels] → logits. */
  model: tfl.LayersModel;
  layers: tfl.layers.Layer[];
  hidden: number;
  dropout: number;
  /** Logits for a feature batch (`training` turns dropout on). */
  apply(x: tf.Tensor, training: boolean): tf.Tensor2D;
}

/** dense(hidden, relu) → dropout → dense(classes) logits, or a linear classifier when hidden is 0. */
export function makeHead(channels: number, classes: number, hidden: number, dropout: number, seed: number): Head {
  const input = tfl.input({ shape: [channels] });
  const layers: tfl.layers.Layer[] = [];
  if (hidden > 0) layers.push(tfl.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed }), name: HIDDEN }));
  layers.push(tfl.layers.dropout({ rate: dropout, seed: seed + 1 }));
  layers.push(tfl.layers.dense({ units: classes, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }), name: LOGITS }));
  let x: tfl.SymbolicTensor = input;
  for (const layer of layers) x = layer.apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  return { model, layers, hidden, dropout, apply: (features, training) => model.apply(features, { training }) as tf.Tensor2D };
}

/** The deployable model: image batch → class probabilities. */
export function assemble(backbone: tfl.LayersModel, head: Head, size: number): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 3] });
  let x = backbone.apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  for (const layer of head.layers) x = layer.apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

/** What incremental training takes from a saved model: its backbone and head weights. */
export interface SavedParts {
  backbone: tfl.LayersModel;
  hidden: { kernel: tf.Tensor; bias: tf.Tensor } | null;
  logits: { kernel: tf.Tensor; bias: tf.Tensor };
}

export function splitSaved(full: tfl.LayersModel): SavedParts {
  const backbone = full.getLayer(BACKBONE_NAME) as unknown as tfl.LayersModel;
  const weightsOf = (name: string) => {
    const layer = full.layers.find((l) => l.name === name);
    if (!layer) return null;
    const [kernel, bias] = layer.getWeights();
    return { kernel: kernel!, bias: bias! };
  };
  const logits = weightsOf(LOGITS);
  if (!logits) throw new Error(`the model has no "${LOGITS}" layer`);
  return { backbone, hidden: weightsOf(HIDDEN), logits };
}

/**
 * Starts a head from a base model's head: the hidden layer as is, and the logit column of every
 * label the base knew; labels new to this run keep their fresh initialisation (the head grows).
 */
export function initHeadFrom(core: typeof tf, head: Head, base: SavedParts, baseLabels: readonly string[], labels: readonly string[]): number {
  const hiddenLayer = head.layers.find((l) => l.name.startsWith(HIDDEN));
  if (hiddenLayer && base.hidden) hiddenLayer.setWeights([base.hidden.kernel, base.hidden.bias]);
  const logitsLayer = head.layers.find((l) => l.name.startsWith(LOGITS))!;
  const [kernel, bias] = logitsLayer.getWeights();
  const { picks, reused } = columnPicks(labels, baseLabels);
  logitsLayer.setWeights(core.tidy(() => [pickColumns(core, kernel!, base.logits.kernel, picks, 1), pickColumns(core, bias!, base.logits.bias, picks, 0)]));
  return reused;
}

/** For each label: its column in [fresh columns, then the base's columns]. */
export function columnPicks(labels: readonly string[], baseLabels: readonly string[]): { picks: number[]; reused: number } {
  let reused = 0;
  const picks = labels.map((label, j) => {
    const i = baseLabels.indexOf(label);
    if (i < 0) return j;
    reused++;
    return labels.length + i;
  });
  return { picks, reused };
}

/**
 * `fresh` with the picked columns (along `axis`) taken from `base` instead. Done with tensor ops,
 * not by reading the weights out: synchronous reads break WebGPU in a browser training host.
 */
export function pickColumns(core: typeof tf, fresh: tf.Tensor, base: tf.Tensor, picks: number[], axis: number): tf.Tensor {
  // The add makes a tensor of its own: WASM's Gather returns a reshape of an internal 4-D result,
  // whose stored shape its fused conv/matmul kernels then reject as a bias.
  return core.add(core.gather(core.concat([fresh, base], axis), core.tensor1d(picks, 'int32'), axis), 0);
}
