// A layers model compiled for prediction: every convolution followed by a BatchNormalization gets
// the normalisation folded into its kernel and bias, and the activation after it (ReLU, ReLU6,
// sigmoid, ELU) fused into the same kernel call (tf.fused.conv2d / depthwiseConv2d). MobileNets
// are conv → BN → ReLU6 throughout, and on WASM BatchNormalization alone took 40 % of a forward
// pass, ReLU6 another 8 %: one fused call per block instead of three is what makes the service fast
// on a CPU. Every other layer runs as itself (layer.apply on tensors), so any model predicts
// through this with the same results as model.predict, up to float rounding of the folded weights.
//
// Models this cannot walk (a model with several inputs, a layer with several outputs) fall back to
// model.predict as a whole.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A compiled model: predict(x) as model.predict(x) for one-input models; dispose() frees the folded weights. */
export interface InferenceModel {
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[];
  /** How many layers were folded into convolutions (BatchNormalization and activations), for logs and tests. */
  readonly folded: number;
  dispose(): void;
}

type Layer = tfl.layers.Layer;
type Activation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'elu';

/** One fused convolution: the conv layer's geometry, the folded weights, the activation. */
interface FusedConv {
  kind: 'conv' | 'depthwise';
  filter: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  activation: Activation;
}

/** A step of the plan: a layer to apply, or a fused conv standing for several layers; `output` names the last one. */
interface Step {
  output: string;
  inputs: string[];
  run: (inputs: tf.Tensor[]) => tf.Tensor;
}

interface NodeInfo {
  layer: Layer;
  inputs: string[];
}

export function compileInference(model: tfl.LayersModel): InferenceModel {
  const graph = model.inputs.length === 1 ? walk(model) : null;
  if (graph === null) return wholeModel(model);
  const { nodes, consumers } = graph;
  const outputs = model.outputs.map((o) => `${o.sourceLayer.name}#${o.nodeIndex}`);
  const input = model.inputs[0]!;
  const inputKey = `${input.sourceLayer.name}#${input.nodeIndex}`;
  const owned: Array<{ dispose(): void }> = [];
  const steps: Step[] = [];
  const absorbed = new Set<string>();
  let folded = 0;
  /** The call that alone reads `from`'s output, unless that output is also the model's. */
  const soleReader = (from: string): [string, NodeInfo] | null => {
    const readers = consumers.get(from);
    return readers?.length === 1 && !outputs.includes(from) ? [readers[0]!, nodes.get(readers[0]!)!] : null;
  };

  for (const [key, node] of nodes) {
    if (absorbed.has(key) || key === inputKey) continue;
    const conv = convOf(node.layer);
    if (conv === null) {
      const layer = node.layer;
      // A backbone is a model inside the model: compiled the same way.
      if (layer instanceof tfl.LayersModel && node.inputs.length === 1) {
        const inner = compileInference(layer);
        owned.push(inner);
        folded += inner.folded;
        steps.push({ output: key, inputs: node.inputs, run: ([x]) => inner.predict(x!) as tf.Tensor });
      } else steps.push({ output: key, inputs: node.inputs, run: (xs) => layer.apply(xs.length === 1 ? xs[0]! : xs) as tf.Tensor });
      continue;
    }
    // Follow the chain conv → [BatchNormalization] → [activation] while each link has one reader.
    let last = key;
    let next = soleReader(last);
    if (conv.activation === 'linear' && next && isFoldableBatchNorm(next[1].layer)) {
      foldBatchNorm(conv, next[1].layer);
      last = next[0];
      absorbed.add(last);
      folded++;
      next = soleReader(last);
    }
    const act = next ? activationOf(next[1].layer) : null;
    if (conv.activation === 'linear' && act !== null && next) {
      conv.activation = act;
      last = next[0];
      absorbed.add(last);
      folded++;
    }
    owned.push(conv.filter, ...(conv.bias ? [conv.bias] : []));
    steps.push({ output: last, inputs: node.inputs, run: ([x]) => fusedCall(conv, x as tf.Tensor4D) });
  }

  const readCounts = new Map<string, number>();
  for (const s of steps) for (const i of s.inputs) readCounts.set(i, (readCounts.get(i) ?? 0) + 1);
  return {
    folded,
    predict(x: tf.Tensor) {
      // Each intermediate is freed once its last reader has run, as model.predict does.
      const values = new Map<string, tf.Tensor>([[inputKey, x]]);
      const readers = new Map(readCounts);
      const held = (k: string) => outputs.includes(k) || (readers.get(k) ?? 0) > 0;
      const release = (k: string) => {
        readers.set(k, (readers.get(k) ?? 0) - 1);
        const t = values.get(k)!;
        // A layer may hand back its input (Dropout at inference): keep a tensor while any call holds it.
        if (!held(k) && ![...values].some(([n, v]) => v === t && n !== k && held(n))) {
          values.delete(k);
          if (t !== x) t.dispose();
        }
      };
      try {
        for (const step of steps) {
          const ins = step.inputs.map((i) => values.get(i)!);
          values.set(step.output, tf.tidy(() => step.run(ins)));
          for (const i of step.inputs) release(i);
        }
      } catch (err) {
        for (const t of values.values()) if (t !== x) t.dispose();
        throw err;
      }
      const result = outputs.map((o) => values.get(o)!);
      return result.length === 1 ? result[0]! : result;
    },
    dispose() {
      for (const t of owned) t.dispose();
    },
  };
}

/**
 * Runs `use` with the model compiled, then frees the folded weights: for a frozen model (or frozen
 * part) that only runs forward for a while, as when training caches its features.
 */
export async function withCompiled<T>(model: tfl.LayersModel, use: (net: InferenceModel) => Promise<T>): Promise<T> {
  const net = compileInference(model);
  try {
    return await use(net);
  } finally {
    net.dispose();
  }
}

/** The model predicting as itself. */
function wholeModel(model: tfl.LayersModel): InferenceModel {
  return { folded: 0, predict: (x) => model.predict(x) as tf.Tensor | tf.Tensor[], dispose: () => {} };
}

/**
 * The graph as the model calls it, from its outputs back to its input: one entry per layer call
 * ("name#node", so a layer called twice, or a nested model called inside this one, is a call like
 * any other), in an order where every call comes after the calls it reads; and who reads each.
 * Null when a call has several outputs (this plan keeps one tensor per call).
 */
function walk(model: tfl.LayersModel): { nodes: Map<string, NodeInfo>; consumers: Map<string, string[]> } | null {
  const nodes = new Map<string, NodeInfo>();
  const consumers = new Map<string, string[]>();
  const visit = (layer: Layer, nodeIndex: number, tensorIndex: number): string | null => {
    const key = `${layer.name}#${nodeIndex}`;
    const node = layer.inboundNodes[nodeIndex];
    if (tensorIndex !== 0 || !node || node.outputTensors.length !== 1) return null;
    if (nodes.has(key)) return key;
    const inputs: string[] = [];
    for (let i = 0; i < node.inboundLayers.length; i++) {
      const input = visit(node.inboundLayers[i]!, node.nodeIndices[i]!, node.tensorIndices[i]!);
      if (input === null) return null;
      inputs.push(input);
    }
    nodes.set(key, { layer, inputs });
    for (const i of inputs) consumers.set(i, [...(consumers.get(i) ?? []), key]);
    return key;
  };
  for (const o of model.outputs) if (visit(o.sourceLayer, o.nodeIndex, o.tensorIndex) === null) return null;
  return { nodes, consumers };
}

function weight(layer: Layer, suffix: string): tf.Tensor | null {
  const v = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`) || w.name.endsWith(`/${suffix}`));
  return v ? v.read() : null;
}

/** A Conv2D or DepthwiseConv2D in channels-last layout, as a fused call with its own weights; null for anything else. */
function convOf(layer: Layer): FusedConv | null {
  const type = layer.getClassName();
  if (type !== 'Conv2D' && type !== 'DepthwiseConv2D') return null;
  const config = layer.getConfig() as { strides: number[]; padding: string; dataFormat: string; dilationRate: number | number[]; activation: string; useBias: boolean };
  const activation = fusable(config.activation);
  if (config.dataFormat !== 'channelsLast' || activation === null || (config.padding !== 'same' && config.padding !== 'valid')) return null;
  const kernel = weight(layer, type === 'Conv2D' ? 'kernel' : 'depthwise_kernel');
  if (kernel === null || kernel.rank !== 4) return null;
  const dilation = typeof config.dilationRate === 'number' ? [config.dilationRate, config.dilationRate] : config.dilationRate;
  const bias = config.useBias ? weight(layer, 'bias') : null;
  return {
    kind: type === 'Conv2D' ? 'conv' : 'depthwise',
    filter: tf.clone(kernel) as tf.Tensor4D,
    bias: bias ? (tf.clone(bias) as tf.Tensor1D) : null,
    strides: [config.strides[0]!, config.strides[1]!],
    pad: config.padding,
    dilations: [dilation[0]!, dilation[1]!],
    activation,
  };
}

function fusable(name: string | undefined): Activation | null {
  return name === 'linear' || name === 'relu' || name === 'relu6' || name === 'sigmoid' || name === 'elu' ? name : null;
}

/** The activation a layer applies, when it does nothing else: ReLU (plain or capped at 6) or Activation. */
function activationOf(layer: Layer): Activation | null {
  const type = layer.getClassName();
  const config = layer.getConfig() as { maxValue?: number | null; activation?: string };
  if (type === 'ReLU') return config.maxValue == null ? 'relu' : config.maxValue === 6 ? 'relu6' : null;
  if (type === 'Activation') {
    const a = fusable(config.activation);
    return a === 'linear' ? null : a;
  }
  return null;
}

function isFoldableBatchNorm(layer: Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = (layer.getConfig() as { axis: number | number[] }).axis;
  return axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3));
}

/** y = γ(x − μ)/√(σ² + ε) + β after conv(x, W) + b  ⇒  conv(x, W·s) + (b − μ)·s + β with s = γ/√(σ² + ε), per output channel. */
function foldBatchNorm(conv: FusedConv, bn: Layer): void {
  const { epsilon } = bn.getConfig() as { epsilon: number };
  const [filter, bias] = tf.tidy(() => {
    const mean = weight(bn, 'moving_mean')!;
    const variance = weight(bn, 'moving_variance')!;
    const gamma = weight(bn, 'gamma') ?? tf.onesLike(mean);
    const beta = weight(bn, 'beta') ?? tf.zerosLike(mean);
    const s = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
    // Conv2D kernels are [h, w, in, out]; depthwise kernels [h, w, in, multiplier], output channel = in·multiplier + m.
    const [, , inC, last] = conv.filter.shape;
    const scale = conv.kind === 'conv' ? s : tf.reshape(s, [inC, last]);
    const b = conv.bias ?? tf.zerosLike(mean);
    return [tf.mul(conv.filter, scale) as tf.Tensor4D, tf.add(tf.mul(tf.sub(b, mean), s), beta) as tf.Tensor1D];
  });
  conv.filter.dispose();
  conv.bias?.dispose();
  conv.filter = filter;
  conv.bias = bias;
}

function fusedCall(conv: FusedConv, x: tf.Tensor4D): tf.Tensor4D {
  const args = { x, filter: conv.filter, strides: conv.strides, pad: conv.pad, dilations: conv.dilations, bias: conv.bias ?? undefined, activation: conv.activation, dataFormat: 'NHWC' as const };
  return conv.kind === 'conv' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
}
