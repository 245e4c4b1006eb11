// Image decoding with sharp, on the Node side only: a training process calls it directly, a browser
// training host asks the app for the decoded pixels (./browser) and gets the same bytes.

import sharp from 'sharp';
import { StudioError } from '../../shared/api';
import { frameFor, letterbox, type Letterboxed } from './detection/images';

/** Decodes an image file to `size`×`size` RGB bytes: the centred square crop, as Teachable Machine does. */
export async function decodeSquare(source: string | Buffer, size: number, name = typeof source === 'string' ? source : 'image'): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  try {
    const image = sharp(source, { failOn: 'none' }).rotate();
    const meta = await image.metadata();
    const { data } = await image.resize(size, size, { fit: 'cover', position: 'centre' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    // metadata() reports the stored frame; a 90° EXIF orientation swaps what people see.
    const swap = (meta.orientation ?? 1) >= 5;
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: (swap ? meta.height : meta.width) ?? size, height: (swap ? meta.width : meta.height) ?? size };
  } catch (err) {
    throw new StudioError('invalid_input', `${name}: cannot decode image (${err instanceof Error ? err.message : String(err)})`, 'image');
  }
}

/** Decodes a file or buffer (EXIF-rotated, RGB) and letterboxes it into `size` × `size`. */
export async function decodeLetterbox(source: string | Buffer, size: number, name = typeof source === 'string' ? source : 'image'): Promise<Letterboxed> {
  try {
    const image = sharp(source, { failOn: 'none' }).rotate();
    const meta = await image.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = (swap ? meta.height : meta.width) ?? 0;
    const height = (swap ? meta.width : meta.height) ?? 0;
    if (!(width > 0 && height > 0)) throw new Error('unknown image size');
    const frame = frameFor(width, height, size);
    const w = Math.round(width * frame.scaleX);
    const h = Math.round(height * frame.scaleY);
    const { data } = await image.resize(w, h, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { pixels: letterbox(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), w, h, size), size, frame };
  } catch (err) {
    throw new StudioError('invalid_input', `${name}: cannot decode image (${err instanceof Error ? err.message : String(err)})`, 'image');
  }
}

