// The metrics each instance type reports, as the seed's model tables list them (seed 004, 模型指标):
// classification accuracy/precision/recall/F1; detection loss, mAP@.50IOU, the two loss terms and
// model_size in KB; OCR loss, model_size and CER. Metrics arrive as plain JSON whose shape depends
// on the trainer, so every value is read defensively: a missing or non-numeric key shows as "—"
// rather than breaking the page when a new trainer lands with slightly different keys.

import type { InstanceType } from '../../../../main/shared/api';

export type MetricKind = 'ratio' | 'loss' | 'bytes' | 'number';

export interface MetricSpec {
  /** The key as the trainer writes it (and as the seed's table shows it). */
  key: string;
  label: string;
  /** Other spellings seen for the same value. */
  aliases?: readonly string[];
  kind: MetricKind;
  better: 'higher' | 'lower' | null;
}

const LOSS: MetricSpec = { key: 'loss', label: 'loss', kind: 'loss', better: 'lower' };
export const MODEL_SIZE: MetricSpec = { key: 'model_size', label: 'model_size', kind: 'bytes', better: null };

export const METRICS_BY_TYPE: Record<InstanceType, readonly MetricSpec[]> = {
  classification: [
    { key: 'accuracy', label: 'accuracy', aliases: ['acc'], kind: 'ratio', better: 'higher' },
    { key: 'precision', label: 'precision', kind: 'ratio', better: 'higher' },
    { key: 'recall', label: 'recall', kind: 'ratio', better: 'higher' },
    { key: 'f1', label: 'F1', aliases: ['F1'], kind: 'ratio', better: 'higher' },
    LOSS,
    MODEL_SIZE,
  ],
  detection: [
    LOSS,
    { key: 'DetectionBoxes_Precision/mAP@.50IOU', label: 'mAP@.50IOU', aliases: ['mAP@.50IOU', 'map50', 'mAP50'], kind: 'ratio', better: 'higher' },
    { key: 'Loss/classification_loss', label: 'classification_loss', aliases: ['classification_loss'], kind: 'loss', better: 'lower' },
    { key: 'Loss/localization_loss', label: 'localization_loss', aliases: ['localization_loss'], kind: 'loss', better: 'lower' },
    MODEL_SIZE,
  ],
  ocr: [LOSS, MODEL_SIZE, { key: 'cer', label: 'CER', aliases: ['CER'], kind: 'ratio', better: 'lower' }],
};

/** The one number a task list shows per run, by type. */
export function primaryMetric(type: InstanceType): MetricSpec {
  const specs = METRICS_BY_TYPE[type];
  const key = { classification: 'accuracy', detection: 'DetectionBoxes_Precision/mAP@.50IOU', ocr: 'cer' }[type];
  return specs.find((spec) => spec.key === key) ?? specs[0]!;
}

/** What the per-epoch validation score (EpochRecord.valAccuracy) means for each type. */
export const EPOCH_SCORE_LABEL: Record<InstanceType, string> = {
  classification: 'Validation accuracy',
  detection: 'Validation mAP@.5',
  ocr: 'Validation accuracy',
};

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The value of a metric, or null when the metrics do not carry it (or carry something unusable). */
export function readMetric(metrics: unknown, spec: MetricSpec): number | string | null {
  const record = asRecord(metrics);
  if (!record) return null;
  for (const key of [spec.key, ...(spec.aliases ?? [])]) {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    // A trainer may already write "2167 KB", as the seed's table shows it.
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

export function readNumber(metrics: unknown, spec: MetricSpec): number | null {
  const value = readMetric(metrics, spec);
  return typeof value === 'number' ? value : null;
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatRatio(value: number): string {
  return percent.format(value);
}

/** An axis tick of a 0–1 scale: "75%". */
export function percentTick(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function formatLoss(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(1) : String(Number(value.toPrecision(4)));
}

/** model_size is recorded in bytes; the seed's table shows KB. */
export function formatKilobytes(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString()} KB`;
}

export function formatMetric(spec: MetricSpec, value: number | string | null): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  switch (spec.kind) {
    case 'ratio':
      return formatRatio(value);
    case 'loss':
      return formatLoss(value);
    case 'bytes':
      return formatKilobytes(value);
    case 'number':
      return String(Number(value.toPrecision(6)));
  }
}

/** "+2.5 pp" / "−0.0123": how B differs from A, and whether that is better. */
export function metricDelta(spec: MetricSpec, a: number | null, b: number | null): { text: string; tone: 'good' | 'bad' | null } | null {
  if (a === null || b === null) return null;
  const diff = b - a;
  if (diff === 0) return { text: '±0', tone: null };
  const sign = diff > 0 ? '+' : '−';
  const magnitude = Math.abs(diff);
  const text =
    spec.kind === 'ratio'
      ? `${sign}${(magnitude * 100).toFixed(1)} pp`
      : spec.kind === 'bytes'
        ? `${sign}${formatKilobytes(magnitude)}`
        : `${sign}${formatLoss(magnitude)}`;
  const tone = spec.better === null ? null : (diff > 0) === (spec.better === 'higher') ? 'good' : 'bad';
  return { text, tone };
}

export interface PerClassRow {
  label: string;
  values: Record<string, number>;
}

/** Per-class metrics as rows, with the columns present in any row (precision, recall, F1, support first). */
export function perClassRows(metrics: unknown): { columns: string[]; rows: PerClassRow[] } {
  const perClass = asRecord(asRecord(metrics)?.per_class);
  if (!perClass) return { columns: [], rows: [] };
  const rows: PerClassRow[] = [];
  const seen = new Set<string>();
  for (const [label, entry] of Object.entries(perClass)) {
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries(asRecord(entry) ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        values[key] = value;
        seen.add(key);
      }
    }
    rows.push({ label, values });
  }
  const order = ['precision', 'recall', 'f1', 'ap', 'AP', 'support'];
  const columns = [...seen].sort((a, b) => {
    const [ia, ib] = [order.indexOf(a), order.indexOf(b)];
    return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib) || a.localeCompare(b);
  });
  rows.sort((a, b) => a.label.localeCompare(b.label));
  return { columns, rows };
}

/** The confusion matrix, when the metrics carry a well-formed one. */
export function confusionMatrix(metrics: unknown): { labels: string[]; matrix: number[][] } | null {
  const cm = asRecord(asRecord(metrics)?.confusion_matrix);
  if (!cm || !Array.isArray(cm.labels) || !Array.isArray(cm.matrix)) return null;
  const labels = cm.labels.filter((label): label is string => typeof label === 'string');
  const matrix = cm.matrix.map((row) => (Array.isArray(row) ? row.map((n) => (typeof n === 'number' ? n : 0)) : []));
  if (labels.length !== matrix.length) return null;
  return { labels, matrix };
}
