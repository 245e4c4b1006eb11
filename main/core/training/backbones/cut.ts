// Cutting a backbone (a tfjs layers model) into what the trainers need:
//  - featureExtractor: inputs → a spatial feature map (the Teachable Machine recipe; the trainer adds
//    global average pooling and the head itself);
//  - splitForFineTune: lower (frozen, run once per image) + upper (fine-tuned) halves that compose
//    to the feature extractor, upper sharing the backbone's layer objects (and so its weights).
//
// The functional graph is read through each layer's inbound nodes. After splitForFineTune the shared
// layers have a second inbound node (the one in `upper`), so everything here looks up the node that
// belongs to the model at hand (model.containerNodes), never `layer.output`.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StudioError } from '../../../shared/api';
import { storeHandler, type ModelStore } from '../host-io';

type Layer = tfl.LayersModel['layers'][number];
type LayerNode = Layer['inboundNodes'][number];
type Sym = tfl.SymbolicTensor;
type Shape = Array<number | null>;

/** Loads the tfjs layers model in `dir` (model.json + weights). */
export async function loadLayers(store: ModelStore, dir: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(storeHandler(store, dir));
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError('invalid_input', `could not load the tfjs layers model in ${dir}: ${(err as Error).message}`);
  }
}

/** The inbound node of `layer` that is part of `model`'s graph. */
function nodeIn(model: tfl.LayersModel, layer: Layer): LayerNode {
  const nodes = layer.inboundNodes;
  for (let i = 0; i < nodes.length; i++) {
    if (model.containerNodes.has(`${layer.name}_ib-${i}`)) return nodes[i]!;
  }
  const first = nodes[0];
  if (!first) throw new StudioError('internal', `layer ${layer.name} is not connected to a graph`);
  return first;
}

function outputOf(model: tfl.LayersModel, layer: Layer): Sym {
  const out = nodeIn(model, layer).outputTensors;
  if (out.length !== 1) throw new StudioError('invalid_input', `layer ${layer.name} has ${out.length} outputs; a feature layer must have one`);
  return out[0]!;
}

function layerNamed(model: tfl.LayersModel, name: string): Layer | undefined {
  return model.layers.find((l) => l.name === name);
}

function isInputLayer(layer: Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** The functional graph behind `target`, in topological order. */
interface SubGraph {
  tensors: Sym[];
  /** Producing node of each non-input tensor. */
  producer: Map<number, LayerNode>;
  /** Nodes (each once) in topological order. */
  nodes: LayerNode[];
  inputs: Sym[];
}

function subgraph(target: Sym): SubGraph {
  const tensors: Sym[] = [];
  const producer = new Map<number, LayerNode>();
  const nodes: LayerNode[] = [];
  const inputs: Sym[] = [];
  const seenT = new Set<number>();
  const seenN = new Set<number>();
  // Iterative post-order DFS (deep nets would otherwise recurse a few hundred frames; fine, but safe).
  const stack: Array<{ t: Sym; expanded: boolean }> = [{ t: target, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const t = top.t;
    if (seenT.has(t.id)) {
      stack.pop();
      continue;
    }
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node) throw new StudioError('internal', `tensor ${t.name} has no producing node`);
    const ins = node.inputTensors;
    if (!top.expanded && node.inboundLayers.length > 0) {
      top.expanded = true;
      for (let i = ins.length - 1; i >= 0; i--) if (!seenT.has(ins[i]!.id)) stack.push({ t: ins[i]!, expanded: false });
      continue;
    }
    stack.pop();
    seenT.add(t.id);
    tensors.push(t);
    if (node.inboundLayers.length === 0) {
      inputs.push(t);
    } else {
      producer.set(t.id, node);
      if (!seenN.has(node.id)) {
        seenN.add(node.id);
        nodes.push(node);
      }
    }
  }
  return { tensors, producer, nodes, inputs };
}

/**
 * Tensors every path from the inputs to the last tensor goes through (dominators of the output in the
 * DAG = "clean cuts": nothing downstream reads anything from before them, so no residual add crosses).
 * In any topological order the ancestors of such a tensor come before it and the descendants after,
 * so it is clean iff no edge jumps over its position.
 */
function cleanCuts(g: SubGraph): Set<number> {
  const pos = new Map<number, number>();
  g.tensors.forEach((t, i) => pos.set(t.id, i));
  const farthest = new Array<number>(g.tensors.length).fill(-1);
  for (const node of g.nodes) {
    let maxOut = -1;
    for (const o of node.outputTensors) {
      const p = pos.get(o.id);
      if (p !== undefined) maxOut = Math.max(maxOut, p);
    }
    for (const i of node.inputTensors) {
      const p = pos.get(i.id)!;
      farthest[p] = Math.max(farthest[p]!, maxOut);
    }
  }
  const clean = new Set<number>();
  let reach = -1;
  for (let i = 0; i < g.tensors.length; i++) {
    if (i > 0 && reach <= i) clean.add(g.tensors[i]!.id);
    reach = Math.max(reach, farthest[i]!);
  }
  if (g.inputs.length === 1) clean.add(g.inputs[0]!.id);
  return clean;
}

/**
 * Static shapes of every tensor of the graph; where the input's spatial size is dynamic, shapes are
 * inferred layer by layer for a `probeSize` × `probeSize` input (to compare spatial sizes).
 */
function shapesOf(g: SubGraph, probeSize = 224): Map<number, Shape> {
  const shapes = new Map<number, Shape>();
  const dynamic = g.inputs.some((t) => t.shape.length === 4 && (t.shape[1] === null || t.shape[2] === null));
  if (!dynamic) {
    for (const t of g.tensors) shapes.set(t.id, [...t.shape]);
    return shapes;
  }
  for (const t of g.inputs) shapes.set(t.id, t.shape.map((d, i) => (d === null && (i === 1 || i === 2) ? probeSize : d)));
  for (const node of g.nodes) {
    const inShapes = node.inputTensors.map((t) => shapes.get(t.id) ?? [...t.shape]);
    let out: Shape | Shape[];
    try {
      out = node.outboundLayer.computeOutputShape(inShapes.length === 1 ? (inShapes[0] as tfl.Shape) : (inShapes as tfl.Shape[])) as Shape | Shape[];
    } catch {
      out = node.outputTensors.length === 1 ? [...node.outputTensors[0]!.shape] : node.outputTensors.map((t) => [...t.shape]);
    }
    const outs = Array.isArray(out[0]) || node.outputTensors.length > 1 ? (out as Shape[]) : [out as Shape];
    node.outputTensors.forEach((t, i) => shapes.set(t.id, outs[i] ?? [...t.shape]));
  }
  return shapes;
}

const fmt = (s: Shape): string => `[${s.map((d) => (d === null ? '?' : d)).join(',')}]`;

function spatial(s: Shape): number | null {
  if (s.length !== 4 || s[1] === null || s[2] === null) return null;
  return s[1]! * s[2]!;
}

/** Names of the last few layers with a rank-4 output: suggestions for error messages. */
function candidateNames(model: tfl.LayersModel, n = 6): string[] {
  const names: string[] = [];
  for (const l of model.layers) {
    if (isInputLayer(l)) continue;
    const out = nodeIn(model, l).outputTensors;
    if (out.length === 1 && out[0]!.shape.length === 4) names.push(l.name);
  }
  return names.slice(-n);
}

/**
 * The layer whose output the classifier head is built on. `preferred` (from the catalog or
 * backbone.json) must exist and output a rank-4 map. Otherwise: the rank-4 layer feeding the first
 * "head" layer (one that turns a spatial map into a vector — global pooling, flatten, dense — or pools
 * it down to 1×1), or the model's output itself when it is a spatial map (no-top backbones).
 * MobileNet V1 with its ImageNet top → conv_pw_13_relu; V2 no-top → out_relu.
 */
export function findFeatureLayer(model: tfl.LayersModel, preferred?: string | null): string {
  if (preferred) {
    const layer = layerNamed(model, preferred);
    if (!layer) {
      throw new StudioError('invalid_input', `the backbone has no layer named "${preferred}"; candidates: ${candidateNames(model).join(', ')}`, 'featureLayer');
    }
    const out = outputOf(model, layer);
    if (out.shape.length !== 4) {
      throw new StudioError(
        'invalid_input',
        `layer "${preferred}" outputs ${fmt(out.shape)}, not a spatial feature map [batch, height, width, channels]; candidates: ${candidateNames(model).join(', ')}`,
        'featureLayer',
      );
    }
    return preferred;
  }
  if (model.outputs.length < 1) throw new StudioError('invalid_input', 'the backbone model has no outputs');
  const g = subgraph(model.outputs[0]!);
  const shapes = shapesOf(g);
  for (const node of g.nodes) {
    const input = node.inputTensors[0];
    if (!input) continue;
    const inShape = shapes.get(input.id)!;
    if (inShape.length !== 4) continue;
    const outShape = shapes.get(node.outputTensors[0]!.id)!;
    const inArea = spatial(inShape);
    const outArea = spatial(outShape);
    const isHead = outShape.length !== 4 || (outArea === 1 && inArea !== null && inArea > 1);
    if (!isHead) continue;
    if (isInputLayer(input.sourceLayer)) {
      throw new StudioError('invalid_input', `the backbone's ${node.outboundLayer.name} reads the input image directly; there is no feature map to cut at`);
    }
    return input.sourceLayer.name;
  }
  const last = model.outputs[0]!;
  if (last.shape.length === 4 && !isInputLayer(last.sourceLayer)) return last.sourceLayer.name;
  throw new StudioError('invalid_input', `could not find a spatial feature map in the backbone (output ${fmt(last.shape)}); name one with featureLayer in backbone.json`);
}

/** inputs → the named layer's output (the TM recipe). */
export function featureExtractor(model: tfl.LayersModel, layerName: string): tfl.LayersModel {
  const layer = layerNamed(model, layerName);
  if (!layer) throw new StudioError('invalid_input', `the backbone has no layer named "${layerName}"; candidates: ${candidateNames(model).join(', ')}`, 'featureLayer');
  return tfl.model({ inputs: model.inputs, outputs: outputOf(model, layer), name: `${model.name}_to_${layerName}` });
}

export interface FineTuneSplit {
  /** inputs → cut output; frozen, its output can be cached per image. */
  lower: tfl.LayersModel;
  /** cut output → feature layer output, through the backbone's own layer objects (shared weights). */
  upper: tfl.LayersModel;
  /** Name of the layer whose output is the cut. */
  cut: string;
}

/**
 * Splits inputs → featureLayer into lower + upper at a clean cut (no skip connection crosses it):
 * among the clean cuts with the feature map's spatial size, the one with the fewest channels, the
 * earliest on ties — then moved past the shape-preserving single-consumer layers that follow it
 * (BN, activation), so the cut falls after a block's last elementwise op rather than inside it.
 * MobileNet V2 → block_13_project_BN; V1 → conv_dw_12_relu.
 * `upper` re-applies the same layer objects to a fresh input, so training `upper` trains them.
 */
export function splitForFineTune(model: tfl.LayersModel, featureLayer: string): FineTuneSplit {
  if (model.inputs.length !== 1) throw new StudioError('invalid_input', `a backbone to fine-tune must have one input (this one has ${model.inputs.length})`);
  const layer = layerNamed(model, featureLayer);
  if (!layer) throw new StudioError('invalid_input', `the backbone has no layer named "${featureLayer}"; candidates: ${candidateNames(model).join(', ')}`, 'featureLayer');
  const feature = outputOf(model, layer);
  const g = subgraph(feature);
  const shapes = shapesOf(g);
  const fShape = shapes.get(feature.id)!;
  if (fShape.length !== 4) throw new StudioError('invalid_input', `layer "${featureLayer}" outputs ${fmt(fShape)}, not a spatial feature map`, 'featureLayer');
  const clean = cleanCuts(g);
  const input = g.inputs[0]!;

  let best: Sym | null = null;
  for (const t of g.tensors) {
    if (t.id === feature.id || t.id === input.id || !clean.has(t.id)) continue;
    const s = shapes.get(t.id)!;
    if (s.length !== 4 || s[1] !== fShape[1] || s[2] !== fShape[2]) continue;
    if (best === null || (s[3] ?? Infinity) < (shapes.get(best.id)![3] ?? Infinity)) best = t;
  }
  if (best === null) {
    throw new StudioError('invalid_input', `no layer before "${featureLayer}" can split the backbone for fine-tuning (none with its ${fShape[1]}×${fShape[2]} spatial size that every later layer depends on alone)`);
  }

  // Consumers of each tensor within the sub-graph.
  const consumers = new Map<number, LayerNode[]>();
  for (const node of g.nodes) for (const i of node.inputTensors) consumers.set(i.id, [...(consumers.get(i.id) ?? []), node]);
  let cut: Sym = best;
  for (;;) {
    const cs: LayerNode[] = consumers.get(cut.id) ?? [];
    if (cs.length !== 1) break;
    const next: LayerNode = cs[0]!;
    if (next.inputTensors.length !== 1 || next.outputTensors.length !== 1) break;
    const out: Sym = next.outputTensors[0]!;
    if (out.id === feature.id) break;
    const a = shapes.get(cut.id)!;
    const b = shapes.get(out.id);
    if (!b || fmt(a) !== fmt(b)) break;
    cut = out;
  }
  const cutName = cut.sourceLayer.name;

  const lower = tfl.model({ inputs: model.inputs, outputs: cut, name: `${model.name}_lower_to_${cutName}` });

  const pos = new Map<number, number>();
  g.tensors.forEach((t, i) => pos.set(t.id, i));
  const cutPos = pos.get(cut.id)!;
  const taken = new Set(model.layers.map((l) => l.name));
  let inName = `${cutName}_in`;
  while (taken.has(inName)) inName += '_';
  const fresh = tfl.input({ shape: cut.shape.slice(1) as number[], dtype: cut.dtype, name: inName });
  const mapped = new Map<number, Sym>([[cut.id, fresh]]);
  for (const node of g.nodes) {
    const outPos = Math.max(...node.outputTensors.map((o) => pos.get(o.id) ?? -1));
    if (outPos <= cutPos) continue;
    const ins = node.inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (!m) throw new StudioError('internal', `split at ${cutName}: ${node.outboundLayer.name} reads ${t.name} from before the cut`);
      return m;
    });
    const out = node.outboundLayer.apply(ins.length === 1 ? ins[0]! : ins, node.callArgs ?? {}) as Sym | Sym[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => mapped.set(t.id, outs[i]!));
  }
  const upperOut = mapped.get(feature.id);
  if (!upperOut) throw new StudioError('internal', `split at ${cutName}: ${featureLayer} was not rebuilt`);
  const upper = tfl.model({ inputs: fresh, outputs: upperOut, name: `${model.name}_upper_from_${cutName}` });
  return { lower, upper, cut: cutName };
}

/** Max |a - b| of two same-shaped tensors (for checks and tests). */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The symbolic output of a named layer within `model`'s own graph (for building models on its taps). */
export function layerOutput(model: tfl.LayersModel, layerName: string): tfl.SymbolicTensor {
  const layer = layerNamed(model, layerName);
  if (!layer) throw new StudioError('invalid_input', `the backbone has no layer named "${layerName}"; candidates: ${candidateNames(model).join(', ')}`, 'featureLayer');
  return outputOf(model, layer);
}

/**
 * The layers of inputs → featureLayer whose output is a clean cut (every path to the feature goes
 * through it: no skip connection crosses), in topological order, with their output shapes; the
 * feature layer itself last. Detection builds its pyramid on these taps.
 */
export function cleanCutLayers(model: tfl.LayersModel, featureLayer: string): Array<{ name: string; shape: Array<number | null> }> {
  const feature = layerOutput(model, featureLayer);
  const g = subgraph(feature);
  const shapes = shapesOf(g);
  const clean = cleanCuts(g);
  const out: Array<{ name: string; shape: Array<number | null> }> = [];
  for (const t of g.tensors) {
    if (g.inputs.includes(t) || (!clean.has(t.id) && t.id !== feature.id)) continue;
    out.push({ name: t.sourceLayer.name, shape: shapes.get(t.id)! });
  }
  return out;
}
