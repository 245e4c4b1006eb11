import { useMemo } from 'react';
import type { ModelVersion, TrainingRun } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { LineChart, type LineSeries } from '../../components/charts/LineChart';
import { SERIES_COLORS } from '../../components/charts/palette';
import { formatDate } from '../../format';
import { useResource } from '../../hooks';
import { href } from '../../router';
import { alignCurves, runCurves } from './curves';
import { useInstance } from './hooks';
import { EPOCH_SCORE_LABEL, formatLoss, formatRatio, percentTick } from './metrics';
import { MetricsTable } from './MetricsTable';
import { ALGORITHM_NAMES, formatDuration, formatParam, runDurationMs } from './runText';

/** A model version with the run that trained it (null once that run is no longer recorded). */
function useModelWithRun(id: number) {
  const client = useClient();
  return useResource(
    async () => {
      const model = await client.getModel(id);
      const run = await client.getRun(model.runId).catch(() => null);
      return { model, run };
    },
    [client, id],
    (event) => event.type === 'models-changed',
  );
}

const SETTINGS: Array<[string, (model: ModelVersion, run: TrainingRun | null) => string]> = [
  ['Created', (m) => formatDate(m.createdAt)],
  ['Algorithm', (m) => ALGORITHM_NAMES[m.algorithm]],
  ['Backbone', (m) => m.backbone ?? 'none (from scratch)'],
  ['Labels', (m) => m.labels.join(', ')],
  ['Images (train / validation)', (_m, r) => (r ? `${r.trainImages} / ${r.valImages}` : '—')],
  ['Learning rate', (_m, r) => formatParam(r?.params.lr)],
  ['Epochs trained', (_m, r) => (r ? String(r.epochs.filter((e) => e.trial === null && e.epoch > 0).length) : '—')],
  ['Duration', (_m, r) => (r ? formatDuration(runDurationMs(r, Date.now())) : '—')],
  ['Device', (_m, r) => (r?.backend ? `${r.backend.device.toUpperCase()} · ${r.backend.detail}` : '—')],
];

/** Two model versions side by side: metrics with the difference, settings, and their curves overlaid. */
export function ComparePage({ a, b }: { a: number; b: number }) {
  const left = useModelWithRun(a);
  const right = useModelWithRun(b);
  const l = left.data;
  const r = right.data;
  const instance = useInstance(l?.model.instanceId);
  const titleA = l ? `v${l.model.id} ${l.model.name}` : `v${a}`;
  const titleB = r ? `v${r.model.id} ${r.model.name}` : `v${b}`;

  const aligned = useMemo(() => (l?.run && r?.run ? alignCurves(runCurves(l.run), runCurves(r.run)) : null), [l, r]);
  const lossSeries = useMemo<LineSeries[]>(
    () =>
      aligned
        ? [
            { label: `${titleA} training`, values: aligned.a.loss, color: SERIES_COLORS.train },
            { label: `${titleA} validation`, values: aligned.a.valLoss, color: SERIES_COLORS.train, dash: [6, 4] },
            { label: `${titleB} training`, values: aligned.b.loss, color: SERIES_COLORS.validation },
            { label: `${titleB} validation`, values: aligned.b.valLoss, color: SERIES_COLORS.validation, dash: [6, 4] },
          ]
        : [],
    [aligned, titleA, titleB],
  );
  const scoreSeries = useMemo<LineSeries[]>(
    () =>
      aligned
        ? [
            { label: titleA, values: aligned.a.score, color: SERIES_COLORS.train },
            { label: titleB, values: aligned.b.score, color: SERIES_COLORS.validation },
          ]
        : [],
    [aligned, titleA, titleB],
  );
  const type = l?.model.type ?? r?.model.type ?? 'classification';

  return (
    <div className="page">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          l ? { label: instance.data?.name ?? '…', href: href({ page: 'instance', id: l.model.instanceId }) } : { label: '…' },
          l ? { label: 'Train', href: href({ page: 'train', instanceId: l.model.instanceId }) } : { label: 'Train' },
          { label: `Compare v${a} and v${b}` },
        ]}
      />
      {left.error && <Alert error={left.error} action={{ label: 'Retry', onClick: left.reload }} />}
      {right.error && <Alert error={right.error} action={{ label: 'Retry', onClick: right.reload }} />}
      <div className="page-head">
        <div className="page-head-main">
          <h1>
            Compare <a href={href({ page: 'model', id: a })}>{titleA}</a> and <a href={href({ page: 'model', id: b })}>{titleB}</a>
          </h1>
          <p className="muted">Differences are the second version’s value minus the first’s; green is better.</p>
        </div>
        <div className="page-actions">
          <a className="button" href={href({ page: 'compare', a: b, b: a })}>
            Swap
          </a>
        </div>
      </div>
      {l && r && (
        <>
          {l.model.type !== r.model.type && <p className="alert alert-warn">These versions belong to different instance types; only shared metrics compare.</p>}
          <div className="compare-grid">
            <section className="card model-section" aria-label="Metrics compared">
              <h2 className="section-heading">Metrics</h2>
              <MetricsTable
                type={type}
                label="Metrics compared"
                columns={[
                  { title: titleA, metrics: l.model.metrics },
                  { title: titleB, metrics: r.model.metrics },
                ]}
              />
            </section>
            <section className="card model-section" aria-label="Settings compared">
              <h2 className="section-heading">Settings</h2>
              <table className="table" aria-label="Settings compared">
                <thead>
                  <tr>
                    <th scope="col">Setting</th>
                    <th scope="col">{titleA}</th>
                    <th scope="col">{titleB}</th>
                  </tr>
                </thead>
                <tbody>
                  {SETTINGS.map(([label, read]) => {
                    const [va, vb] = [read(l.model, l.run), read(r.model, r.run)];
                    return (
                      <tr key={label} className={va === vb ? undefined : 'row-differs'}>
                        <th scope="row" className="metric-key">
                          {label}
                        </th>
                        <td>{va}</td>
                        <td>{vb}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </section>
          </div>
          <h2 className="section-heading">Training curves</h2>
          {aligned ? (
            <div className="chart-row">
              <LineChart title="Loss (solid: training, dashed: validation)" x={aligned.epochs} xLabel="Epoch" series={lossSeries} formatY={formatLoss} />
              <LineChart title={EPOCH_SCORE_LABEL[type]} x={aligned.epochs} xLabel="Epoch" series={scoreSeries} yRange={[0, 1]} formatY={formatRatio} formatTick={percentTick} />
            </div>
          ) : (
            <p className="muted">The training task of one of these versions is no longer recorded.</p>
          )}
        </>
      )}
    </div>
  );
}
