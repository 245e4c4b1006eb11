// The suggestions table: one pending suggestion per image, kept in the workspace database so that
// a long pre-label run survives a window reload or an app restart, and so that the labeling pages
// can page through them most-uncertain-first in SQL (ORDER BY uncertainty, LIMIT/OFFSET) like
// any other image listing. A suggestion leaves the table when it is accepted or rejected, when its
// image or dataset goes, or when a later full pre-label run of the dataset replaces the set.

import type { ImageSummary, InstanceType, SuggestedBox, Suggestion } from '../../shared/api';
import { getImageRow, toDetail } from '../datasets/store';
import { sql, type Db } from '../workspace/db';
import type { Scored } from './scoring';

interface SuggestionRow {
  image_id: number;
  dataset_id: number;
  model_id: number | null;
  model_name: string;
  job_id: string;
  uncertainty: number;
  label: string | null;
  conf: number | null;
  confidences_json: string;
  boxes_json: string;
  created_at: string;
}

export interface Stored {
  imageId: number;
  datasetId: number;
  modelId: number | null;
  modelName: string;
  jobId: string;
  scored: Scored;
}

export function putSuggestion(db: Db, s: Stored): void {
  sql(
    db,
    `INSERT OR REPLACE INTO suggestions (image_id, dataset_id, model_id, model_name, job_id, uncertainty, label, conf, confidences_json, boxes_json, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.imageId,
    s.datasetId,
    s.modelId,
    s.modelName,
    s.jobId,
    s.scored.uncertainty,
    s.scored.label,
    s.scored.conf,
    JSON.stringify(s.scored.confidences),
    JSON.stringify(s.scored.boxes),
    new Date().toISOString(),
  );
}

/** Which suggestions are pending: classification ones only while their image has no label. */
function pendingCondition(type: InstanceType): string {
  return type === 'classification' ? 'i.invalid_reason IS NULL AND i.label IS NULL' : 'i.invalid_reason IS NULL';
}

export function listSuggestions(
  db: Db,
  q: { datasetId: number; type: InstanceType; imageIds?: number[] | undefined; offset: number; limit: number },
): { total: number; items: Suggestion[] } {
  const where = ['s.dataset_id = @datasetId', pendingCondition(q.type)];
  if (q.imageIds) where.push('s.image_id IN (SELECT value FROM json_each(@ids))');
  const params = { datasetId: q.datasetId, ids: JSON.stringify(q.imageIds ?? []), limit: q.limit, offset: q.offset };
  const from = `FROM suggestions s JOIN images i ON i.id = s.image_id WHERE ${where.join(' AND ')}`;
  const total = (sql(db, `SELECT COUNT(*) AS n ${from}`).get(params) as { n: number }).n;
  const rows = sql(db, `SELECT s.* ${from} ORDER BY s.uncertainty DESC, i.path LIMIT @limit OFFSET @offset`).all(params) as SuggestionRow[];
  return { total, items: rows.map((r) => toSuggestion(db, r, q.type)) };
}

/** The image's pending suggestion, or null. */
export function getSuggestion(db: Db, imageId: number, type: InstanceType): Suggestion | null {
  const row = sql(db, `SELECT s.* FROM suggestions s JOIN images i ON i.id = s.image_id WHERE s.image_id = ? AND ${pendingCondition(type)}`).get(imageId) as
    | SuggestionRow
    | undefined;
  return row ? toSuggestion(db, row, type) : null;
}

/** Keeps only the boxes at `keep` (indices); drops the suggestion when none is left. */
export function keepBoxes(db: Db, imageId: number, boxes: readonly SuggestedBox[], keep: ReadonlySet<number>): void {
  const left = boxes.filter((_, i) => keep.has(i));
  if (left.length === 0) dropSuggestion(db, imageId);
  else sql(db, 'UPDATE suggestions SET boxes_json = ? WHERE image_id = ?').run(JSON.stringify(left), imageId);
}

export function dropSuggestion(db: Db, imageId: number): void {
  sql(db, 'DELETE FROM suggestions WHERE image_id = ?').run(imageId);
}

export function clearSuggestions(db: Db, datasetId: number): number {
  return sql(db, 'DELETE FROM suggestions WHERE dataset_id = ?').run(datasetId).changes;
}

/** After a full run: the suggestions of earlier runs (images labeled since, or left out) go. */
export function dropOtherRuns(db: Db, datasetId: number, jobId: string): number {
  return sql(db, 'DELETE FROM suggestions WHERE dataset_id = ? AND job_id <> ?').run(datasetId, jobId).changes;
}

function toSuggestion(db: Db, r: SuggestionRow, type: InstanceType): Suggestion {
  const row = getImageRow(db, r.image_id)!;
  const { boxes: _boxes, source: _source, editedAt: _editedAt, revision: _revision, ...image } = toDetail(db, row, type);
  return {
    imageId: r.image_id,
    datasetId: r.dataset_id,
    image: image satisfies ImageSummary,
    modelId: r.model_id,
    modelName: r.model_name,
    createdAt: r.created_at,
    uncertainty: r.uncertainty,
    label: r.label,
    conf: r.conf,
    confidences: JSON.parse(r.confidences_json) as Suggestion['confidences'],
    boxes: JSON.parse(r.boxes_json) as SuggestedBox[],
  };
}
