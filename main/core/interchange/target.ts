import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import sharp from 'sharp';
import type { InstanceType } from '../../shared/api';
import type { ExportImage, ExportTarget } from './format';

export interface TargetOptions {
  outDir: string;
  /** The dataset folder the images' relative paths start from. */
  root: string;
  type: InstanceType;
  datasetName: string;
  images: ExportImage[];
  mode: 'link' | 'copy';
  signal: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The file-writing side of every export: atomic files, linked or copied images, upright photos. */
export function createExportTarget(o: TargetOptions): ExportTarget & { readonly files: number } {
  const out = resolve(o.outDir);
  let files = 0;
  const made = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
  const inside = (rel: string) => {
    const p = resolve(out, rel);
    if (p !== out && !p.startsWith(out + sep)) throw new Error(`export path escapes the output folder: ${rel}`);
    return p;
  };
  const classes = o.type === 'ocr' ? [] : distinctLabels(o.images, o.type);
  return {
    outDir: out,
    type: o.type,
    datasetName: o.datasetName,
    classes,
    images: o.images,
    get files() {
      return files;
    },
    async writeImage(image, relPath) {
      o.signal.throwIfAborted();
      const dest = inside(relPath);
      await ensureDir(dirname(dest));
      const src = join(o.root, image.path);
      if (image.orientation !== 1) {
        // Other tools mostly ignore EXIF orientation: write the pixels upright so boxes match everywhere.
        await sharp(src, { failOn: 'none' }).rotate().toFile(dest);
      } else if (o.mode === 'link') {
        await link(src, dest).catch(() => copyFile(src, dest));
      } else {
        await copyFile(src, dest);
      }
      files++;
    },
    async writeFile(relPath, data) {
      o.signal.throwIfAborted();
      const dest = inside(relPath);
      await ensureDir(dirname(dest));
      // The export folder starts empty, so a crash leaves an incomplete export whatever the write
      // order; 'wx' still guarantees no file is ever overwritten.
      await writeFile(dest, data, { flag: 'wx' });
      files++;
    },
    progress(done) {
      o.onProgress?.(done, o.images.length);
    },
    signal: o.signal,
  };
}

function distinctLabels(images: ExportImage[], type: InstanceType): string[] {
  const set = new Set<string>();
  for (const img of images) {
    if (type === 'classification') {
      if (img.annotation.label !== null) set.add(img.annotation.label);
    } else {
      for (const b of img.annotation.boxes) set.add(b.label);
    }
  }
  return [...set].sort();
}
