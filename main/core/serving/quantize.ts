// Weight quantization written from JavaScript: tfjs' own save never quantizes, but its loader
// dequantizes any weight whose manifest entry carries `quantization` (tfjs-core io_utils
// decodeWeights). So a model folder is rewritten here with float32 weights stored as float16, or as
// uint8 with a per-tensor min and scale (the tfjs converter's recipe, quantization.py: the range is
// nudged so that 0 stays exact). Both load back with tf.loadLayersModel.

import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { StudioError } from '../../shared/api';
import { MODEL_JSON, WEIGHTS_BIN, readModelFolder } from '../training/backbones/folder-io';
import { METADATA_FILE } from '../training/model-metadata';

export const WEIGHT_DTYPES = ['float32', 'float16', 'uint8'] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

type Spec = tf.io.WeightsManifestEntry;

/**
 * Writes the model of `srcDir` into `destDir` (created) with its float32 weights stored as `dtype`;
 * other weights (int32, bool) are kept as they are. metadata.json is copied. Returns the bytes of
 * the model files (model.json + weights), the seed's model_size.
 */
export async function writeQuantized(srcDir: string, destDir: string, dtype: WeightDtype): Promise<number> {
  const core = await import('@tensorflow/tfjs-core');
  const { json, specs, data } = await readModelFolder(srcDir);
  // Decoding first also undoes a quantization the source may already carry.
  const tensors = core.io.decodeWeights(data, specs);
  const outSpecs: Spec[] = [];
  const parts: Uint8Array[] = [];
  try {
    for (const spec of specs) {
      const tensor = tensors[spec.name];
      if (!tensor) throw new StudioError('io_error', `${join(srcDir, MODEL_JSON)}: weight ${spec.name} could not be decoded`);
      const values = tensor.dataSync();
      const base: Spec = { name: spec.name, shape: spec.shape, dtype: spec.dtype };
      if (spec.dtype !== 'float32' || dtype === 'float32') {
        outSpecs.push(base);
        parts.push(rawBytes(values, spec.dtype));
      } else if (dtype === 'float16') {
        outSpecs.push({ ...base, quantization: { dtype: 'float16' } });
        parts.push(bytesOf(toFloat16(values as Float32Array)));
      } else {
        const q = toUint8(values as Float32Array);
        outSpecs.push({ ...base, quantization: { dtype: 'uint8', min: q.min, scale: q.scale } });
        parts.push(q.data);
      }
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  await mkdir(destDir, { recursive: true });
  const weights = Buffer.concat(parts);
  await writeFile(join(destDir, WEIGHTS_BIN), weights);
  const out: tf.io.ModelJSON = { ...json, weightsManifest: [{ paths: [WEIGHTS_BIN], weights: outSpecs }] };
  await writeFile(join(destDir, MODEL_JSON), JSON.stringify(out));
  if ((await readdir(srcDir)).includes(METADATA_FILE)) await copyFile(join(srcDir, METADATA_FILE), join(destDir, METADATA_FILE));
  return (await stat(join(destDir, MODEL_JSON))).size + weights.length;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function rawBytes(values: tf.TypedArray | string[], dtype: string): Uint8Array {
  if (dtype === 'float32') return bytesOf(Float32Array.from(values as Float32Array));
  if (dtype === 'int32') return bytesOf(Int32Array.from(values as Int32Array));
  if (dtype === 'bool') return Uint8Array.from(values as Uint8Array);
  throw new StudioError('invalid_input', `weights of dtype ${dtype} cannot be written`);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number, rounded to nearest even (overflow → ±Infinity). */
export function float16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: the value is m × 2^-24.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa rightly bumps the exponent.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return half;
}

export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]!);
  return out;
}

/** Affine uint8 over the tensor's [min, max], nudged so 0 is exact; one value → zeros, scale 1. */
export function toUint8(values: Float32Array): { data: Uint8Array; min: number; scale: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0 || lo === hi) return { data: new Uint8Array(values.length), min: values.length ? lo : 0, scale: 1 };
  const QMAX = 255;
  const scale = (hi - lo) / QMAX;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zero = Math.round(-lo / scale);
    min = -zero * scale;
    max = QMAX * scale + min;
  }
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(max, Math.max(min, values[i]!));
    data[i] = Math.max(0, Math.min(QMAX, Math.round((v - min) / scale)));
  }
  return { data, min, scale };
}
