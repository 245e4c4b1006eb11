import { open } from 'node:fs/promises';
import { imageSize } from 'image-size';
import sharp from 'sharp';

export type SupportedFormat = 'jpeg' | 'png';

export type ProbeResult =
  | {
      ok: true;
      format: SupportedFormat;
      width: number;
      height: number;
      orientation: number;
      /** Something worth knowing about a usable image (e.g. a JPEG cut just short of its end). */
      note: string | null;
    }
  | { ok: false; format: string | null; reason: string };

// EXIF (APP1) and ICC segments sit before the frame header; 64 KiB covers them in practice, and a
// miss falls back to reading the header from the file itself.
const HEAD_BYTES = 64 * 1024;
/** A JPEG missing at most this share of its pixels still counts as usable. */
const MAX_MISSING_FRACTION = 0.01;
const TAIL_BYTES = 64;

const OTHER_FORMATS: ReadonlyArray<[string, (b: Buffer) => boolean]> = [
  ['GIF', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  ['BMP', (b) => b.subarray(0, 2).toString('latin1') === 'BM'],
  ['WebP', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
  ['TIFF', (b) => ['II*\0', 'MM\0*'].includes(b.subarray(0, 4).toString('latin1'))],
  ['HEIF/AVIF', (b) => b.subarray(4, 8).toString('latin1') === 'ftyp'],
];

/** Detects the format from the first bytes: 'jpeg', 'png', another image format's name, or null. */
export function sniffFormat(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  for (const [name, test] of OTHER_FORMATS) if (head.length >= 12 && test(head)) return name;
  return null;
}

/**
 * Reads an image's format, displayed size and EXIF orientation from its header (never decoding the
 * pixels), and checks cheaply that the file is complete. Returns null for files that are not images.
 */
export async function probeImage(path: string, size: number, looksLikeImage: boolean): Promise<ProbeResult | null> {
  const fh = await open(path, 'r');
  let head: Buffer;
  let tail: Buffer;
  try {
    head = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    head = head.subarray(0, bytesRead);
    const tailLen = Math.min(size, TAIL_BYTES);
    tail = Buffer.allocUnsafe(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
  } finally {
    await fh.close();
  }

  const format = sniffFormat(head);
  if (format === null) {
    if (!looksLikeImage) return null;
    return { ok: false, format: null, reason: size === 0 ? 'empty file' : 'not an image: content matches no image format' };
  }
  if (format !== 'jpeg' && format !== 'png') {
    return { ok: false, format, reason: `${format} images are not supported (JPEG and PNG only)` };
  }

  const header = await readHeader(head, path);
  if ('error' in header) return { ok: false, format, reason: `unreadable ${format.toUpperCase()} header: ${header.error}` };
  if (!header.width || !header.height) return { ok: false, format, reason: 'image header has no dimensions' };

  let note: string | null = null;
  const complete = format === 'jpeg' ? jpegTailOk(tail) || (await jpegComplete(path)) : pngTailOk(tail) || (await pngComplete(path));
  if (!complete) {
    // Web-scraped sets hold JPEGs cut a few bytes short: browsers and decoders show them with a grey
    // corner. Keep those (noting it); refuse files with a real part of the picture missing.
    const missing = format === 'jpeg' ? await jpegMissingFraction(path) : 1;
    if (missing > MAX_MISSING_FRACTION) {
      const what = format === 'jpeg' ? `JPEG (no end-of-image marker; about ${Math.round(missing * 100)}% of the picture missing)` : 'PNG (no IEND chunk)';
      return { ok: false, format, reason: `truncated ${what}` };
    }
    note = `JPEG lacks its end-of-image marker; ${(missing * 100).toFixed(2)}% of the picture is grey fill`;
  }

  const orientation = header.orientation && header.orientation >= 1 && header.orientation <= 8 ? header.orientation : 1;
  const swap = orientation >= 5;
  return {
    ok: true,
    format,
    width: swap ? header.height : header.width,
    height: swap ? header.width : header.height,
    orientation,
    note,
  };
}

/**
 * Size and EXIF orientation from the header bytes. image-size parses them in pure JS (~13 µs); sharp's
 * metadata() costs ~220 µs of main-thread time per call, which alone would halve indexing speed. sharp
 * still reads headers that lie beyond the first bytes read.
 */
async function readHeader(head: Buffer, path: string): Promise<{ width?: number; height?: number; orientation?: number } | { error: string }> {
  try {
    return imageSize(head);
  } catch {
    try {
      return await sharp(path).metadata();
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}

// Fast path: a JPEG normally ends with FFD9, maybe followed by a little padding.
function jpegTailOk(tail: Buffer): boolean {
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}

function pngTailOk(tail: Buffer): boolean {
  return tail.length >= 12 && tail.subarray(tail.length - 12).readUInt32BE(4) === 0x49454e44;
}

async function readAll(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/**
 * Slow path for JPEGs with data after the image (phone "motion photos", maker trailers): walk the
 * markers and entropy-coded segments until the end-of-image marker, or run out of bytes.
 */
export async function jpegComplete(path: string): Promise<boolean> {
  return jpegHasEoi(await readAll(path));
}

export function jpegHasEoi(b: Buffer): boolean {
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return false;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9) return true;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (i + 3 >= b.length) return false;
    i += 2 + b.readUInt16BE(i + 2);
    if (marker === 0xda) {
      // Entropy-coded data: FF is followed by 00 (stuffing) or a restart marker until the next marker.
      while (i + 1 < b.length && !(b[i] === 0xff && b[i + 1] !== 0x00 && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7))) i++;
    }
  }
  return false;
}

/**
 * Share of the picture a truncated JPEG lacks: libjpeg fills missing blocks with mid-grey (128), which
 * is rare as an exact value in photos. Only runs for files without an end marker.
 */
async function jpegMissingFraction(path: string): Promise<number> {
  try {
    const { data, info } = await sharp(path, { failOn: 'none' }).raw().toBuffer({ resolveWithObject: true });
    const ch = info.channels;
    let grey = 0;
    for (let i = 0; i < data.length; i += ch) {
      if (data[i] === 128 && (ch < 3 || (data[i + 1] === 128 && data[i + 2] === 128))) grey++;
    }
    return grey / (info.width * info.height);
  } catch {
    return 1;
  }
}

async function pngComplete(path: string): Promise<boolean> {
  return pngHasIend(await readAll(path));
}

export function pngHasIend(b: Buffer): boolean {
  let i = 8;
  while (i + 8 <= b.length) {
    const length = b.readUInt32BE(i);
    if (b.readUInt32BE(i + 4) === 0x49454e44) return true;
    i += 12 + length;
  }
  return false;
}
