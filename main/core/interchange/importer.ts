import { stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { StudioError, type Box, type ImportInput, type ImportReport, type PathIssue } from '../../shared/api';
import { boxesInDisplayedFrame } from '../datasets/orientation';
import { writeAnnotation } from '../datasets/store';
import type { JobContext } from '../jobs/jobs';
import { sql, type Db } from '../workspace/db';
import type { DatasetRef } from './exporter';
import { withoutExt } from './formats/names';
import type { FormatProvider } from './format';

interface Target {
  id: number;
  path: string;
  width: number | null;
  height: number | null;
  orientation: number;
  invalid_reason: string | null;
}

export async function checkImportSource(from: string): Promise<string> {
  const p = resolve(from);
  if (!(await stat(p).catch(() => null))) throw new StudioError('invalid_input', `not found: ${p}`, 'from');
  return p;
}

/**
 * Merges annotations read by a format provider into the dataset, matching images by relative path,
 * then file name, then name without extension. Imported annotations count as studio edits, so a
 * re-index keeps them; everything that could not be placed is reported.
 */
export async function importAnnotations(db: Db, ds: DatasetRef, provider: FormatProvider, input: ImportInput, from: string, ctx: JobContext): Promise<ImportReport> {
  const started = performance.now();
  ctx.progress(0, null, `Reading ${input.format} annotations`);
  const read = await provider.import(from, { type: ds.type, signal: ctx.signal });
  const find = matcher(sql(db, 'SELECT id, path, width, height, orientation, invalid_reason FROM images WHERE dataset_id = ?').all(ds.id) as Target[]);

  const problems: PathIssue[] = [...read.problems];
  const unmatched: string[] = [];
  const updates: Array<{ id: number; label: string | null; boxes: Box[] }> = [];
  for (const entry of read.entries) {
    let image = find(entry.image);
    for (const alias of entry.aliases ?? []) if (image === 'none') image = find(alias);
    if (typeof image === 'string') {
      if (image === 'ambiguous') problems.push({ path: entry.image, reason: 'matches several images of the dataset by name; not imported' });
      else unmatched.push(entry.image);
      continue;
    }
    if (image.invalid_reason !== null || image.width === null || image.height === null) {
      problems.push({ path: entry.image, reason: `image ${image.path} is not usable (${image.invalid_reason}); not imported` });
      continue;
    }
    const size = { width: image.width, height: image.height };
    const boxes: Box[] = [];
    boxesInDisplayedFrame(entry.annotation.boxes, entry.size, { ...size, orientation: image.orientation }).forEach((b, i) => {
      // Tools often reach a pixel past the edge: clamp, and drop only what is left empty.
      const c = { ...b, xmin: Math.max(0, b.xmin), ymin: Math.max(0, b.ymin), xmax: Math.min(size.width, b.xmax), ymax: Math.min(size.height, b.ymax) };
      if (c.xmax > c.xmin && c.ymax > c.ymin) boxes.push(c);
      else problems.push({ path: entry.image, reason: `box ${i + 1} (${b.label}) lies outside the ${size.width}×${size.height} image; dropped` });
    });
    updates.push({ id: image.id, label: entry.annotation.label, boxes });
  }

  ctx.signal.throwIfAborted();
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const u of updates) writeAnnotation(db, u.id, { label: u.label, boxes: u.boxes }, 'studio', now);
  })();
  ctx.progress(updates.length, updates.length, `Imported ${updates.length} annotations`);
  return { format: input.format, updated: updates.length, unmatched, problems, durationMs: Math.round(performance.now() - started) };
}

/** Finds a dataset image by the name an annotation file gives it; 'none' or 'ambiguous' when it cannot. */
function matcher(images: Target[]): (name: string) => Target | 'none' | 'ambiguous' {
  const indexes = {
    path: new Map<string, Target[]>(),
    base: new Map<string, Target[]>(),
    stemPath: new Map<string, Target[]>(),
    stemBase: new Map<string, Target[]>(),
  };
  const add = (map: Map<string, Target[]>, key: string, t: Target) => map.set(key, [...(map.get(key) ?? []), t]);
  for (const t of images) {
    add(indexes.path, t.path, t);
    add(indexes.base, posix.basename(t.path), t);
    add(indexes.stemPath, withoutExt(t.path), t);
    add(indexes.stemBase, withoutExt(posix.basename(t.path)), t);
  }
  return (raw) => {
    const name = raw.replaceAll('\\', '/').replace(/^\.\//, '');
    const tries: Array<[Map<string, Target[]>, string]> = [
      [indexes.path, name],
      [indexes.base, posix.basename(name)],
      // Names given without extension (VOC sidecars): whole first, since a stem may hold dots.
      [indexes.stemPath, name],
      [indexes.stemBase, posix.basename(name)],
      [indexes.stemPath, withoutExt(name)],
      [indexes.stemBase, withoutExt(posix.basename(name))],
    ];
    for (const [map, key] of tries) {
      const hits = map.get(key);
      if (hits?.length === 1) return hits[0]!;
      if (hits && hits.length > 1) return 'ambiguous';
    }
    return 'none';
  };
}
