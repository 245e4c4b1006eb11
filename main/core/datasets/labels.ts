import type { InstanceType, LabelInfo } from '../../shared/api';
import { sql, type Db } from '../workspace/db';

/** Declared labels first (in the order added), then labels only found in annotations, by name. */
export function listLabels(db: Db, datasetId: number, type: InstanceType): LabelInfo[] {
  const used =
    type === 'classification'
      ? (sql(db, 'SELECT label AS name, COUNT(*) AS images, 0 AS boxes FROM images WHERE dataset_id = ? AND label IS NOT NULL GROUP BY label').all(datasetId) as UsageRow[])
      : (sql(
          db,
          `SELECT b.label AS name, COUNT(DISTINCT b.image_id) AS images, COUNT(*) AS boxes
           FROM boxes b JOIN images i ON i.id = b.image_id WHERE i.dataset_id = ? GROUP BY b.label`,
        ).all(datasetId) as UsageRow[]);
  const usage = new Map(used.map((u) => [u.name, u]));
  const declared = sql(db, 'SELECT name FROM labels WHERE dataset_id = ? ORDER BY id').all(datasetId) as Array<{ name: string }>;
  const out: LabelInfo[] = declared.map(({ name }) => ({ name, images: usage.get(name)?.images ?? 0, boxes: usage.get(name)?.boxes ?? 0, declared: true }));
  const seen = new Set(declared.map((d) => d.name));
  for (const u of [...usage.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!seen.has(u.name)) out.push({ name: u.name, images: u.images, boxes: u.boxes, declared: false });
  }
  return out;
}

interface UsageRow {
  name: string;
  images: number;
  boxes: number;
}

export function declareLabel(db: Db, datasetId: number, name: string): void {
  sql(db, 'INSERT OR IGNORE INTO labels (dataset_id, name, created_at) VALUES (?, ?, ?)').run(datasetId, name, new Date().toISOString());
}

/** Images whose annotation uses `name`, for the transaction that changes them. */
export function imagesUsing(db: Db, datasetId: number, type: InstanceType, name: string): number[] {
  const rows =
    type === 'classification'
      ? sql(db, 'SELECT id FROM images WHERE dataset_id = ? AND label = ?').all(datasetId, name)
      : sql(db, 'SELECT DISTINCT b.image_id AS id FROM boxes b JOIN images i ON i.id = b.image_id WHERE i.dataset_id = ? AND b.label = ?').all(datasetId, name);
  return (rows as Array<{ id: number }>).map((r) => r.id);
}
