import type { InstanceType } from '../../../../main/shared/api';
import { METRICS_BY_TYPE, formatMetric, formatRatio, metricDelta, perClassRows, readMetric, readNumber } from './metrics';

interface MetricsColumn {
  title: string;
  metrics: unknown;
}

/**
 * The seed's Key / Value table of a model's validation metrics, with the keys of the instance's type.
 * Given two columns it compares them, with the difference of the second from the first.
 */
export function MetricsTable({ type, columns, label = 'Metrics' }: { type: InstanceType; columns: readonly MetricsColumn[]; label?: string }) {
  const specs = METRICS_BY_TYPE[type];
  const comparing = columns.length === 2;
  return (
    <table className="table metrics-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Key</th>
          {columns.map((column) => (
            <th key={column.title} scope="col" className="num">
              {columns.length === 1 ? 'Value' : column.title}
            </th>
          ))}
          {comparing && (
            <th scope="col" className="num">
              Difference
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {specs.map((spec) => {
          const delta = comparing ? metricDelta(spec, readNumber(columns[0]!.metrics, spec), readNumber(columns[1]!.metrics, spec)) : null;
          return (
            <tr key={spec.key}>
              <th scope="row" className="metric-key">
                {spec.label}
                {spec.key.toLowerCase() !== spec.label.toLowerCase() && <span className="muted small metric-raw-key">{spec.key}</span>}
              </th>
              {columns.map((column) => (
                <td key={column.title} className="num">
                  {formatMetric(spec, readMetric(column.metrics, spec))}
                </td>
              ))}
              {comparing && <td className={`num${delta?.tone ? ` delta-${delta.tone}` : ''}`}>{delta?.text ?? '—'}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const COLUMN_NAMES: Record<string, string> = { precision: 'Precision', recall: 'Recall', f1: 'F1', ap: 'AP@0.5', AP: 'AP', coco_ap: 'COCO AP@[.5:.95]', support: 'Validation images', positives: 'Validation objects' };
const COUNT_COLUMNS = new Set(['support', 'images', 'boxes', 'positives']);

/** One row per label: the per-class metrics the trainer recorded (precision, recall, F1, support…). */
export function PerClassTable({ metrics }: { metrics: unknown }) {
  const { columns, rows } = perClassRows(metrics);
  if (rows.length === 0) return <p className="muted">This model records no per-class metrics.</p>;
  return (
    <table className="table" aria-label="Per-class metrics">
      <thead>
        <tr>
          <th scope="col">Label</th>
          {columns.map((column) => (
            <th key={column} scope="col" className="num">
              {COLUMN_NAMES[column] ?? column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <th scope="row" className="metric-key">
              {row.label}
            </th>
            {columns.map((column) => {
              const value = row.values[column];
              return (
                <td key={column} className="num">
                  {value === undefined ? '—' : COUNT_COLUMNS.has(column) ? value.toLocaleString() : formatRatio(value)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
