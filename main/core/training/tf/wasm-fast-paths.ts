// Faster paths for kernels that dominate fine-tuning a MobileNet on the wasm backend (profiled on
// MobileNetV2's top blocks, batch 16 at 7×7: one step went from 4.8 s to well under 1 s):
// - Pointwise (1×1, stride 1) convolutions hold most of the weights, and their gradients are plain
//   matrix products: wasm's Conv2DBackpropInput is a naive loop and the JS Conv2DBackpropFilter of
//   wasm-kernels.ts is generic, so for 1×1 both become one BatchMatMul.
// - BatchNorm's gradient tiles [1,1,1,C] statistics over the batch; wasm's Tile walks every element
//   through index arithmetic (~100 ms for 16×7×7×960); copying whole rows is ~100× faster.
// - Depthwise convolutions with stride 1, 'same' padding, an odd kernel and one filter per channel
//   (separable convs, MobileNet's stride-1 blocks): the input gradient is the forward depthwise
//   convolution of dY with the flipped filter (wasm's XNNPACK kernel), and the filter gradient is,
//   per tap, Σ shifted-X · dY (slices, products and sums in wasm) — several times faster than the JS
//   loops of wasm-kernels.ts, which keep every other case.
// - BatchMatMul with a transpose flag (every dense and recurrent layer's gradient: dA = dY·Bᵀ,
//   dB = Aᵀ·dY) is ~10× slower in wasm than transposing explicitly and multiplying plainly; the
//   CRNN recognizer's BiGRU spends most of its step there.
// Anything else goes to the kernel registered before.

import {
  BatchMatMul,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  Tile,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

interface Backend {
  disposeData(dataId: object): boolean;
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface Args {
  inputs: Record<string, TensorInfo>;
  backend: Backend;
  attrs: NamedAttrMap;
}

const wrapped = new Set<string>();

function isPointwise(attrs: NamedAttrMap, kernelShape: readonly number[]): boolean {
  const strides = attrs.strides as number | [number, number];
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const dilations = (attrs.dilations as number | [number, number] | undefined) ?? 1;
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  const pad = attrs.pad;
  return kernelShape[0] === 1 && kernelShape[1] === 1 && sh === 1 && sw === 1 && dh === 1 && dw === 1 && (attrs.dataFormat ?? 'NHWC') === 'NHWC' && (pad === 'same' || pad === 'valid' || pad === 0);
}

function kernel(name: string): KernelFunc {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return k.kernelFunc;
}

/**
 * a·b on [rows, k] matrices given as any-rank tensors, the result reshaped to `shape`. Transposes
 * are done by wasm's Transpose kernel: BatchMatMul with a transpose flag was 10× slower here.
 */
function matmul(backend: Backend, a: TensorInfo, aShape: [number, number], b: TensorInfo, bShape: [number, number], transposeA: boolean, transposeB: boolean, shape: number[]): TensorInfo {
  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temporaries.push(t), t);
  const reshape = (x: TensorInfo, to: number[]) => keep(kernel('Reshape')({ inputs: { x }, backend: backend as never, attrs: { shape: to } }) as TensorInfo);
  const operand = (x: TensorInfo, [r, c]: [number, number], transpose: boolean) =>
    transpose ? reshape(keep(kernel('Transpose')({ inputs: { x: reshape(x, [r, c]) }, backend: backend as never, attrs: { perm: [1, 0] } }) as TensorInfo), [1, c, r]) : reshape(x, [1, r, c]);
  const product = keep(kernel('BatchMatMul')({ inputs: { a: operand(a, aShape, transposeA), b: operand(b, bShape, transposeB) }, backend: backend as never, attrs: { transposeA: false, transposeB: false } }) as TensorInfo);
  const out = kernel('Reshape')({ inputs: { x: product }, backend: backend as never, attrs: { shape } }) as TensorInfo;
  for (const t of temporaries) backend.disposeData(t.dataId);
  return out;
}

function wrap(name: string, fast: (args: Args) => TensorInfo | null): void {
  if (wrapped.has(name)) return;
  const previous = getKernel(name, 'wasm');
  if (!previous) return;
  unregisterKernel(name, 'wasm');
  registerKernel({
    ...previous,
    kernelFunc: ((args: Args) => fast(args) ?? previous.kernelFunc(args as never)) as unknown as KernelFunc,
  });
  wrapped.add(name);
}

/** Tile by copying rows of the last dimension (float32 and int32 only; others fall through). */
function tile({ inputs: { x }, backend, attrs }: Args): TensorInfo | null {
  if (!x || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return null;
  const reps = attrs.reps as number[];
  const inShape = x.shape;
  const outShape = inShape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const outV = backend.typedArrayFromHeap(out);
  const inV = backend.typedArrayFromHeap(x);
  const rank = inShape.length;
  const inRow = inShape[rank - 1]!;
  const outRow = outShape[rank - 1]!;
  const rows = outV.length / Math.max(1, outRow);
  // Strides of the input over its leading dimensions.
  const inStrides = new Array<number>(rank).fill(inRow);
  for (let d = rank - 2; d >= 0; d--) inStrides[d] = d === rank - 2 ? inRow : inStrides[d + 1]! * inShape[d + 1]!;
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0; r < rows; r++) {
    let src = 0;
    for (let d = 0; d < rank - 1; d++) src += (index[d]! % inShape[d]!) * inStrides[d]!;
    const row = inV.subarray(src, src + inRow);
    for (let k = 0; k < outRow; k += inRow) outV.set(row, r * outRow + k);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Stride 1, dilation 1, 'same' padding, odd square kernel, channel multiplier 1: the depthwise fast path's case. */
function isSimpleDepthwise(attrs: NamedAttrMap, filterShape: readonly number[]): boolean {
  const pair = (v: unknown) => (typeof v === 'number' ? [v, v] : (v as [number, number] | undefined) ?? [1, 1]);
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations);
  const [kh, kw, , mult] = filterShape as [number, number, number, number];
  return sh === 1 && sw === 1 && dh === 1 && dw === 1 && attrs.pad === 'same' && kh === kw && kh % 2 === 1 && mult === 1 && (attrs.dataFormat ?? 'NHWC') === 'NHWC';
}

/** Runs wasm kernels by name, disposing the temporaries it made when done. */
function runner(backend: Backend) {
  const temporaries: TensorInfo[] = [];
  const run = (name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo => {
    const out = kernel(name)({ inputs, backend: backend as never, attrs }) as TensorInfo;
    temporaries.push(out);
    return out;
  };
  return { run, done: () => temporaries.forEach((t) => backend.disposeData(t.dataId)) };
}

/** dX = depthwise(dY, filter flipped in both spatial axes), same padding. */
function depthwiseInput({ inputs: { dy, filter }, backend, attrs }: Args): TensorInfo | null {
  if (!dy || !filter || dy.dtype !== 'float32' || !isSimpleDepthwise(attrs, filter.shape)) return null;
  const { run, done } = runner(backend);
  const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
  const out = kernel('DepthwiseConv2dNative')({ inputs: { x: dy, filter: flipped }, backend: backend as never, attrs: { strides: [1, 1], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined as never } }) as TensorInfo;
  done();
  return out;
}

/**
 * dW[a, b, c] = Σ over batch and pixels of Xpadded[n, i + a, j + b, c] · dY[n, i, j, c]: itself a
 * 'valid' depthwise convolution of Xpadded (batch moved into the channels, [1, H+2p, W+2p, N·C]) by
 * dY as the filter ([H, W, N·C, 1]), giving [1, k, k, N·C], then summed over the batch.
 */
function depthwiseFilter({ inputs: { x, dy }, backend, attrs }: Args): TensorInfo | null {
  const filterShape = attrs.filterShape as number[];
  if (!x || !dy || x.dtype !== 'float32' || !isSimpleDepthwise(attrs, filterShape)) return null;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const k = filterShape[0]!;
  const p = (k - 1) / 2;
  const { run, done } = runner(backend);
  const padded = run('PadV2', { x }, { paddings: [[0, 0], [p, p], [p, p], [0, 0]], constantValue: 0 });
  const image = run('Reshape', { x: run('Transpose', { x: padded }, { perm: [1, 2, 0, 3] }) }, { shape: [1, h + 2 * p, w + 2 * p, n * c] });
  const taps = run('Reshape', { x: run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }) }, { shape: [h, w, n * c, 1] });
  const perSample = run('DepthwiseConv2dNative', { x: image, filter: taps }, { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined as never });
  const summed = run('Sum', { x: run('Reshape', { x: perSample }, { shape: [k, k, n, c] }) }, { axis: [2], keepDims: false });
  const out = kernel('Reshape')({ inputs: { x: summed }, backend: backend as never, attrs: { shape: filterShape } }) as TensorInfo;
  done();
  return out;
}

/** A·B with transposes done by wasm's Transpose kernel on the last two axes, then a plain product. */
function transposedMatMul({ inputs: { a, b }, backend, attrs }: Args): TensorInfo | null {
  const [ta, tb] = [attrs.transposeA === true, attrs.transposeB === true];
  if (!a || !b || (!ta && !tb) || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const { run, done } = runner(backend);
  const swapLast = (x: TensorInfo) => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
    return run('Transpose', { x }, { perm });
  };
  // The wrapped kernel itself: without transposes it falls through to wasm's own.
  const out = kernel(BatchMatMul)({ inputs: { a: ta ? swapLast(a) : a, b: tb ? swapLast(b) : b }, backend: backend as never, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
  done();
  return out;
}

/** Call after the wasm backend's kernels (and registerWasmGradientKernels) are registered. */
export function registerWasmFastPaths(): void {
  wrap(Tile, tile);
  wrap(BatchMatMul, transposedMatMul);
  wrap(DepthwiseConv2dNativeBackpropInput, depthwiseInput);
  wrap(DepthwiseConv2dNativeBackpropFilter, depthwiseFilter);
  // dW[1,1,cin,cout] = Xᵀ·dY over all pixels.
  wrap(Conv2DBackpropFilter, ({ inputs: { x, dy }, backend, attrs }) => {
    const filterShape = attrs.filterShape as number[];
    if (!isPointwise(attrs, filterShape)) return null;
    const rows = x!.shape.slice(0, 3).reduce((p, v) => p * v, 1);
    return matmul(backend, x!, [rows, x!.shape[3]!], dy!, [rows, dy!.shape[3]!], true, false, filterShape);
  });
  // dX[n,h,w,cin] = dY·Wᵀ.
  wrap(Conv2DBackpropInput, ({ inputs: { dy, filter }, backend, attrs }) => {
    if (!isPointwise(attrs, filter!.shape)) return null;
    const rows = dy!.shape.slice(0, 3).reduce((p, v) => p * v, 1);
    const [, , cin, cout] = filter!.shape as [number, number, number, number];
    return matmul(backend, dy!, [rows, cout], filter!, [cin, cout], false, true, attrs.inputShape as number[]);
  });
}
