// Per-class precision–recall curves of a model version (interpolated precision on a shared recall grid).

import type { ModelMetrics } from '../../../../main/shared/api';
import { LineChart } from './LineChart';
import { SERIES_COLORS } from './palette';

const COLORS = [SERIES_COLORS.train, SERIES_COLORS.validation, SERIES_COLORS.score, SERIES_COLORS.other, '#c2185b', '#5d6d7e'];

export function PrCurveChart({ metrics }: { metrics: ModelMetrics }) {
  const curves = 'pr_curves' in metrics ? metrics.pr_curves : undefined;
  if (!curves) return <p className="muted">This model records no precision–recall curves.</p>;
  const series = Object.entries(curves.precision).map(([label, values], i) => ({ label, values, color: COLORS[i % COLORS.length]!, dash: i >= COLORS.length ? [6, 4] : undefined }));
  return <LineChart title="Precision–recall (validation)" x={curves.recall} xLabel="Recall" series={series} yRange={[0, 1]} formatY={(v) => `${(v * 100).toFixed(0)} %`} formatTick={(v) => String(Number(v.toFixed(2)))} height={220} />;
}
