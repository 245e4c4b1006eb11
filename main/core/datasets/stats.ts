import type { DatasetStats, DatasetWarning, InstanceType } from '../../shared/api';
import { sql, type Db } from '../workspace/db';
import { statusCondition } from './store';

// Seed 004: "每类图像均大于20张" (classification), "每类检测目标图像均大于50张" (detection, OCR).
export const MIN_IMAGES_PER_CLASS = { classification: 20, detection: 50 } as const;

export function datasetStats(db: Db, datasetId: number, type: InstanceType): DatasetStats {
  const count = (cond: string) =>
    (sql(db, `SELECT COUNT(*) AS n FROM images WHERE dataset_id = ? AND ${cond}`).get(datasetId) as { n: number }).n;
  const images = count('invalid_reason IS NULL');
  const labeled = count(statusCondition('labeled', type));

  const validBoxes = `FROM boxes b JOIN images i ON i.id = b.image_id WHERE i.dataset_id = ? AND i.invalid_reason IS NULL`;
  const boxes = (sql(db, `SELECT COUNT(*) AS n ${validBoxes}`).get(datasetId) as { n: number }).n;

  const labelRows = (
    type === 'classification'
      ? sql(db, `SELECT label, COUNT(*) AS n, COUNT(*) AS images FROM images WHERE dataset_id = ? AND invalid_reason IS NULL AND label IS NOT NULL GROUP BY label ORDER BY label`)
      : sql(db, `SELECT b.label, COUNT(*) AS n, COUNT(DISTINCT b.image_id) AS images ${validBoxes} GROUP BY b.label ORDER BY b.label`)
  ).all(datasetId) as Array<{ label: string; n: number; images: number }>;
  const labels: Record<string, number> = {};
  for (const r of labelRows) labels[r.label] = r.n;

  const invalid = sql(db, 'SELECT path, invalid_reason AS reason FROM images WHERE dataset_id = ? AND invalid_reason IS NOT NULL ORDER BY path')
    .all(datasetId) as Array<{ path: string; reason: string }>;
  const annotationErrors = sql(db, 'SELECT xml_path AS path, xml_error AS reason FROM images WHERE dataset_id = ? AND xml_error IS NOT NULL ORDER BY xml_path')
    .all(datasetId) as Array<{ path: string; reason: string }>;

  return {
    images,
    labeled,
    unlabeled: images - labeled,
    boxes,
    labels,
    invalid,
    annotationErrors,
    warnings: [...warningsFor(type, labelRows, images), ...incompleteWarning(db, datasetId)],
  };
}

function warningsFor(type: InstanceType, labelRows: Array<{ label: string; images: number }>, images: number): DatasetWarning[] {
  const warnings: DatasetWarning[] = [];
  if (images > 0 && labelRows.length === 0) {
    warnings.push({ code: 'no_labels', message: 'No image is labeled yet: label images before training.' });
  }
  // OCR "labels" are transcriptions: neither per-class balance nor ASCII applies to them.
  if (type === 'ocr') return warnings;
  const min = type === 'classification' ? MIN_IMAGES_PER_CLASS.classification : MIN_IMAGES_PER_CLASS.detection;
  for (const r of labelRows) {
    if (/[^\x20-\x7e]/.test(r.label)) {
      warnings.push({
        code: 'non_ascii_label',
        label: r.label,
        message: `Label "${r.label}" is not plain English (ASCII); AutoLearning accepts English labels only, so exported models may not load there.`,
      });
    }
    if (r.images < min) {
      warnings.push({
        code: type === 'classification' ? 'few_images_per_class' : 'few_boxes_per_class',
        label: r.label,
        message: `Label "${r.label}" has ${r.images} image${r.images === 1 ? '' : 's'}; at least ${min} per class are recommended.`,
      });
    }
  }
  return warnings;
}

function incompleteWarning(db: Db, datasetId: number): DatasetWarning[] {
  const rows = sql(db, 'SELECT path FROM images WHERE dataset_id = ? AND invalid_reason IS NULL AND note IS NOT NULL ORDER BY path')
    .all(datasetId) as Array<{ path: string }>;
  if (rows.length === 0) return [];
  const shown = rows.slice(0, 5).map((r) => r.path).join(', ');
  return [
    {
      code: 'incomplete_images',
      message: `${rows.length} image${rows.length === 1 ? ' is' : 's are'} cut just short of the end (a grey corner at most) and used as is: ${shown}${rows.length > 5 ? ', …' : ''}`,
    },
  ];
}
