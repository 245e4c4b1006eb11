// The text-line recognizer: a CRNN (Shi, Bai & Yao 2015) small enough to train on a CPU.
//
//   input [height=32, width, 3] (the line crop, x/127.5 − 1, padded on the right)
//   → 4 conv blocks (3×3 conv, batch norm, ReLU) with strides 2×2, 2×2, 2×1, 2×1: the height is
//     halved four times (32 → 2) and the width twice
//   → [T = width/4, 2·channels] sequence (each frame: its column's two remaining rows)
//   → sequence layers over T/group steps (group = 2 frames per step by default): a bidirectional
//     GRU (default) or LSTM, or a stack of 1-D convolutions, or none
//   → dense logits over the classes (class 0 = CTC blank) for each frame: [T, classes].
//
// It is one tfjs layers model, so saveModel/loadModel (folderIO) store it as they store the
// classifier. Recurrent layers use a glorot-uniform recurrent initializer: the default orthogonal
// one runs a QR decomposition in JS and is very slow in tfjs.
//
// Why a BiGRU by default, although it is the slow part on wasm (measured on a busy 2-core VM, one
// training step of 16 lines 128 px wide: ~10,700 kernel calls and ~1.8 s with a BiGRU over 32
// steps, ~650 calls and ~0.2 s with no sequence layer): on generated digit lines the BiGRU left the
// CTC plateau within 3–5 epochs where the 1-D conv stack (no normalisation) stayed on it for 12,
// and it is what CRNN uses. Reading two frames per step (`group`) halves its cost at little loss;
// 'none' (per-frame classification from the conv features) also learns the digits and is ~3×
// faster per epoch, a fallback where time matters more than context. No strides are dilated and
// no pooling is used: tfjs has no gradient for dilated convolutions, and on wasm a max-pool's
// gradient cost as much as a convolution's.

import * as tfl from '@tensorflow/tfjs-layers';

export type SequenceKind = 'bigru' | 'bilstm' | 'conv' | 'none';

export interface RecognizerConfig {
  /** Input height in pixels; must be 32 (the strides bring 32 down to 2). */
  height: number;
  /** Input width in pixels, a multiple of 4; T = width / 4 frames. */
  width: number;
  /** Output classes: charset size + 1 (the blank). */
  classes: number;
  /** Filters of the 4 conv blocks. */
  filters: readonly [number, number, number, number];
  sequence: SequenceKind;
  /** Units per direction of the recurrent layer (or filters of the 1-D conv stack). */
  units: number;
  /**
   * Frames per recurrent step (1, 2 or 4): the sequence layer runs over T/group steps, each
   * reading `group` neighbouring frames and emitting their logits. The cost of a tfjs recurrent
   * layer is mostly per-step overhead (dozens of small ops per step and direction), so 2 halves it
   * while CTC keeps T frames.
   */
  group: number;
  /** Dropout before the logits (training only). */
  dropout: number;
  seed: number;
}

export const DEFAULT_RECOGNIZER: Omit<RecognizerConfig, 'classes'> = {
  height: 32,
  width: 256,
  filters: [16, 32, 64, 96],
  sequence: 'bigru',
  units: 96,
  group: 2,
  dropout: 0.1,
  seed: 1,
};

/** Frames the network emits for an input width. */
export function framesFor(width: number): number {
  return Math.floor(width / 4);
}

export function buildRecognizer(partial: Partial<RecognizerConfig> & { classes: number }): tfl.LayersModel {
  const c: RecognizerConfig = { ...DEFAULT_RECOGNIZER, ...partial };
  if (c.height !== 32) throw new RangeError(`recognizer input height must be 32, got ${c.height}`);
  if (c.width < 8 || c.width % 4 !== 0) throw new RangeError(`recognizer input width must be a multiple of 4 (≥ 8), got ${c.width}`);
  const frames = framesFor(c.width);
  if (![1, 2, 4].includes(c.group) || frames % c.group !== 0) throw new RangeError(`recognizer group must be 1, 2 or 4 and divide the ${frames} frames, got ${c.group}`);
  if (c.classes < 2) throw new RangeError(`recognizer needs at least 2 classes (blank + 1 character), got ${c.classes}`);
  let seed = c.seed;
  const he = () => tfl.initializers.heNormal({ seed: seed++ });
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed++ });

  const input = tfl.input({ shape: [c.height, c.width, 3], name: 'line' });
  let x: tfl.SymbolicTensor = input;
  // Strided convolutions, no pooling: strides 2×2, 2×2, 2×1, 2×1 take [32, W] to [2, W/4]. (Pools
  // meant MaxPoolGrad, slow on wasm, and convolutions at 2–4× the resolution.)
  const strides: Array<[number, number]> = [[2, 2], [2, 2], [2, 1], [2, 1]];
  c.filters.forEach((filters, i) => {
    x = tfl.layers.conv2d({ filters, kernelSize: 3, strides: strides[i]!, padding: 'same', useBias: false, kernelInitializer: he(), name: `rec_conv${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ momentum: 0.9, name: `rec_bn${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `rec_relu${i + 1}` }).apply(x) as tfl.SymbolicTensor;
  });
  // [2, T, C] → [T, 2, C] → [T/group, group·2C]: each step sees its frames' columns, upper and lower half.
  const last = c.filters[c.filters.length - 1]!;
  const steps = frames / c.group;
  x = tfl.layers.permute({ dims: [2, 1, 3], name: 'rec_columns' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reshape({ targetShape: [steps, c.group * 2 * last], name: 'rec_sequence' }).apply(x) as tfl.SymbolicTensor;

  if (c.sequence === 'none') {
    // Per-frame classification from the conv features alone (receptive field 23 px wide).
  } else if (c.sequence === 'conv') {
    // Receptive field 5 → 9 → 13 frames, about 3 characters each side. (No dilations: tfjs has no
    // gradient for dilated convolutions.)
    [1, 2, 3].forEach((i) => {
      x = tfl.layers.conv1d({ filters: c.units, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: he(), name: `rec_seq_conv${i}` }).apply(x) as tfl.SymbolicTensor;
    });
  } else {
    const cell =
      c.sequence === 'bilstm'
        ? tfl.layers.lstm({ units: c.units, returnSequences: true, kernelInitializer: glorot(), recurrentInitializer: glorot(), name: 'rec_lstm' })
        : tfl.layers.gru({ units: c.units, returnSequences: true, kernelInitializer: glorot(), recurrentInitializer: glorot(), name: 'rec_gru' });
    x = tfl.layers.bidirectional({ layer: cell as tfl.RNN, mergeMode: 'concat', name: 'rec_birnn' }).apply(x) as tfl.SymbolicTensor;
  }
  if (c.dropout > 0) x = tfl.layers.dropout({ rate: c.dropout, seed: seed++, name: 'rec_dropout' }).apply(x) as tfl.SymbolicTensor;
  let logits = tfl.layers.dense({ units: c.group * c.classes, kernelInitializer: glorot(), name: 'rec_logits' }).apply(x) as tfl.SymbolicTensor;
  if (c.group > 1) logits = tfl.layers.reshape({ targetShape: [frames, c.classes], name: 'rec_frames' }).apply(logits) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'recognizer' });
}

/** Input geometry of a built or loaded recognizer: [height, width] and frames T. */
export function recognizerGeometry(model: tfl.LayersModel): { height: number; width: number; frames: number; classes: number } {
  const inShape = model.inputs[0]!.shape;
  const outShape = model.outputs[0]!.shape;
  const height = inShape[1];
  const width = inShape[2];
  const frames = outShape[1];
  const classes = outShape[2];
  if (typeof height !== 'number' || typeof width !== 'number' || typeof frames !== 'number' || typeof classes !== 'number') {
    throw new RangeError(`not a recognizer: input [${inShape.join(',')}], output [${outShape.join(',')}]`);
  }
  return { height, width, frames, classes };
}
