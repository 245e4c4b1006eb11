// The detector's layers, one tfjs layers model when saved:
//   input (letterboxed square) → "backbone" (a model with one output per pyramid level, finest first)
//   → "head" (FPN-lite: 1×1 laterals, top-down bilinear upsampling and addition; then a class tower
//   and a box tower, each a separable 3×3 conv + a 1×1 output, shared by the levels) → [cells, classes + 4].
// High-speed uses two backbone levels (stride 16 and 32 of a MobileNet) and predicts on the finer
// one only: a single-scale CenterNet/TTFNet-style head. High-accuracy uses three levels (8, 16, 32)
// and predicts on all of them. Without a pretrained backbone a small convnet is trained from scratch.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StudioError } from '../../../shared/api';
import { cleanCutLayers, layerOutput } from '../backbones/cut';
import { columnPicks, pickColumns } from '../classification/network';
import { type ModelStore } from '../host-io';
import type { Level } from './layout';

export const BACKBONE_NAME = 'backbone';
export const HEAD_NAME = 'head';
const CLS_OUT = 'det_cls_logits';
/** Initial heatmap probability (the classification bias starts at its logit, as in CenterNet/RetinaNet). */
const PRIOR = 0.05;

type Sym = tfl.SymbolicTensor;

/** Loads a tfjs layers model from a folder with its input resized to `size` × `size` (convolutional backbones take any size). */
export async function loadBackboneAt(store: ModelStore, dir: string, size: number): Promise<tfl.LayersModel> {
  const io: tf.io.IOHandler = {
    load: async () => {
      const artifacts = await store.read(dir);
      const topology = artifacts.modelTopology as { model_config?: { config?: { layers?: unknown[] } }; config?: { layers?: unknown[] } } | undefined;
      const layers = (topology?.model_config?.config?.layers ?? topology?.config?.layers ?? []) as Array<{ class_name?: string; config?: Record<string, unknown> }>;
      for (const layer of layers) {
        if (layer.class_name !== 'InputLayer' || !layer.config) continue;
        for (const key of ['batch_input_shape', 'batch_shape', 'batchInputShape']) {
          const shape = layer.config[key];
          if (Array.isArray(shape) && shape.length === 4) layer.config[key] = [shape[0] ?? null, size, size, shape[3]];
        }
      }
      return artifacts;
    },
  };
  try {
    return await tfl.loadLayersModel(io);
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError('invalid_input', `could not load the tfjs layers model in ${dir} at ${size}×${size}: ${(err as Error).message}`);
  }
}

export interface Taps {
  /** Layer names, finest first; the last is the feature layer. */
  layers: string[];
  strides: number[];
  channels: number[];
}

/**
 * Pyramid taps of a backbone at input `size`: the feature layer (coarsest), then up to `count − 1`
 * finer levels, each at twice the previous resolution: the latest clean cut there (nothing skips over
 * it) with at most twice the fewest channels seen at that resolution — a block's output rather than
 * the next block's wide expansion (MobileNetV2: block_12_add at stride 16, block_5_add at stride 8;
 * MobileNetV1: conv_pw_11_relu, conv_pw_5_relu).
 */
export function pyramidTaps(backbone: tfl.LayersModel, featureLayer: string, size: number, count: number): Taps {
  const cuts = cleanCutLayers(backbone, featureLayer);
  const top = cuts[cuts.length - 1]!;
  const side = (s: Array<number | null>) => (s.length === 4 ? s[1] : null);
  const picked = [top];
  let res = side(top.shape);
  if (!res) throw new StudioError('invalid_input', `layer ${featureLayer} has no spatial output`, 'featureLayer');
  while (picked.length < count) {
    res *= 2;
    const here = cuts.filter((c) => side(c.shape) === res && c.shape[2] === res);
    const fewest = Math.min(...here.map((c) => c.shape[3] ?? Infinity));
    const best = here.filter((c) => (c.shape[3] ?? Infinity) <= 2 * fewest).at(-1) ?? null;
    if (!best) break;
    picked.unshift(best);
  }
  return { layers: picked.map((p) => p.name), strides: picked.map((p) => size / side(p.shape)!), channels: picked.map((p) => p.shape[3] as number) };
}

/** backbone inputs → the taps' outputs, as one model named "backbone". */
export function tapModel(backbone: tfl.LayersModel, layers: readonly string[]): tfl.LayersModel {
  return tfl.model({ inputs: backbone.inputs, outputs: layers.map((l) => layerOutput(backbone, l)), name: BACKBONE_NAME });
}

/**
 * A small MobileNet-like convnet for training from scratch: a strided stem, then depthwise-separable
 * stages down to stride 32; returns the taps at strides 8, 16, 32 (the last `levels`).
 */
export function scratchBackbone(size: number, seed: number, levels: number): { model: tfl.LayersModel; taps: Taps } {
  const input = tfl.input({ shape: [size, size, 3] });
  let k = 0;
  const init = () => tfl.initializers.heNormal({ seed: seed + k++ });
  // Momentum 0.9 (Keras: 0.99): small datasets give few steps, and the moving statistics must catch up with them.
  const bnRelu = (x: Sym, name?: string) => tfl.layers.reLU(name ? { name } : {}).apply(tfl.layers.batchNormalization({ momentum: 0.9 }).apply(x)) as Sym;
  const sep = (x: Sym, filters: number, strides: number, name?: string) => {
    const d = bnRelu(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: init() }).apply(x) as Sym);
    return bnRelu(tfl.layers.conv2d({ filters, kernelSize: 1, useBias: false, kernelInitializer: init() }).apply(d) as Sym, name);
  };
  let x = bnRelu(tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init() }).apply(input) as Sym);
  x = sep(x, 24, 2);
  const widths: Array<[number, number]> = [
    [8, 32],
    [16, 64],
    [32, 96],
  ];
  const outs: Sym[] = [];
  const strides: number[] = [];
  const channels: number[] = [];
  const names: string[] = [];
  for (const [stride, filters] of widths) {
    x = sep(x, filters, 2);
    x = sep(x, filters, 1, `scratch_s${stride}`);
    outs.push(x);
    strides.push(stride);
    channels.push(filters);
    names.push(`scratch_s${stride}`);
  }
  const n = Math.min(levels, outs.length);
  return {
    model: tfl.model({ inputs: input, outputs: outs.slice(-n), name: BACKBONE_NAME }),
    taps: { layers: names.slice(-n), strides: strides.slice(-n), channels: channels.slice(-n) },
  };
}

export interface HeadSpec {
  /** The backbone levels fed to the head, finest first. */
  inputs: Array<{ size: number; channels: number }>;
  /** Predict on the finest `outputs` levels (1: single-scale). */
  outputs: number;
  /** Channels of the pyramid and towers. */
  width: number;
  classes: number;
  seed: number;
}

/** FPN-lite + shared prediction towers; output [batch, cells, classes + 4]. */
export function makeHead(spec: HeadSpec): tfl.LayersModel {
  let k = 0;
  const init = () => tfl.initializers.heNormal({ seed: spec.seed + k++ });
  const inputs = spec.inputs.map((m) => tfl.input({ shape: [m.size, m.size, m.channels] }));
  // Fixed layer names: incremental training matches a base head's layers by name.
  const laterals = inputs.map((x, i) => tfl.layers.conv2d({ filters: spec.width, kernelSize: 1, kernelInitializer: init(), name: `det_lateral_${i}` }).apply(x) as Sym);
  const merged: Sym[] = new Array<Sym>(inputs.length);
  merged[inputs.length - 1] = laterals[inputs.length - 1]!;
  for (let i = inputs.length - 2; i >= 0; i--) {
    const up = tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `det_up_${i}` }).apply(merged[i + 1]!) as Sym;
    merged[i] = tfl.layers.add({ name: `det_merge_${i}` }).apply([laterals[i]!, up]) as Sym;
  }
  const sepConv = (name: string) => tfl.layers.separableConv2d({ filters: spec.width, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init(), pointwiseInitializer: init(), name });
  const clsTower = sepConv('det_cls_tower');
  const boxTower = sepConv('det_box_tower');
  const clsOut = tfl.layers.conv2d({ filters: spec.classes, kernelSize: 1, kernelInitializer: tfl.initializers.randomNormal({ stddev: 0.01, seed: spec.seed + 100 }), biasInitializer: tfl.initializers.constant({ value: Math.log(PRIOR / (1 - PRIOR)) }), name: CLS_OUT });
  const boxOut = tfl.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: tfl.initializers.randomNormal({ stddev: 0.01, seed: spec.seed + 101 }), name: 'det_box' });
  const levelOuts: Sym[] = [];
  for (let i = 0; i < Math.min(spec.outputs, inputs.length); i++) {
    // The towers' 3×3 convs also smooth the upsampled sums (FPN's separate smoothing conv is left out: CPU time).
    const cls = clsOut.apply(clsTower.apply(merged[i]!)) as Sym;
    const box = boxOut.apply(boxTower.apply(merged[i]!)) as Sym;
    const both = tfl.layers.concatenate({ axis: -1, name: `det_join_${i}` }).apply([cls, box]) as Sym;
    const size = spec.inputs[i]!.size;
    levelOuts.push(tfl.layers.reshape({ targetShape: [size * size, spec.classes + 4], name: `det_cells_${i}` }).apply(both) as Sym);
  }
  const output = levelOuts.length === 1 ? levelOuts[0]! : (tfl.layers.concatenate({ axis: 1, name: 'det_levels' }).apply(levelOuts) as Sym);
  return tfl.model({ inputs, outputs: output, name: HEAD_NAME });
}

/** The levels a head predicts on, finest first. */
export function headLevels(taps: Taps, outputs: number, inputSize: number): Level[] {
  return taps.strides.slice(0, outputs).map((stride) => ({ stride, size: inputSize / stride }));
}

/** The deployable model: letterboxed image batch → [batch, cells, classes + 4]. */
export function assembleDetector(backbone: tfl.LayersModel, head: tfl.LayersModel, size: number): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 3] });
  const maps = backbone.apply(input);
  const out = head.apply(maps as Sym | Sym[]) as Sym;
  return tfl.model({ inputs: input, outputs: out });
}

/** The backbone and head of a saved detector (incremental training). */
export function splitDetector(model: tfl.LayersModel): { backbone: tfl.LayersModel; head: tfl.LayersModel } {
  const backbone = model.layers.find((l) => l.name === BACKBONE_NAME) as unknown as tfl.LayersModel | undefined;
  const head = model.layers.find((l) => l.name === HEAD_NAME) as unknown as tfl.LayersModel | undefined;
  if (!backbone || !head) throw new StudioError('invalid_input', 'the model is not an AutoLearn detector (no backbone/head parts)');
  return { backbone, head };
}

/**
 * Starts a head from a base model's head of the same shape: every weight copied, and the class
 * logits' columns of the labels the base knew (labels new to this run keep their initialisation).
 * Returns the number of labels reused.
 */
export function initHeadFrom(head: tfl.LayersModel, base: tfl.LayersModel, baseLabels: readonly string[], labels: readonly string[]): number {
  let reused = 0;
  for (const layer of head.layers) {
    const from = base.layers.find((l) => l.name === layer.name) ?? null;
    const weights = layer.getWeights();
    if (!from || weights.length === 0) continue;
    const src = from.getWeights();
    if (layer.name !== CLS_OUT) {
      if (src.length === weights.length && src.every((w, i) => w.shape.join() === weights[i]!.shape.join())) layer.setWeights(src);
      continue;
    }
    const cols = columnPicks(labels, baseLabels);
    reused += cols.reused;
    layer.setWeights(tf.tidy(() => [pickColumns(tf, weights[0]!, src[0]!, cols.picks, 3), pickColumns(tf, weights[1]!, src[1]!, cols.picks, 0)]));
  }
  return reused;
}
