import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Annotation, AnnotationConflict, Box, IndexReport, InstanceType } from '../../shared/api';
import { parseVoc, type VocAnnotation } from '../interchange/voc';
import { pool } from '../jobs/pool';
import { sql, type Db } from '../workspace/db';
import { boxesInDisplayedFrame } from './orientation';
import { probeImage, type ProbeResult } from './probe';
import { scanFolder, sidecarKey, type ScannedFile } from './scan';
import { readAnnotation, recordConflict, writeAnnotation, type ImageRow } from './store';

/** Detection and OCR images must be larger than this on each side (seed 004 §4.3). */
export const MIN_BOX_IMAGE_SIDE = 30;
const PROBE_CONCURRENCY = 16;
const WRITE_BATCH = 500;

export interface IndexOptions {
  db: Db;
  datasetId: number;
  root: string;
  type: InstanceType;
  signal: AbortSignal;
  progress(done: number, total: number | null, message: string): void;
}

type IndexOutcome = Omit<IndexReport, 'dataset' | 'durationMs'>;

interface Work {
  file: ScannedFile;
  existing: ImageRow | undefined;
  xml: ScannedFile | undefined;
  probe?: ProbeResult | null;
  annotation?: Annotation & { source: ImageRow['source']; xmlError: string | null };
}

/**
 * Brings the index of one dataset folder up to date. Unchanged files (same size and mtime, same
 * sidecar) cost one stat; new and changed ones are probed from their headers. Annotations edited in
 * the studio survive unless the file on disk is newer, and then both versions are kept.
 */
export async function indexFolder(o: IndexOptions): Promise<IndexOutcome> {
  o.progress(0, null, 'Scanning folder');
  const scan = await scanFolder(o.root, o.signal);
  const existing = new Map<string, ImageRow>();
  for (const row of sql(o.db, 'SELECT * FROM images WHERE dataset_id = ?').iterate(o.datasetId) as IterableIterator<ImageRow>) {
    existing.set(row.path, row);
  }

  const boxTask = o.type !== 'classification';
  const sharedStems = new Map<string, number>();
  if (boxTask) for (const f of scan.images) sharedStems.set(sidecarKey(f.path), (sharedStems.get(sidecarKey(f.path)) ?? 0) + 1);

  const work: Work[] = [];
  const files = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
  let unchanged = 0;
  for (const file of scan.images) {
    const row = existing.get(file.path);
    existing.delete(file.path);
    const xml = boxTask ? scan.annotations.get(sidecarKey(file.path)) : undefined;
    if (row && sameFile(row, file) && sameSidecar(row, xml)) {
      unchanged++;
      continue;
    }
    (row ? files.changed : files.added).push(file.path);
    work.push({ file, existing: row, xml });
  }
  files.removed = [...existing.keys()];

  const total = work.length;
  const vocCache = new Map<string, Promise<VocAnnotation | Error>>();
  const readVoc = (xml: ScannedFile) => {
    let p = vocCache.get(xml.path);
    if (!p) {
      p = readFile(join(o.root, xml.path)).then(parseVoc, (e: Error) => e).catch((e: Error) => e);
      vocCache.set(xml.path, p);
    }
    return p;
  };

  const conflicts: AnnotationConflict[] = [];
  let done = 0;
  let pending: Work[] = [];
  // Writes go in batches while the probes keep sharp's threads busy.
  const flush = () => {
    const batch = pending;
    pending = [];
    o.db.transaction(() => {
      for (const w of batch) {
        const conflict = saveWork(o.db, o.datasetId, w);
        if (conflict) conflicts.push(conflict);
      }
    })();
    done += batch.length;
    o.progress(done, total, `Indexed ${done} of ${total}`);
  };
  o.progress(0, total, total ? `Indexing ${total} new or changed images` : 'No changes');
  await pool(work, PROBE_CONCURRENCY, async (w) => {
    o.signal.throwIfAborted();
    w.probe = w.existing && sameFile(w.existing, w.file) ? fromRow(w.existing) : await probeImage(join(o.root, w.file.path), w.file.size, w.file.looksLikeImage);
    const p = w.probe;
    if (p?.ok && boxTask && Math.min(p.width, p.height) <= MIN_BOX_IMAGE_SIDE) {
      w.probe = { ok: false, format: p.format, reason: `image is ${p.width}×${p.height} px; detection and OCR need more than ${MIN_BOX_IMAGE_SIDE} px on each side` };
    }
    if (w.probe) w.annotation = await annotationFor(w, o.type, sharedStems, readVoc);
    o.signal.throwIfAborted();
    pending.push(w);
    if (pending.length >= WRITE_BATCH) flush();
  });
  flush();

  const del = sql(o.db, 'DELETE FROM images WHERE dataset_id = ? AND path = ?');
  o.db.transaction(() => {
    for (const p of files.removed) del.run(o.datasetId, p);
  })();
  // Files that turned out not to be images were listed as added; they are not indexed, so not reported.
  const notImages = new Set(work.filter((w) => w.probe === null).map((w) => w.file.path));
  files.added = files.added.filter((p) => !notImages.has(p));
  files.changed = files.changed.filter((p) => !notImages.has(p));
  sql(o.db, "UPDATE datasets SET indexed_at = ? WHERE id = ?").run(new Date().toISOString(), o.datasetId);
  return {
    added: files.added.length,
    removed: files.removed.length,
    changed: files.changed.length,
    unchanged,
    files,
    conflicts,
  };
}

function sameFile(row: ImageRow, f: ScannedFile): boolean {
  return row.size === f.size && row.mtime_ms === f.mtimeMs;
}

function sameSidecar(row: ImageRow, xml: ScannedFile | undefined): boolean {
  if (!xml) return row.xml_path === null;
  return row.xml_path === xml.path && row.xml_size === xml.size && row.xml_mtime_ms === xml.mtimeMs;
}

function fromRow(row: ImageRow): ProbeResult {
  if (row.invalid_reason !== null) return { ok: false, format: row.format, reason: row.invalid_reason };
  return {
    ok: true,
    format: row.format as 'jpeg' | 'png',
    width: row.width!,
    height: row.height!,
    orientation: row.orientation,
    note: row.note,
  };
}

async function annotationFor(
  w: Work,
  type: InstanceType,
  sharedStems: Map<string, number>,
  readVoc: (xml: ScannedFile) => Promise<VocAnnotation | Error>,
): Promise<Work['annotation']> {
  const none = { label: null, boxes: [] as Box[], source: 'none' as const, xmlError: null };
  if (!w.probe?.ok) return none;
  if (type === 'classification') {
    const slash = w.file.path.indexOf('/');
    return slash > 0 ? { label: w.file.path.slice(0, slash), boxes: [], source: 'folder', xmlError: null } : none;
  }
  if (!w.xml) return none;
  const voc = await readVoc(w.xml);
  if (voc instanceof Error) return { ...none, xmlError: voc.message };
  // `a.jpg` and `a.png` beside one `a.xml`: the XML belongs to the image its <filename> names.
  if ((sharedStems.get(sidecarKey(w.file.path)) ?? 0) > 1 && voc.filename && voc.filename !== basename(w.file.path)) return none;
  return { label: null, boxes: boxesInDisplayedFrame(voc.boxes, voc.size, w.probe), source: 'xml', xmlError: null };
}

/** Writes one image's index entry; returns the conflict it recorded, if any. */
function saveWork(db: Db, datasetId: number, w: Work): AnnotationConflict | null {
  const probe = w.probe;
  if (probe === null || probe === undefined) {
    // Not an image after all (or no longer): drop any old row.
    if (w.existing) sql(db, 'DELETE FROM images WHERE id = ?').run(w.existing.id);
    return null;
  }
  const ann = w.annotation!;
  const ok = probe.ok;
  const fields = {
    size: w.file.size,
    mtime_ms: w.file.mtimeMs,
    format: probe.format,
    width: ok ? probe.width : null,
    height: ok ? probe.height : null,
    orientation: ok ? probe.orientation : 1,
    invalid_reason: ok ? null : probe.reason,
    note: ok ? probe.note : null,
    xml_path: w.xml?.path ?? null,
    xml_size: w.xml?.size ?? null,
    xml_mtime_ms: w.xml?.mtimeMs ?? null,
    xml_error: ann.xmlError,
  };

  if (!w.existing) {
    const { id } = sql(db, 
        `INSERT INTO images (dataset_id, path, size, mtime_ms, format, width, height, orientation, invalid_reason, note,
           xml_path, xml_size, xml_mtime_ms, xml_error)
         VALUES (@dataset_id, @path, @size, @mtime_ms, @format, @width, @height, @orientation, @invalid_reason, @note,
           @xml_path, @xml_size, @xml_mtime_ms, @xml_error) RETURNING id`,
      )
      .get({ dataset_id: datasetId, path: w.file.path, ...fields }) as { id: number };
    writeAnnotation(db, id, ann, ann.source, null);
    return null;
  }

  const row = w.existing;
  sql(db, 
    `UPDATE images SET size = @size, mtime_ms = @mtime_ms, format = @format, width = @width, height = @height,
       orientation = @orientation, invalid_reason = @invalid_reason, note = @note, xml_path = @xml_path, xml_size = @xml_size,
       xml_mtime_ms = @xml_mtime_ms, xml_error = @xml_error WHERE id = @id`,
  ).run({ id: row.id, ...fields });

  if (row.source !== 'studio') {
    writeAnnotation(db, row.id, ann, ann.source, null);
    return null;
  }
  // Edited in the studio: the edit wins unless the annotation file changed after it.
  const diskNewer = ann.source === 'xml' && w.xml !== undefined && !sameSidecar(row, w.xml) && w.xml.mtimeMs > Date.parse(row.edited_at ?? '');
  if (!diskNewer) return null;
  const studio = readAnnotation(db, row.id);
  writeAnnotation(db, row.id, ann, 'xml', null);
  return recordConflict(db, row, 'disk', studio, { label: ann.label, boxes: ann.boxes });
}
