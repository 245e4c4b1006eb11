// Detection input: the image letterboxed into a square — scaled so its longer side fills the
// input, aspect kept, placed at the top-left corner, the rest filled with grey. Boxes map with
// x' = x · scaleX, y' = y · scaleY (scaleX/scaleY are the exact ratios of the resized size, so the
// inverse is exact); the frame travels with the pixels so detections map back. Decoding (sharp) is
// in ../decode, Node-side only.

import type { Frame } from './decode';

/** Letterbox fill (YOLO's grey). */
export const PAD_VALUE = 114;

export interface Letterboxed {
  /** size × size × 3 RGB bytes. */
  pixels: Uint8Array;
  size: number;
  /** Original (displayed, EXIF-oriented) size and the scale into the input. */
  frame: Frame;
}

/**
 * How a width × height image is letterboxed into size × size: resized to round(side · size / longer
 * side) (at least 1 px), so scaleX = resized width / width and scaleY likewise. It depends only on the
 * three numbers, so a runtime that knows an image's size knows its frame.
 */
export function frameFor(width: number, height: number, size: number): Frame {
  const scale = size / Math.max(width, height);
  const w = Math.max(1, Math.min(size, Math.round(width * scale)));
  const h = Math.max(1, Math.min(size, Math.round(height * scale)));
  return { width, height, scaleX: w / width, scaleY: h / height };
}

/** Places a w × h RGB image at the top-left of a size × size grey square. */
export function letterbox(rgb: Uint8Array, w: number, h: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3).fill(PAD_VALUE);
  for (let y = 0; y < h; y++) out.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), y * size * 3);
  return out;
}
