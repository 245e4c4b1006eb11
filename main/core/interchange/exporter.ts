import { readdir, realpath } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import { StudioError, type Box, type ExportInput, type ExportReport, type InstanceType } from '../../shared/api';
import { splitTrainVal } from '../datasets/split';
import { statusCondition } from '../datasets/store';
import type { JobContext } from '../jobs/jobs';
import { sql, type Db } from '../workspace/db';
import type { ExportImage, FormatProvider } from './format';
import { createExportTarget } from './target';

export interface DatasetRef {
  id: number;
  name: string;
  type: InstanceType;
  root: string;
}

/**
 * Checks an export before its job starts: something labeled to export, and an output folder that is
 * absent or empty and never inside the dataset folder.
 */
export async function checkExport(db: Db, ds: DatasetRef, outDir: string): Promise<string> {
  const labeled = sql(db, `SELECT COUNT(*) AS n FROM images WHERE dataset_id = ? AND ${statusCondition('labeled', ds.type)}`).get(ds.id) as { n: number };
  if (labeled.n === 0) throw new StudioError('invalid_input', `dataset "${ds.name}" has no labeled images to export`, 'datasetId');
  const out = resolve(outDir);
  const root = await realpath(ds.root).catch(() => resolve(ds.root));
  const outReal = await realpath(out).catch(() => out);
  const rel = relative(root, outReal);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new StudioError('invalid_input', `the export folder ${out} is inside the dataset folder ${ds.root}; exports never write there`, 'outDir');
  }
  const existing = await readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new StudioError('invalid_input', `cannot use ${out} as the export folder: ${err.message}`, 'outDir');
  });
  if (existing.length > 0) throw new StudioError('conflict', `the export folder ${out} is not empty; choose a new or empty folder`, 'outDir');
  return out;
}

/** Exports the dataset's labeled images in `input.format`. */
export async function exportDataset(db: Db, ds: DatasetRef, provider: FormatProvider, input: ExportInput, outDir: string, ctx: JobContext): Promise<ExportReport> {
  const started = performance.now();
  const images = labeledImages(db, ds);
  const total = (sql(db, 'SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?').get(ds.id) as { n: number }).n;

  if (input.split !== undefined) {
    const stratum = (i: ExportImage) => i.annotation.label ?? i.annotation.boxes[0]?.label ?? '';
    const split = splitTrainVal(images.map((i) => ({ key: i.path, stratum: stratum(i) })), input.split, input.seed ?? 0);
    for (const image of images) image.split = split.get(image.path) ?? 'train';
  }

  ctx.progress(0, images.length, `Exporting ${images.length} images as ${input.format}`);
  const target = createExportTarget({
    outDir,
    root: ds.root,
    type: ds.type,
    datasetName: ds.name,
    images,
    mode: input.images ?? 'link',
    signal: ctx.signal,
    onProgress: (done, n) => ctx.progress(done, n, `Exported ${done} of ${n}`),
  });
  await provider.export(target);
  return {
    format: input.format,
    outDir,
    images: images.length,
    files: target.files,
    skipped: total - images.length,
    durationMs: Math.round(performance.now() - started),
  };
}

function labeledImages(db: Db, ds: DatasetRef): ExportImage[] {
  const rows = sql(db, `SELECT id, path, width, height, orientation, label, reviewed_at FROM images WHERE dataset_id = ? AND ${statusCondition('labeled', ds.type)} ORDER BY path`).all(ds.id) as Array<{
    id: number;
    path: string;
    width: number;
    height: number;
    orientation: number;
    label: string | null;
    reviewed_at: string | null;
  }>;
  // All boxes in one pass: one query per image would dominate a 10,000-image export.
  const boxes = new Map<number, Box[]>();
  const boxRows = sql(
    db,
    `SELECT b.image_id, b.label, b.xmin, b.ymin, b.xmax, b.ymax, b.difficult, b.truncated FROM boxes b JOIN images i ON i.id = b.image_id
     WHERE i.dataset_id = ? ORDER BY b.image_id, b.ord`,
  ).iterate(ds.id) as IterableIterator<{ image_id: number; label: string; xmin: number; ymin: number; xmax: number; ymax: number; difficult: number; truncated: number }>;
  for (const b of boxRows) {
    const list = boxes.get(b.image_id) ?? [];
    list.push({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult === 1, truncated: b.truncated === 1 });
    boxes.set(b.image_id, list);
  }
  return rows.map((r) => ({
    path: r.path,
    width: r.width,
    height: r.height,
    // The index reads headers only; channel count is not among them, and colour is the common case.
    depth: 3,
    orientation: r.orientation,
    annotation: { label: r.label, boxes: boxes.get(r.id) ?? [] },
    verified: r.reviewed_at !== null,
    split: null,
  }));
}
