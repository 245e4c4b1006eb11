import { useMemo } from 'react';
import type { InstanceType, TrainingRun } from '../../../../main/shared/api';
import { LineChart } from '../../components/charts/LineChart';
import { SERIES_COLORS } from '../../components/charts/palette';
import { runCurves } from './curves';
import { EPOCH_SCORE_LABEL, formatLoss, formatRatio, percentTick } from './metrics';

/** Loss and the validation score per epoch of the run's final training; redrawn as epochs arrive. */
export function RunCharts({ run, type }: { run: Pick<TrainingRun, 'epochs' | 'status'>; type: InstanceType }) {
  const curves = useMemo(() => runCurves(run), [run]);
  const lossSeries = useMemo(
    () => [
      { label: 'Training loss', values: curves.loss, color: SERIES_COLORS.train },
      { label: 'Validation loss', values: curves.valLoss, color: SERIES_COLORS.validation },
    ],
    [curves],
  );
  const scoreLabel = EPOCH_SCORE_LABEL[type];
  const scoreSeries = useMemo(() => [{ label: scoreLabel, values: curves.score, color: SERIES_COLORS.score }], [curves, scoreLabel]);
  const waiting = run.status === 'running' ? 'Waiting for the first epoch…' : 'No epochs were recorded';
  return (
    <div className="chart-row">
      <LineChart title="Loss" x={curves.epochs} xLabel="Epoch" series={lossSeries} formatY={formatLoss} emptyText={waiting} />
      <LineChart title={scoreLabel} x={curves.epochs} xLabel="Epoch" series={scoreSeries} yRange={[0, 1]} formatY={formatRatio} formatTick={percentTick} emptyText={waiting} />
    </div>
  );
}
