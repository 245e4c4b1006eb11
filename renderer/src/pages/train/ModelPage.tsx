import { useState } from 'react';
import type { ModelVersion } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { ConfusionMatrix } from '../../components/charts/ConfusionMatrix';
import { PrCurveChart } from '../../components/charts/PrCurveChart';
import { ConfirmDialog } from '../../components/Dialog';
import { formatDate } from '../../format';
import { useResource } from '../../hooks';
import { href, navigate } from '../../router';
import { useInstance, useModels } from './hooks';
import { confusionMatrix, formatKilobytes } from './metrics';
import { MetricsTable, PerClassTable } from './MetricsTable';
import { PublishActions } from './PublishActions';
import { RunCharts } from './RunCharts';
import { ALGORITHM_NAMES } from './runText';

function CompareWith({ model, others }: { model: ModelVersion; others: readonly ModelVersion[] }) {
  if (others.length === 0) return null;
  return (
    <label className="compare-with">
      <span className="muted small">Compare with</span>
      <select
        className="input"
        value=""
        onChange={(event) => event.target.value && navigate({ page: 'compare', a: model.id, b: Number(event.target.value) })}
      >
        <option value="">choose a version…</option>
        {others.map((other) => (
          <option key={other.id} value={other.id}>
            v{other.id} · {other.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The training curves of the run that made the model, when that run is still recorded. */
function ModelCurves({ model }: { model: ModelVersion }) {
  const client = useClient();
  const run = useResource(() => client.getRun(model.runId), [client, model.runId], () => false);
  if (run.error) return <p className="muted">The training task of this model is no longer recorded.</p>;
  if (!run.data) return null;
  return <RunCharts run={run.data} type={model.type} />;
}

/** One model version: the seed's metrics table, per-class metrics, the confusion matrix, and what to do with it. */
export function ModelPage({ id }: { id: number }) {
  const client = useClient();
  const model = useResource(
    () => client.getModel(id),
    [client, id],
    (event) => event.type === 'models-changed',
  );
  const current = model.data;
  const instance = useInstance(current?.instanceId);
  const siblings = useModels(current?.instanceId);
  const [deleting, setDeleting] = useState(false);
  const matrix = current ? confusionMatrix(current.metrics) : null;

  const gone = model.error?.code === 'not_found';
  return (
    <div className="page">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: instance.data?.name ?? '…', href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          current ? { label: 'Train', href: href({ page: 'train', instanceId: current.instanceId }) } : { label: 'Train' },
          { label: current ? `${current.name} (v${current.id})` : '…' },
        ]}
      />
      {gone ? <p className="empty">This model version does not exist (any more).</p> : model.error && <Alert error={model.error} action={{ label: 'Retry', onClick: model.reload }} />}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                {current.name} <span className="tag">v{current.id}</span>
                {current.fromCheckpoint && (
                  <span className="tag tag-warn" title="Saved from a run that failed or was cut short">
                    checkpoint
                  </span>
                )}
              </h1>
              <p className="muted model-meta">
                <span>Created {formatDate(current.createdAt)}</span>
                <span>{ALGORITHM_NAMES[current.algorithm]}</span>
                <span>backbone {current.backbone ?? 'none (trained from scratch)'}</span>
                <span>
                  input {current.inputSize}×{current.inputSize}
                </span>
                <span>{formatKilobytes(current.sizeBytes)}</span>
                <a href={href({ page: 'run', id: current.runId })}>training task</a>
                {current.baseModelId !== null && <a href={href({ page: 'model', id: current.baseModelId })}>incremental from v{current.baseModelId}</a>}
              </p>
            </div>
            <div className="page-actions">
              <PublishActions modelId={current.id} />
              <CompareWith model={current} others={(siblings.data ?? []).filter((other) => other.id !== current.id)} />
              <button type="button" className="button button-quiet-danger" onClick={() => setDeleting(true)}>
                Delete
              </button>
            </div>
          </div>
          <div className="model-grid">
            <section className="card model-section" aria-label="Model metrics">
              <h2 className="section-heading">Metrics</h2>
              <MetricsTable type={current.type} columns={[{ title: 'Value', metrics: current.metrics }]} />
              <p className="muted small">Computed on the validation set: 10 % of each label’s images, held out from training.</p>
            </section>
            {/* Detectors and OCR models have none (their metrics are per box and per line). */}
            {current.type === 'classification' && (
              <section className="card model-section" aria-label="Confusion matrix">
                <h2 className="section-heading">Confusion matrix</h2>
                {matrix ? <ConfusionMatrix labels={matrix.labels} matrix={matrix.matrix} /> : <p className="muted">This model records no confusion matrix.</p>}
              </section>
            )}
            <section className="card model-section" aria-label="Per-class metrics">
              <h2 className="section-heading">Per class</h2>
              <PerClassTable metrics={current.metrics} />
            </section>
            <section className="card model-section" aria-label="Precision-recall curves">
              <PrCurveChart metrics={current.metrics} />
            </section>
          </div>
          <section className="model-curves" aria-label="Training curves">
            <h2 className="section-heading">Training curves</h2>
            <ModelCurves model={current} />
          </section>
        </>
      )}
      {deleting && current && (
        <ConfirmDialog
          title={`Delete model version “${current.name}” (v${current.id})?`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await client.deleteModel(current.id);
            navigate({ page: 'train', instanceId: current.instanceId }, { replace: true });
          }}
          onClose={() => setDeleting(false)}
        >
          <p>Its weights and metadata are deleted from the workspace. The training task and its log stay.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
