// Image input pipeline: sharp decodes on the Node side (./decode), and plain JS here augments the
// decoded pixels, so every tfjs backend, in a Node process or a browser context, gets the same input.

import type * as tf from '@tensorflow/tfjs-core';
import { StudioError } from '../../shared/api';

import type { Preprocessing } from './backbones/zoo';

export type { Preprocessing };

/**
 * One random view of a decoded square: crop of 65–100 % of the side (scaled by `strength`) at a
 * random place, resampled bilinearly to `outSize`, mirrored half of the time, with brightness,
 * contrast and saturation jitter. strength 0 gives a plain resize.
 */
export function augmentView(src: Uint8Array, srcSize: number, outSize: number, random: () => number, strength: number): Uint8Array {
  const crop = srcSize * (1 - 0.35 * strength * random());
  const x0 = random() * (srcSize - crop);
  const y0 = random() * (srcSize - crop);
  const flip = random() < 0.5;
  const brightness = 1 + (random() * 2 - 1) * 0.25 * strength;
  const contrast = 1 + (random() * 2 - 1) * 0.25 * strength;
  const saturation = 1 + (random() * 2 - 1) * 0.3 * strength;
  const out = new Uint8Array(outSize * outSize * 3);
  const step = crop / outSize;
  let mean = 0;
  const tmp = new Float32Array(out.length);
  for (let y = 0; y < outSize; y++) {
    const sy = Math.min(srcSize - 1, Math.max(0, y0 + (y + 0.5) * step - 0.5));
    const iy = Math.floor(sy);
    const fy = sy - iy;
    const iy1 = Math.min(srcSize - 1, iy + 1);
    for (let x = 0; x < outSize; x++) {
      const ox = flip ? outSize - 1 - x : x;
      const sx = Math.min(srcSize - 1, Math.max(0, x0 + (ox + 0.5) * step - 0.5));
      const ix = Math.floor(sx);
      const fx = sx - ix;
      const ix1 = Math.min(srcSize - 1, ix + 1);
      const a = (iy * srcSize + ix) * 3;
      const b = (iy * srcSize + ix1) * 3;
      const c = (iy1 * srcSize + ix) * 3;
      const d = (iy1 * srcSize + ix1) * 3;
      const o = (y * outSize + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a + ch]! + (src[b + ch]! - src[a + ch]!) * fx;
        const bottom = src[c + ch]! + (src[d + ch]! - src[c + ch]!) * fx;
        const v = (top + (bottom - top) * fy) * brightness;
        tmp[o + ch] = v;
        mean += v;
      }
    }
  }
  mean /= tmp.length;
  for (let p = 0; p < tmp.length; p += 3) {
    const grey = 0.299 * tmp[p]! + 0.587 * tmp[p + 1]! + 0.114 * tmp[p + 2]!;
    for (let ch = 0; ch < 3; ch++) {
      const saturated = grey + (tmp[p + ch]! - grey) * saturation;
      out[p + ch] = Math.max(0, Math.min(255, Math.round(mean + (saturated - mean) * contrast)));
    }
  }
  return out;
}

/** Mirrors an RGB square left–right. */
export function mirror(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 3;
      const o = (y * size + (size - 1 - x)) * 3;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
  }
  return out;
}

/** Stacks decoded squares into a normalised NHWC float batch. */
export function toBatch(core: typeof tf, images: readonly Uint8Array[], pre: Preprocessing): tf.Tensor4D {
  const n = pre.size * pre.size * 3;
  const data = new Float32Array(images.length * n);
  images.forEach((img, i) => {
    if (img.length !== n) throw new StudioError('internal', `image ${i} has ${img.length} values, expected ${n}`);
    const base = i * n;
    for (let k = 0; k < n; k++) data[base + k] = img[k]! * pre.scale + pre.offset;
  });
  return core.tensor4d(data, [images.length, pre.size, pre.size, 3]);
}
