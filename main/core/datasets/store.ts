import type {
  Annotation,
  AnnotationConflict,
  AnnotationSource,
  Box,
  ImageDetail,
  ImageFilter,
  ImagePage,
  ImageSummary,
  InstanceType,
} from '../../shared/api';
import { sql, type Db } from '../workspace/db';

export interface ImageRow {
  id: number;
  dataset_id: number;
  path: string;
  size: number;
  mtime_ms: number;
  format: string | null;
  width: number | null;
  height: number | null;
  orientation: number;
  invalid_reason: string | null;
  note: string | null;
  xml_path: string | null;
  xml_size: number | null;
  xml_mtime_ms: number | null;
  xml_error: string | null;
  label: string | null;
  source: AnnotationSource;
  edited_at: string | null;
  revision: number;
  reviewed_at: string | null;
}

interface BoxRow {
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  difficult: number;
  truncated: number;
}

export function readAnnotation(db: Db, imageId: number): Annotation {
  const row = sql(db, 'SELECT label FROM images WHERE id = ?').get(imageId) as { label: string | null };
  return { label: row.label, boxes: readBoxes(db, imageId) };
}

function readBoxes(db: Db, imageId: number): Box[] {
  const rows = sql(db, 'SELECT label, xmin, ymin, xmax, ymax, difficult, truncated FROM boxes WHERE image_id = ? ORDER BY ord')
    .all(imageId) as BoxRow[];
  return rows.map((r) => ({ ...r, difficult: r.difficult === 1, truncated: r.truncated === 1 }));
}

/** Replaces an image's annotation (label and boxes) in one go, bumping its revision. Call inside a transaction. */
export function writeAnnotation(db: Db, imageId: number, ann: Annotation, source: AnnotationSource, editedAt: string | null): void {
  sql(db, 'UPDATE images SET label = ?, source = ?, edited_at = ?, revision = revision + 1 WHERE id = ?').run(ann.label, source, editedAt, imageId);
  sql(db, 'DELETE FROM boxes WHERE image_id = ?').run(imageId);
  const insert = sql(db, 
    'INSERT INTO boxes (image_id, ord, label, xmin, ymin, xmax, ymax, difficult, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  ann.boxes.forEach((b, i) => insert.run(imageId, i, b.label, b.xmin, b.ymin, b.xmax, b.ymax, b.difficult ? 1 : 0, b.truncated ? 1 : 0));
}

export function recordConflict(db: Db, row: ImageRow, kept: 'disk' | 'studio', studio: Annotation, disk: Annotation): AnnotationConflict {
  const detectedAt = new Date().toISOString();
  const { id } = sql(db, 'INSERT INTO annotation_conflicts (image_id, detected_at, kept, studio_json, disk_json) VALUES (?, ?, ?, ?, ?) RETURNING id')
    .get(row.id, detectedAt, kept, JSON.stringify(studio), JSON.stringify(disk)) as { id: number };
  return { id, imageId: row.id, path: row.path, detectedAt, kept, studio, disk };
}

export function listConflicts(db: Db, datasetId: number): AnnotationConflict[] {
  const rows = sql(db, 
      `SELECT c.id, c.image_id, i.path, c.detected_at, c.kept, c.studio_json, c.disk_json
       FROM annotation_conflicts c JOIN images i ON i.id = c.image_id WHERE i.dataset_id = ? ORDER BY c.id`,
    )
    .all(datasetId) as Array<{ id: number; image_id: number; path: string; detected_at: string; kept: 'disk' | 'studio'; studio_json: string; disk_json: string }>;
  return rows.map((r) => ({
    id: r.id,
    imageId: r.image_id,
    path: r.path,
    detectedAt: r.detected_at,
    kept: r.kept,
    studio: JSON.parse(r.studio_json) as Annotation,
    disk: JSON.parse(r.disk_json) as Annotation,
  }));
}

/** SQL condition for a status filter; `labeled` means annotated (a label, or an annotation file / studio edit). */
export function statusCondition(filter: ImageFilter, type: InstanceType): string {
  const labeled = type === 'classification' ? 'label IS NOT NULL' : "source IN ('xml', 'studio')";
  switch (filter) {
    case 'invalid':
      return 'invalid_reason IS NOT NULL';
    case 'labeled':
      return `invalid_reason IS NULL AND ${labeled}`;
    case 'unlabeled':
      return `invalid_reason IS NULL AND NOT (${labeled})`;
    default:
      return '1';
  }
}

const SUMMARY_COLUMNS = `i.*, (SELECT COUNT(*) FROM boxes b WHERE b.image_id = i.id) AS box_count`;

export function listImages(
  db: Db,
  q: { datasetId: number; type: InstanceType; filter: ImageFilter; label?: string | undefined; offset: number; limit: number },
): ImagePage {
  const where = [`i.dataset_id = @datasetId`, statusCondition(q.filter, q.type)];
  if (q.label !== undefined) {
    where.push(q.type === 'classification' ? 'i.label = @label' : 'EXISTS (SELECT 1 FROM boxes b WHERE b.image_id = i.id AND b.label = @label)');
  }
  const params = { datasetId: q.datasetId, label: q.label ?? null, offset: q.offset, limit: q.limit };
  const total = (sql(db, `SELECT COUNT(*) AS n FROM images i WHERE ${where.join(' AND ')}`).get(params) as { n: number }).n;
  const rows = sql(db, `SELECT ${SUMMARY_COLUMNS} FROM images i WHERE ${where.join(' AND ')} ORDER BY i.path LIMIT @limit OFFSET @offset`)
    .all(params) as Array<ImageRow & { box_count: number }>;
  return { total, offset: q.offset, items: rows.map((r) => toSummary(r, q.type)) };
}

export function getImageRow(db: Db, id: number): (ImageRow & { box_count: number }) | undefined {
  return sql(db, `SELECT ${SUMMARY_COLUMNS} FROM images i WHERE i.id = ?`).get(id) as (ImageRow & { box_count: number }) | undefined;
}

export function toDetail(db: Db, row: ImageRow & { box_count: number }, type: InstanceType): ImageDetail {
  return { ...toSummary(row, type), boxes: readBoxes(db, row.id), source: row.source, editedAt: row.edited_at, revision: row.revision };
}

function toSummary(r: ImageRow & { box_count: number }, type: InstanceType): ImageSummary {
  const annotated = type === 'classification' ? r.label !== null : r.source === 'xml' || r.source === 'studio';
  return {
    id: r.id,
    datasetId: r.dataset_id,
    path: r.path,
    size: r.size,
    mtimeMs: r.mtime_ms,
    format: r.format,
    width: r.width,
    height: r.height,
    orientation: r.orientation,
    status: r.invalid_reason !== null ? 'invalid' : annotated ? 'labeled' : 'unlabeled',
    reason: r.invalid_reason,
    notes: [r.note, r.xml_error === null ? null : `annotation ${r.xml_path}: ${r.xml_error}`].filter((n) => n !== null),
    label: r.label,
    boxCount: r.box_count,
    reviewed: r.reviewed_at !== null,
  };
}
