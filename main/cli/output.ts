// Rendering for humans: aligned tables and short summaries.

import type { Dataset, DatasetStats, IndexReport } from '../shared/api';

// Columns are aligned by terminal cells: CJK and fullwidth characters take two.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

function cells(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

export type Cell = string | number | null;

/** A table with a header row; numbers are right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))));
  const widths = headers.map((h, i) => Math.max(cells(h), ...text.map((row) => cells(row[i] ?? ''))));
  const line = (row: string[], numeric: (i: number) => boolean) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - cells(cell));
        return numeric(i) ? pad + cell : i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(headers, () => false),
    ...text.map((row, r) => line(row, (i) => typeof rows[r]![i] === 'number')),
  ].join('\n');
}

export function datasetLine(d: Dataset): string {
  return `Dataset "${d.name}" (id ${d.id}) in instance "${d.instanceName}" (${d.type})`;
}

export function statsText(stats: DatasetStats): string {
  const out = [
    `Images: ${stats.images} (labeled ${stats.labeled}, unlabeled ${stats.unlabeled})` +
      (stats.boxes > 0 ? `, boxes: ${stats.boxes}` : ''),
  ];
  const labels = Object.entries(stats.labels).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (labels.length > 0) {
    out.push('Labels:', indent(table(['LABEL', 'COUNT'], labels)));
  }
  for (const [title, issues] of [
    ['Invalid files', stats.invalid],
    ['Unreadable annotations', stats.annotationErrors],
  ] as const) {
    if (issues.length > 0) out.push(`${title}: ${issues.length}`, ...issues.map((i) => `  ${i.path}: ${i.reason}`));
  }
  if (stats.warnings.length > 0) out.push('Warnings:', ...stats.warnings.map((w) => `  - ${w.message}`));
  return out.join('\n');
}

const LISTED_FILES = 20;

export function reportText(report: IndexReport): string {
  const { added, removed, changed, unchanged, files, conflicts } = report;
  const out = [`Indexed in ${(report.durationMs / 1000).toFixed(1)} s: ${added} added, ${removed} removed, ${changed} changed, ${unchanged} unchanged`];
  for (const [sign, list] of [
    ['+', files.added],
    ['-', files.removed],
    ['~', files.changed],
  ] as const) {
    out.push(...list.slice(0, LISTED_FILES).map((path) => `  ${sign} ${path}`));
    if (list.length > LISTED_FILES) out.push(`  ${sign} … and ${list.length - LISTED_FILES} more`);
  }
  if (conflicts.length > 0) {
    out.push(
      `Annotation conflicts: ${conflicts.length} (edited in the studio and on disk)`,
      ...conflicts.map((c) => `  ${c.path}: kept the ${c.kept} version`),
    );
  }
  return out.join('\n');
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
