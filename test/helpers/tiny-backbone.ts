// Tiny MobileNet-shaped layers models (32×32×3 input, a few hundred weights) with the real models'
// layer names where it matters, so cut/feature-layer logic and trainers can be tested in milliseconds.
//
// v2 (no top, like the Teachable Machine files):
//   Conv1/bn_Conv1/Conv1_relu (16×16) → expanded_conv (depthwise + project) → block_1 (stride 2, 8×8)
//   → block_2 (+ residual add) → block_13 (stride 2, 4×4, project to 8 ch) → block_14, block_15
//   (+ residual adds) → block_16 (project to 12 ch) → Conv_1/Conv_1_bn/out_relu (4×4×32).
// v1 (with an ImageNet-style top, like tfjs-models' files):
//   conv1 (16×16) → dw/pw 1 → dw/pw 2 (stride 2, 8×8) → dw/pw 12 (stride 2, 4×4) → dw/pw 13 (4×4×16)
//   → global_average_pooling2d_1 → reshape_1 → dropout → conv_preds → act_softmax → reshape_2.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { folderIO } from '../../main/core/training/backbones/folder-io';

type Sym = tfl.SymbolicTensor;
const apply = (layer: { apply: (x: Sym | Sym[]) => unknown }, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

function bn(x: Sym, name: string): Sym {
  return apply(tfl.layers.batchNormalization({ name, epsilon: 1e-3, momentum: 0.999 }), x);
}
function relu6(x: Sym, name: string): Sym {
  return apply(tfl.layers.reLU({ maxValue: 6, name }), x);
}
function conv(x: Sym, filters: number, kernel: number, strides: number, name: string, padding: 'same' | 'valid' = 'same'): Sym {
  return apply(tfl.layers.conv2d({ filters, kernelSize: kernel, strides, padding, useBias: false, name }), x);
}
function dw(x: Sym, strides: number, name: string, padding: 'same' | 'valid' = 'same'): Sym {
  return apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides, padding, useBias: false, name }), x);
}
function pad(x: Sym, name: string): Sym {
  return apply(tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name }), x);
}

/** MobileNetV2 inverted residual block, Keras names: block_<n>_expand … block_<n>_add. */
function v2Block(x: Sym, n: number, expand: number, out: number, strides: number): Sym {
  const p = `block_${n}_`;
  const inCh = x.shape[3] as number;
  let h = conv(x, inCh * expand, 1, 1, `${p}expand`);
  h = bn(h, `${p}expand_BN`);
  h = relu6(h, `${p}expand_relu`);
  if (strides === 2) h = pad(h, `${p}pad`);
  h = dw(h, strides, `${p}depthwise`, strides === 2 ? 'valid' : 'same');
  h = bn(h, `${p}depthwise_BN`);
  h = relu6(h, `${p}depthwise_relu`);
  h = conv(h, out, 1, 1, `${p}project`);
  h = bn(h, `${p}project_BN`);
  if (strides === 1 && inCh === out) h = apply(tfl.layers.add({ name: `${p}add` }), [x, h]);
  return h;
}

function v1Block(x: Sym, n: number, out: number, strides: number): Sym {
  let h = x;
  if (strides === 2) h = pad(h, `conv_pad_${n}`);
  h = dw(h, strides, `conv_dw_${n}`, strides === 2 ? 'valid' : 'same');
  h = bn(h, `conv_dw_${n}_bn`);
  h = relu6(h, `conv_dw_${n}_relu`);
  h = conv(h, out, 1, 1, `conv_pw_${n}`);
  h = bn(h, `conv_pw_${n}_bn`);
  return relu6(h, `conv_pw_${n}_relu`);
}

/** Deterministic, non-trivial weights (incl. BN moving statistics) so tests compare real numbers. */
function seedWeights(model: tfl.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) =>
    tf.tidy(() => {
      const s = seed * 1000 + i;
      const shape = w.shape as number[]; // weights always have a static shape
      if (w.name.includes('moving_variance')) return tf.randomUniform(shape, 0.5, 1.5, 'float32', s);
      if (w.name.includes('gamma')) return tf.randomUniform(shape, 0.8, 1.2, 'float32', s);
      if (w.name.includes('moving_mean') || w.name.includes('beta')) return tf.randomUniform(shape, -0.2, 0.2, 'float32', s);
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1) || 1;
      return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s);
    }),
  );
  model.setWeights(values);
  tf.dispose(values);
}

export function makeTinyBackbone(kind: 'v1' | 'v2'): tfl.LayersModel {
  const input = tfl.input({ shape: [32, 32, 3], name: 'input_1' });
  let x: Sym;
  if (kind === 'v2') {
    x = conv(input, 8, 3, 2, 'Conv1');
    x = bn(x, 'bn_Conv1');
    x = relu6(x, 'Conv1_relu');
    x = dw(x, 1, 'expanded_conv_depthwise');
    x = bn(x, 'expanded_conv_depthwise_BN');
    x = relu6(x, 'expanded_conv_depthwise_relu');
    x = conv(x, 8, 1, 1, 'expanded_conv_project');
    x = bn(x, 'expanded_conv_project_BN');
    x = v2Block(x, 1, 2, 8, 2);
    x = v2Block(x, 2, 2, 8, 1);
    x = v2Block(x, 13, 2, 8, 2);
    x = v2Block(x, 14, 2, 8, 1);
    x = v2Block(x, 15, 2, 8, 1);
    x = v2Block(x, 16, 2, 12, 1);
    x = conv(x, 32, 1, 1, 'Conv_1');
    x = bn(x, 'Conv_1_bn');
    x = relu6(x, 'out_relu');
  } else {
    x = conv(input, 8, 3, 2, 'conv1');
    x = bn(x, 'conv1_bn');
    x = relu6(x, 'conv1_relu');
    x = v1Block(x, 1, 8, 1);
    x = v1Block(x, 2, 8, 2);
    x = v1Block(x, 12, 16, 2);
    x = v1Block(x, 13, 16, 1);
    x = apply(tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }), x);
    x = apply(tfl.layers.reshape({ targetShape: [1, 1, 16], name: 'reshape_1' }), x);
    x = apply(tfl.layers.dropout({ rate: 0.001, name: 'dropout' }), x);
    x = apply(tfl.layers.conv2d({ filters: 5, kernelSize: 1, padding: 'same', name: 'conv_preds' }), x);
    x = apply(tfl.layers.activation({ activation: 'softmax', name: 'act_softmax' }), x);
    x = apply(tfl.layers.reshape({ targetShape: [5], name: 'reshape_2' }), x);
  }
  const model = tfl.model({ inputs: input, outputs: x, name: `tiny_mobilenet_${kind}` });
  seedWeights(model, kind === 'v1' ? 1 : 2);
  return model;
}

/** Builds the tiny backbone and saves it as a tfjs layers model folder (model.json + weights.bin). */
export async function saveTinyBackbone(dir: string, kind: 'v1' | 'v2'): Promise<tfl.LayersModel> {
  const model = makeTinyBackbone(kind);
  await model.save(folderIO(dir));
  return model;
}
