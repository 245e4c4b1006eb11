// Text-line crops for the recognizer. An image is decoded once (sharp: EXIF-rotated, alpha
// flattened on white, RGB); each box becomes a *region*: the box plus a margin, downscaled by
// sharp so the box is at most twice the recognizer's height (it is never upscaled). A region is
// small and is kept in memory for the whole run; every epoch renders a crop from it in plain JS:
// the box (jittered when augmenting) resized bilinearly to the input height, aspect kept
// (squeezed only when wider than the input), left-aligned and padded on the right with the
// line's background colour, then brightness/contrast jitter, then a per-line normalisation (light
// text on dark ground is inverted; contrast stretched). Inference uses the same path with no
// jitter, so training, validation and serving see identical pixels for the same box.

import sharp from 'sharp';
import type * as tf from '@tensorflow/tfjs-core';
import { StudioError } from '../../../shared/api';

export interface LineGeometry {
  /** Input height of the recognizer (32). */
  height: number;
  /** Input width of the recognizer. */
  width: number;
}

export interface BoxLike {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** Decoded RGB pixels, row-major, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A line's neighbourhood, kept between epochs: `box` is the line's box in this region's pixels. */
export interface LineRegion {
  pixels: Uint8Array;
  width: number;
  height: number;
  box: BoxLike;
}

export interface Crop {
  /** [height × width × 3] RGB bytes. */
  pixels: Uint8Array;
  /** Columns holding the line (the rest is padding). */
  contentWidth: number;
}

/** Margin around the box kept in a region, as a fraction of the box height (room for jitter). */
export const REGION_MARGIN = 0.25;

export async function decodeRgb(source: string | Buffer, name = typeof source === 'string' ? source : 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(source, { failOn: 'none' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw new StudioError('invalid_input', `${name}: cannot decode image (${err instanceof Error ? err.message : String(err)})`, 'image');
  }
}

/**
 * Cuts a box's region (box + REGION_MARGIN·height each side, inside the image) out of a decoded
 * image, downscaled so the box is at most 2 × geometry.height tall.
 * @throws StudioError when the box does not overlap the image or is empty.
 */
export async function extractRegion(img: RgbImage, box: BoxLike, geometry: LineGeometry, margin = REGION_MARGIN): Promise<LineRegion> {
  const b = clampBox(box, img.width, img.height);
  if (b === null) throw new StudioError('invalid_input', `box [${box.xmin}, ${box.ymin}, ${box.xmax}, ${box.ymax}] is empty or outside the ${img.width}×${img.height} image`, 'box');
  const bh = b.ymax - b.ymin;
  const m = margin * bh;
  const left = Math.max(0, Math.floor(b.xmin - m));
  const top = Math.max(0, Math.floor(b.ymin - m));
  const right = Math.min(img.width, Math.ceil(b.xmax + m));
  const bottom = Math.min(img.height, Math.ceil(b.ymax + m));
  const w = right - left;
  const h = bottom - top;
  const scale = Math.min(1, (2 * geometry.height) / bh);
  const outW = Math.max(1, Math.round(w * scale));
  const outH = Math.max(1, Math.round(h * scale));
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).extract({ left, top, width: w, height: h });
  if (outW !== w || outH !== h) pipeline = pipeline.resize(outW, outH, { fit: 'fill' });
  const data = await pipeline.raw().toBuffer();
  const sx = outW / w;
  const sy = outH / h;
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: outW,
    height: outH,
    box: { xmin: (b.xmin - left) * sx, ymin: (b.ymin - top) * sy, xmax: (b.xmax - left) * sx, ymax: (b.ymax - top) * sy },
  };
}

/** The box's part inside the image as continuous coordinates, or null if nothing is left. */
function clampBox(box: BoxLike, width: number, height: number): BoxLike | null {
  const xmin = Math.max(0, Math.min(box.xmin, box.xmax));
  const xmax = Math.min(width, Math.max(box.xmin, box.xmax));
  const ymin = Math.max(0, Math.min(box.ymin, box.ymax));
  const ymax = Math.min(height, Math.max(box.ymin, box.ymax));
  if (!(xmax - xmin >= 1 && ymax - ymin >= 1)) return null;
  return { xmin, ymin, xmax, ymax };
}

export interface Augmentation {
  random: () => number;
  /** 0 (none) … 1 (full): scales every jitter below. */
  strength: number;
}

/**
 * Renders the recognizer input for a region. With `augment`: each box edge moves by up to 8 % of
 * the box height horizontally and 6 % vertically, the line is stretched or squeezed by up to 10 %,
 * brightness by up to ±20 % and contrast by up to ±25 % (before the normalisation, which mostly
 * evens them out again: they survive as clipping differences). Every crop is then normalised
 * (see `normalise`).
 */
export function renderCrop(region: LineRegion, geometry: LineGeometry, augment?: Augmentation): Crop {
  const { height: H, width: W } = geometry;
  let { xmin, ymin, xmax, ymax } = region.box;
  let stretch = 1;
  let brightness = 1;
  let contrast = 1;
  if (augment && augment.strength > 0) {
    const r = () => augment.random() * 2 - 1;
    const s = augment.strength;
    const bh = ymax - ymin;
    xmin += r() * 0.08 * bh * s;
    xmax += r() * 0.08 * bh * s;
    ymin += r() * 0.06 * bh * s;
    ymax += r() * 0.06 * bh * s;
    if (xmax - xmin < 1) xmax = xmin + 1;
    if (ymax - ymin < 1) ymax = ymin + 1;
    stretch = 1 + r() * 0.1 * s;
    brightness = 1 + r() * 0.2 * s;
    contrast = 1 + r() * 0.25 * s;
  }
  const bw = xmax - xmin;
  const bh = ymax - ymin;
  const contentWidth = Math.max(1, Math.min(W, Math.round(((bw * H) / bh) * stretch)));
  const out = new Float32Array(H * W * 3);
  const src = region.pixels;
  const rw = region.width;
  const rh = region.height;
  const stepX = bw / contentWidth;
  const stepY = bh / H;
  for (let y = 0; y < H; y++) {
    const sy = Math.min(rh - 1, Math.max(0, ymin + (y + 0.5) * stepY - 0.5));
    const iy = Math.floor(sy);
    const fy = sy - iy;
    const iy1 = Math.min(rh - 1, iy + 1);
    for (let x = 0; x < contentWidth; x++) {
      const sx = Math.min(rw - 1, Math.max(0, xmin + (x + 0.5) * stepX - 0.5));
      const ix = Math.floor(sx);
      const fx = sx - ix;
      const ix1 = Math.min(rw - 1, ix + 1);
      const a = (iy * rw + ix) * 3;
      const b = (iy * rw + ix1) * 3;
      const c = (iy1 * rw + ix) * 3;
      const d = (iy1 * rw + ix1) * 3;
      const o = (y * W + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a + ch]! + (src[b + ch]! - src[a + ch]!) * fx;
        const bottom = src[c + ch]! + (src[d + ch]! - src[c + ch]!) * fx;
        out[o + ch] = top + (bottom - top) * fy;
      }
    }
  }
  // Padding colour: the mean of the content's outer ring (top and bottom rows, first and last columns).
  const bg = [0, 0, 0];
  let n = 0;
  const addPixel = (x: number, y: number) => {
    const o = (y * W + x) * 3;
    bg[0]! += out[o]!;
    bg[1]! += out[o + 1]!;
    bg[2]! += out[o + 2]!;
    n++;
  };
  for (let x = 0; x < contentWidth; x++) {
    addPixel(x, 0);
    addPixel(x, H - 1);
  }
  for (let y = 1; y < H - 1; y++) {
    addPixel(0, y);
    addPixel(contentWidth - 1, y);
  }
  for (let ch = 0; ch < 3; ch++) bg[ch]! /= n;
  for (let y = 0; y < H; y++) {
    for (let x = contentWidth; x < W; x++) {
      const o = (y * W + x) * 3;
      out[o] = bg[0]!;
      out[o + 1] = bg[1]!;
      out[o + 2] = bg[2]!;
    }
  }
  if (brightness !== 1 || contrast !== 1) {
    let mean = 0;
    for (let i = 0; i < out.length; i++) mean += out[i]!;
    mean /= out.length;
    for (let i = 0; i < out.length; i++) out[i] = (mean + (out[i]! - mean) * contrast) * brightness;
  }
  const pixels = new Uint8Array(H * W * 3);
  normalise(out, pixels, W, H, contentWidth);
  return { pixels, contentWidth };
}

/**
 * Polarity and contrast normalisation, per crop: lines whose ink is lighter than their background
 * (white digits on a dark card) are inverted, so the network always sees dark text on a light
 * ground, and the luminance range between the 2nd and 98th percentile of the line is stretched to
 * 0–255 (at most 8×, so a blank crop's noise is not blown up).
 */
function normalise(src: Float32Array, dst: Uint8Array, W: number, H: number, contentWidth: number): void {
  const n = contentWidth * H;
  const values = new Float32Array(n);
  let mean = 0;
  let k = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < contentWidth; x++) {
      const o = (y * W + x) * 3;
      const v = 0.299 * src[o]! + 0.587 * src[o + 1]! + 0.114 * src[o + 2]!;
      values[k++] = v;
      mean += v;
    }
  }
  mean /= n;
  values.sort();
  // Ink covers less than half of a line box, so the median is the ground: dark ink pulls the mean
  // below it, light ink above it.
  const median = values[Math.floor((n - 1) / 2)]!;
  const invert = mean > median;
  let lo = values[Math.floor(0.02 * (n - 1))]!;
  let hi = values[Math.ceil(0.98 * (n - 1))]!;
  if (invert) [lo, hi] = [255 - hi, 255 - lo];
  const range = Math.max(hi - lo, 32);
  const scale = 255 / range;
  for (let i = 0; i < src.length; i++) {
    const v = invert ? 255 - src[i]! : src[i]!;
    dst[i] = Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
  }
}

/** The recognizer's input for one box of an image (decode, region, render; no augmentation). */
export async function cropLine(source: string | Buffer | RgbImage, box: BoxLike, geometry: LineGeometry): Promise<Crop> {
  const img = isRgb(source) ? source : await decodeRgb(source);
  return renderCrop(await extractRegion(img, box, geometry), geometry);
}

/** Crops of several boxes of one image, decoding it once. */
export async function cropLines(source: string | Buffer | RgbImage, boxes: readonly BoxLike[], geometry: LineGeometry): Promise<Crop[]> {
  const img = isRgb(source) ? source : await decodeRgb(source);
  const out: Crop[] = [];
  for (const box of boxes) out.push(renderCrop(await extractRegion(img, box, geometry), geometry));
  return out;
}

function isRgb(x: unknown): x is RgbImage {
  return typeof x === 'object' && x !== null && !Buffer.isBuffer(x) && 'data' in x && 'width' in x && 'height' in x;
}

/** Stacks crops into the recognizer's normalised NHWC input (x / 127.5 − 1). */
export function toLineBatch(core: typeof tf, crops: readonly Uint8Array[], geometry: LineGeometry): tf.Tensor4D {
  const n = geometry.height * geometry.width * 3;
  const data = new Float32Array(crops.length * n);
  crops.forEach((c, i) => {
    if (c.length !== n) throw new StudioError('internal', `crop ${i} has ${c.length} values, expected ${n}`);
    const base = i * n;
    for (let k = 0; k < n; k++) data[base + k] = c[k]! / 127.5 - 1;
  });
  return core.tensor4d(data, [crops.length, geometry.height, geometry.width, 3]);
}

/** A crop as an image file (PNG), for debugging and the UI. */
export async function cropToPng(crop: Uint8Array, geometry: LineGeometry): Promise<Buffer> {
  return sharp(crop, { raw: { width: geometry.width, height: geometry.height, channels: 3 } }).png().toBuffer();
}
