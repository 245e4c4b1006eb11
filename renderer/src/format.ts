import type { InstanceType, JobKind } from '../../main/shared/api';

export const TYPE_LABELS: Record<InstanceType, string> = {
  classification: 'Image classification',
  detection: 'Object detection',
  ocr: 'OCR',
};

/** How a job of each kind is named, and what its progress counts. */
export const JOB_KINDS: Record<JobKind, { name: string; unit: string }> = {
  index: { name: 'Indexing', unit: 'files' },
  export: { name: 'Export', unit: 'images' },
  import: { name: 'Import', unit: 'annotations' },
  train: { name: 'Training', unit: 'epochs' },
  evaluate: { name: 'Evaluation', unit: 'images' },
  backbone: { name: 'Backbone download', unit: 'bytes' },
  'export-eas': { name: 'EAS export', unit: 'steps' },
  prelabel: { name: 'Pre-labeling', unit: 'images' },
};

/** "12.3 s". */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const numberFormat = new Intl.NumberFormat();

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1 box", "3 boxes". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
