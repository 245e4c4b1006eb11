// Augmentation that keeps boxes right, on letterboxed square inputs: a horizontal flip, a random
// zoom (in: crop; out: grey border) with a shift, and brightness/contrast/saturation jitter. The
// geometry is one affine map, X = s·x + t (then X ↦ size − X when flipped); pixels are sampled
// through its inverse (bilinear) and boxes go through it directly, then are clipped to the image.
// A box that loses most of its area (or shrinks under 2 px) is dropped.

import { PAD_VALUE } from './images';
import type { TargetBox } from './targets';

export interface Affine {
  scale: number;
  tx: number;
  ty: number;
  flip: boolean;
}

export interface Jitter {
  /** 0: no change; 1: zoom 0.6–1.4, shift, colour ±25 %. */
  strength: number;
  /** Probability of a flip. Default 0.5. */
  flip?: number;
}

const MIN_VISIBLE = 0.35;

/** The affine of a random view: zoom s in [1 − 0.4·strength, 1 + 0.4·strength], a shift that keeps the view on the image, a flip half the time. */
export function randomAffine(size: number, random: () => number, jitter: Jitter): Affine {
  const scale = 1 + (random() * 2 - 1) * 0.4 * jitter.strength;
  // Zoom in (span < 0): the shift ranges over the crop; zoom out: over the border.
  const span = size * (1 - scale);
  const tx = span * random();
  const ty = span * random();
  return { scale, tx, ty, flip: random() < (jitter.flip ?? 0.5) };
}

/** Maps boxes through an affine, clipping to the image and dropping boxes mostly cut away. */
export function transformBoxes<B extends Pick<TargetBox, 'xmin' | 'ymin' | 'xmax' | 'ymax'>>(boxes: readonly B[], a: Affine, size: number): B[] {
  const out: B[] = [];
  for (const b of boxes) {
    let x0 = a.scale * b.xmin + a.tx;
    let x1 = a.scale * b.xmax + a.tx;
    const y0 = a.scale * b.ymin + a.ty;
    const y1 = a.scale * b.ymax + a.ty;
    if (a.flip) [x0, x1] = [size - x1, size - x0];
    const full = (x1 - x0) * (y1 - y0);
    const c = { xmin: Math.max(0, x0), ymin: Math.max(0, y0), xmax: Math.min(size, x1), ymax: Math.min(size, y1) };
    const w = c.xmax - c.xmin;
    const h = c.ymax - c.ymin;
    if (w < 2 || h < 2 || w * h < MIN_VISIBLE * full) continue;
    out.push({ ...b, ...c });
  }
  return out;
}

/** Resamples a size × size RGB image through an affine (bilinear; outside the source: grey). */
export function transformPixels(src: Uint8Array, size: number, a: Affine): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const inv = 1 / a.scale;
  for (let Y = 0; Y < size; Y++) {
    const sy = (Y + 0.5 - a.ty) * inv - 0.5;
    for (let X = 0; X < size; X++) {
      const Xs = a.flip ? size - 1 - X : X;
      const sx = (Xs + 0.5 - a.tx) * inv - 0.5;
      const o = (Y * size + X) * 3;
      if (sx < -0.5 || sy < -0.5 || sx > size - 0.5 || sy > size - 0.5) {
        out[o] = out[o + 1] = out[o + 2] = PAD_VALUE;
        continue;
      }
      const x0 = Math.max(0, Math.min(size - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(size - 1, Math.floor(sy)));
      const x1 = Math.min(size - 1, x0 + 1);
      const y1 = Math.min(size - 1, y0 + 1);
      const fx = Math.max(0, Math.min(1, sx - x0));
      const fy = Math.max(0, Math.min(1, sy - y0));
      const p00 = (y0 * size + x0) * 3;
      const p01 = (y0 * size + x1) * 3;
      const p10 = (y1 * size + x0) * 3;
      const p11 = (y1 * size + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[p00 + ch]! + (src[p01 + ch]! - src[p00 + ch]!) * fx;
        const bottom = src[p10 + ch]! + (src[p11 + ch]! - src[p10 + ch]!) * fx;
        out[o + ch] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

/** Brightness, contrast and saturation jitter in place (strength 1: ±25 %, ±25 %, ±30 %). */
export function colourJitter(px: Uint8Array, random: () => number, strength: number): Uint8Array {
  const brightness = 1 + (random() * 2 - 1) * 0.25 * strength;
  const contrast = 1 + (random() * 2 - 1) * 0.25 * strength;
  const saturation = 1 + (random() * 2 - 1) * 0.3 * strength;
  let mean = 0;
  for (let k = 0; k < px.length; k++) mean += px[k]!;
  mean = (mean / px.length) * brightness;
  for (let p = 0; p < px.length; p += 3) {
    const r = px[p]! * brightness;
    const g = px[p + 1]! * brightness;
    const b = px[p + 2]! * brightness;
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    px[p] = clampByte(mean + (grey + (r - grey) * saturation - mean) * contrast);
    px[p + 1] = clampByte(mean + (grey + (g - grey) * saturation - mean) * contrast);
    px[p + 2] = clampByte(mean + (grey + (b - grey) * saturation - mean) * contrast);
  }
  return px;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** A flipped copy of an image and its boxes. */
export function flipView<B extends Pick<TargetBox, 'xmin' | 'ymin' | 'xmax' | 'ymax'>>(pixels: Uint8Array, boxes: readonly B[], size: number): { pixels: Uint8Array; boxes: B[] } {
  const a: Affine = { scale: 1, tx: 0, ty: 0, flip: true };
  return { pixels: transformPixels(pixels, size, a), boxes: transformBoxes(boxes, a, size) };
}

/** A random view: affine (zoom, shift, flip) then colour jitter. */
export function augmentScene<B extends Pick<TargetBox, 'xmin' | 'ymin' | 'xmax' | 'ymax'>>(pixels: Uint8Array, boxes: readonly B[], size: number, random: () => number, jitter: Jitter): { pixels: Uint8Array; boxes: B[] } {
  const a = randomAffine(size, random, jitter);
  const out = transformPixels(pixels, size, a);
  if (jitter.strength > 0) colourJitter(out, random, jitter.strength);
  return { pixels: out, boxes: transformBoxes(boxes, a, size) };
}
