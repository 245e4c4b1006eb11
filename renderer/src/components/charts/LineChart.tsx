import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useWidth } from '../../hooks';

export interface LineSeries {
  label: string;
  /** One value per x; null where the series has no point (epoch 0 has no training loss). */
  values: ReadonlyArray<number | null>;
  color: string;
  dash?: number[];
}

interface LineChartProps {
  title: string;
  x: readonly number[];
  xLabel: string;
  series: readonly LineSeries[];
  /** A fixed y range (accuracy: 0–1); otherwise fitted to the data. */
  yRange?: [number, number];
  /** Values in the legend and the summary. */
  formatY?: (value: number) => string;
  /** Axis ticks, which want fewer digits than the legend. */
  formatTick?: (value: number) => string;
  height?: number;
  /** Shown over the empty plot until the first point arrives. */
  emptyText?: string;
}

const AXIS = { stroke: '#66707f', grid: { stroke: '#eef0f3', width: 1 }, ticks: { stroke: '#dde1e7', width: 1 } };

/** The last value of each series in words: what a screen reader (and a test) gets instead of the canvas. */
function describe(series: readonly LineSeries[], x: readonly number[], xLabel: string, formatY: (v: number) => string): string {
  if (x.length === 0) return 'no points yet';
  const lasts = series.map((s) => {
    for (let i = s.values.length - 1; i >= 0; i--) {
      const v = s.values[i];
      if (v !== null && v !== undefined) return `${s.label} ${formatY(v)} at ${xLabel.toLowerCase()} ${x[i]}`;
    }
    return `${s.label}: no points`;
  });
  return `${x.length} points; ${lasts.join('; ')}`;
}

/**
 * A line chart drawn by uPlot on a canvas. The plot is built once per set of series and then fed new
 * data in place, so a chart that follows a training run redraws in well under a millisecond per epoch.
 */
/** The index of the last non-null value of a data column, or -1. */
function lastIndex(values: ArrayLike<number | null | undefined> | undefined): number {
  if (!values) return -1;
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
  return -1;
}

const compact = (v: number) => String(Number(v.toPrecision(3)));

export function LineChart({ title, x, xLabel, series, yRange, formatY = (v) => String(Number(v.toPrecision(4))), formatTick = compact, height = 220, emptyText = 'No points yet' }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const width = useWidth(box);
  const format = useRef(formatY);
  format.current = formatY;
  const formatAxis = useRef(formatTick);
  formatAxis.current = formatTick;

  const data = useMemo<uPlot.AlignedData>(() => [Array.from(x), ...series.map((s) => Array.from(s.values))], [x, series]);
  const latestData = useRef(data);
  latestData.current = data;
  // Rebuild only when what the series are changes, not when their values do.
  const shape = JSON.stringify([xLabel, yRange, series.map((s) => [s.label, s.color, s.dash])]);
  const ready = width > 0;

  useEffect(() => {
    const element = box.current;
    if (!element || !ready) return;
    const [, range, styles] = JSON.parse(shape) as [string, [number, number] | undefined, Array<[string, string, number[] | undefined]>];
    const options: uPlot.Options = {
      width: element.clientWidth,
      height,
      scales: { x: { time: false }, y: range ? { range } : {} },
      axes: [
        // x counts epochs: whole-number ticks, never 0.2-epoch ones while a run has only its first few.
        { ...AXIS, label: xLabel, labelSize: 18, size: 36, incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000] },
        { ...AXIS, size: 60, values: (_u, splits) => splits.map((v) => formatAxis.current(v)) },
      ],
      // Away from the plot the legend shows each series' latest value, so a live chart reads at a glance.
      series: [
        {
          label: xLabel,
          value: (u: uPlot, v: number | null, _s: number, idx: number | null) => {
            if (idx !== null) return v === null ? '—' : String(v);
            const last = lastIndex(u.data[0]);
            return last < 0 ? '—' : `${u.data[0][last]} (latest)`;
          },
        },
        ...styles.map(([label, stroke, dash]) => ({
          label,
          stroke,
          width: 2,
          ...(dash ? { dash } : {}),
          value: (u: uPlot, v: number | null, s: number, idx: number | null) => {
            if (idx === null) {
              const column = u.data[s];
              const last = lastIndex(column);
              const latest = last < 0 ? null : column?.[last];
              return latest === null || latest === undefined ? '—' : format.current(latest);
            }
            return v === null ? '—' : format.current(v);
          },
        })),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
    };
    const chart = new uPlot(options, latestData.current, element);
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [shape, ready, height, xLabel]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.setData(data);
    // Re-render the legend too: away from the plot it shows the latest values, which just changed.
    chart.setLegend({});
  }, [data]);

  useEffect(() => {
    if (plot.current && width > 0) plot.current.setSize({ width, height });
  }, [width, height]);

  const summary = describe(series, x, xLabel, formatY);
  return (
    <figure className="chart" aria-label={title} data-points={x.length}>
      <figcaption className="chart-title">{title}</figcaption>
      <div className="chart-plot">
        <div ref={box} className="chart-canvas" role="img" aria-label={`${title}: ${summary}`} />
        {x.length === 0 && <div className="chart-empty">{emptyText}</div>}
      </div>
    </figure>
  );
}
