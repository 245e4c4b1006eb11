import { mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import sharp from 'sharp';
import { StudioError, type MediaKind } from '../../shared/api';

export interface MediaFile {
  data: Buffer;
  contentType: string;
}

export interface MediaSource {
  datasetId: number;
  imageId: number;
  root: string;
  path: string;
  size: number;
  mtimeMs: number;
  format: string | null;
}

export const THUMB_SIZE = 256;
const CONTENT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png' };

/**
 * Reads an indexed image, or its cached thumbnail (made on first request, oriented as displayed).
 * Only files inside the dataset folder are ever read, whatever symlinks or '..' the path holds.
 */
export async function readMedia(cacheDir: string, kind: MediaKind, src: MediaSource): Promise<MediaFile> {
  const file = await containedPath(src.root, src.path);
  if (kind === 'image') {
    return { data: await readFile(file), contentType: CONTENT_TYPES[src.format ?? ''] ?? 'application/octet-stream' };
  }
  // The key carries size and mtime so an edited image gets a fresh thumbnail.
  const dir = join(cacheDir, 'thumbs', String(src.datasetId));
  const cached = join(dir, `${src.imageId}-${src.size}-${Math.round(src.mtimeMs)}.jpg`);
  const hit = await readFile(cached).catch(() => null);
  if (hit) return { data: hit, contentType: 'image/jpeg' };
  let data: Buffer;
  try {
    data = await sharp(file, { failOn: 'none' })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (err) {
    throw new StudioError('io_error', `cannot make a thumbnail of ${src.path}: ${(err as Error).message}`);
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, cached);
  return { data, contentType: 'image/jpeg' };
}

async function containedPath(root: string, rel: string): Promise<string> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(root, rel));
  } catch {
    throw new StudioError('not_found', `image file is missing: ${rel} (re-index the dataset)`);
  }
  const inside = relative(realRoot, real);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new StudioError('not_found', `image ${rel} resolves outside its dataset folder`);
  }
  return real;
}
