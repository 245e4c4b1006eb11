import { useState } from 'react';
import type { Instance, ModelVersion, TrainingRun } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { ConfirmDialog } from '../../components/Dialog';
import { InstanceFrame } from '../../components/InstanceFrame';
import { ProgressBar } from '../../components/JobProgress';
import { MessageRow } from '../../components/MessageRow';
import { formatDate } from '../../format';
import { useAction } from '../../hooks';
import { href, navigate } from '../../router';
import { useInstance, useModels, useNow, useRunJob, useRuns } from './hooks';
import { MODEL_SIZE, formatMetric, primaryMetric, readMetric } from './metrics';
import { ALGORITHM_NAMES, formatDuration, runDurationMs } from './runText';
import { RunStatusTag } from './RunStatusTag';

function StopButton({ run }: { run: TrainingRun }) {
  const client = useClient();
  const stop = useAction(() => client.stopRun(run.id));
  return (
    <button type="button" className="button button-small button-quiet-danger" onClick={() => void stop.run()} disabled={stop.busy} title={stop.error?.message}>
      {stop.busy ? 'Stopping…' : 'Stop'}
    </button>
  );
}

function RunStatusCell({ run }: { run: TrainingRun }) {
  const job = useRunJob(run);
  return (
    <div className="run-status-cell">
      <RunStatusTag run={run} />
      {run.status === 'running' && job?.state === 'running' && <ProgressBar job={job} compact />}
    </div>
  );
}

/** The seed's task list: status, start time, duration and the best metric of each training task. */
function TaskTable({ instance, runs }: { instance: Instance; runs: TrainingRun[] | undefined }) {
  const now = useNow(runs?.some((run) => run.status === 'running') ?? false);
  const metric = primaryMetric(instance.type);
  return (
    <table className="table" aria-label="Training tasks">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Status</th>
          <th scope="col">Algorithm</th>
          <th scope="col">Started</th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col" className="num" title={`Best validation ${metric.label} so far`}>
            Best {metric.label}
          </th>
          <th scope="col" className="actions">
            Actions
          </th>
        </tr>
      </thead>
      <tbody>
        {runs?.map((run) => (
          <tr key={run.id}>
            <td>
              <a className="strong-link" href={href({ page: 'run', id: run.id })}>
                {run.name}
              </a>
              {run.description && <div className="muted small">{run.description}</div>}
            </td>
            <td className="status-cell">
              <RunStatusCell run={run} />
            </td>
            <td>{ALGORITHM_NAMES[run.algorithm]}</td>
            <td className="nowrap">{formatDate(run.startedAt)}</td>
            <td className="num nowrap">{formatDuration(runDurationMs(run, now))}</td>
            <td className="num">{formatMetric(metric, readMetric(run.metrics, metric))}</td>
            <td className="actions">
              <a className="button button-small" href={href({ page: 'run', id: run.id })}>
                Training details
              </a>
              {run.status === 'running' && <StopButton run={run} />}
            </td>
          </tr>
        ))}
        {!runs && <MessageRow columns={7}>Loading…</MessageRow>}
        {runs?.length === 0 && <MessageRow columns={7}>No training tasks yet. Start one with “New training task”.</MessageRow>}
      </tbody>
    </table>
  );
}

function ModelTable({ instance, models, onDelete }: { instance: Instance; models: ModelVersion[] | undefined; onDelete: (model: ModelVersion) => void }) {
  const metric = primaryMetric(instance.type);
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (id: number) => setPicked((current) => (current.includes(id) ? current.filter((p) => p !== id) : [...current.slice(-1), id]));
  const [a, b] = picked;
  return (
    <>
      <div className="table-toolbar">
        <span className="muted small">Tick two versions to compare them side by side.</span>
        <button
          type="button"
          className="button button-small"
          disabled={a === undefined || b === undefined}
          onClick={() => a !== undefined && b !== undefined && navigate({ page: 'compare', a, b })}
        >
          Compare
        </button>
      </div>
      <table className="table" aria-label="Model versions">
        <thead>
          <tr>
            <th scope="col" className="pick">
              <span className="visually-hidden">Compare</span>
            </th>
            <th scope="col">Model version</th>
            <th scope="col">Created</th>
            <th scope="col">Algorithm</th>
            <th scope="col" className="num">
              Labels
            </th>
            <th scope="col" className="num">
              {metric.label}
            </th>
            <th scope="col" className="num">
              model_size
            </th>
            <th scope="col" className="actions">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          {models?.map((model) => (
            <tr key={model.id}>
              <td className="pick">
                <input type="checkbox" aria-label={`Compare ${model.name}`} checked={picked.includes(model.id)} onChange={() => toggle(model.id)} />
              </td>
              <td>
                <a className="strong-link" href={href({ page: 'model', id: model.id })}>
                  {model.name}
                </a>{' '}
                <span className="muted small">v{model.id}</span>
                {model.fromCheckpoint && (
                  <span className="tag tag-warn" title="Saved from a run that failed or was cut short: the best checkpoint before it ended">
                    checkpoint
                  </span>
                )}
                {model.baseModelId !== null && <div className="muted small">incremental from v{model.baseModelId}</div>}
              </td>
              <td className="nowrap">{formatDate(model.createdAt)}</td>
              <td>{ALGORITHM_NAMES[model.algorithm]}</td>
              <td className="num">{model.labels.length}</td>
              <td className="num">{formatMetric(metric, readMetric(model.metrics, metric))}</td>
              <td className="num nowrap">{formatMetric(MODEL_SIZE, model.sizeBytes)}</td>
              <td className="actions">
                <a className="button button-small" href={href({ page: 'model', id: model.id })}>
                  Open
                </a>
                <button type="button" className="button button-small button-quiet-danger" onClick={() => onDelete(model)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {!models && <MessageRow columns={8}>Loading…</MessageRow>}
          {models?.length === 0 && <MessageRow columns={8}>No model versions yet: each training task that finishes an epoch saves one.</MessageRow>}
        </tbody>
      </table>
    </>
  );
}

/** The Train step of an instance (the seed's 训练任务 page): its tasks and the model versions they made. */
export function TrainPage({ instanceId }: { instanceId: number }) {
  const client = useClient();
  const instance = useInstance(instanceId);
  const runs = useRuns(instanceId);
  const models = useModels(instanceId);
  const [deleting, setDeleting] = useState<ModelVersion | null>(null);

  return (
    <InstanceFrame
      instance={instance}
      step="Train"
      resources={[runs, models]}
      description={() => 'Training tasks of this instance and the model versions they produced.'}
      actions={
        <a className="button button-primary" href={href({ page: 'new-task', instanceId })}>
          New training task
        </a>
      }
    >
      {(current) => (
        <>
          <h2 className="section-heading">Training tasks</h2>
          <TaskTable instance={current} runs={runs.data} />
          <h2 className="section-heading">Model versions</h2>
          <ModelTable instance={current} models={models.data} onDelete={setDeleting} />
          {deleting && (
            <ConfirmDialog title={`Delete model version “${deleting.name}” (v${deleting.id})?`} confirmLabel="Delete" onConfirm={() => client.deleteModel(deleting.id)} onClose={() => setDeleting(null)}>
              <p>Its weights and metadata are deleted from the workspace. The training task and its log stay.</p>
            </ConfirmDialog>
          )}
        </>
      )}
    </InstanceFrame>
  );
}
