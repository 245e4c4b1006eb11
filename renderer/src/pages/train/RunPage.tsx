import { useState, type ReactNode } from 'react';
import type { JobInfo, TrainingRun } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { ProgressBar } from '../../components/JobProgress';
import { formatDate } from '../../format';
import { useAction, useResource } from '../../hooks';
import { href } from '../../router';
import { finalEpochs } from './curves';
import { useInstance, useNow, useRun, useRunJob } from './hooks';
import { MetricsTable } from './MetricsTable';
import { RunCharts } from './RunCharts';
import { RunLog } from './RunLog';
import { RunStatusTag } from './RunStatusTag';
import { ALGORITHM_NAMES, STOP_REASONS, formatDuration, formatParam, runDurationMs } from './runText';
import { TrialSteps } from './TrialSteps';

function Info({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="info-item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The seed's 基本信息: task id, status, start time, elapsed, device, and what the task was asked to do. */
function BasicInfo({ run, now }: { run: TrainingRun; now: number }) {
  const client = useClient();
  const dataset = useResource(() => client.getDataset(run.datasetId), [client, run.datasetId], (event) => event.type === 'datasets-changed');
  const backbone = run.params.backbone ?? run.params.backboneRequested;
  return (
    <dl className="info-grid" aria-label="Basic information">
      <Info label="Task ID">{run.id}</Info>
      <Info label="Status">
        <RunStatusTag run={run} />
      </Info>
      <Info label="Started">{formatDate(run.startedAt)}</Info>
      <Info label={run.status === 'running' ? 'Elapsed' : 'Duration'}>{formatDuration(runDurationMs(run, now))}</Info>
      <Info label="Device">
        {run.backend ? (
          <span title={run.backend.skipped.join('\n') || undefined}>
            {run.backend.device.toUpperCase()} · {run.backend.detail}
          </span>
        ) : (
          <span className="muted">{formatParam(run.params.device)} (detecting…)</span>
        )}
      </Info>
      <Info label="Algorithm">{ALGORITHM_NAMES[run.algorithm]}</Info>
      <Info label="Dataset">
        <a href={href({ page: 'dataset', id: run.datasetId })}>{dataset.data?.name ?? `#${run.datasetId}`}</a>
      </Info>
      <Info label="Images">
        {run.trainImages} training · {run.valImages} validation
      </Info>
      <Info label="Labels">
        <span className="info-labels" title={run.labels.join(', ')}>
          {run.labels.join(', ')}
        </span>
      </Info>
      <Info label="Max training time">{formatParam(run.params.maxMinutes)} min</Info>
      <Info label="Backbone">{backbone === null || backbone === undefined ? 'default' : formatParam(backbone)}</Info>
      <Info label="Incremental from">{run.baseModelId === null ? '—' : <a href={href({ page: 'model', id: run.baseModelId })}>v{run.baseModelId}</a>}</Info>
    </dl>
  );
}

/** "epoch 12 of up to 80 · 1 min 05 s of 10 min": where the run stands against its limits. */
function budgetText(run: TrainingRun, now: number): string {
  const epochs = finalEpochs(run).filter((e) => e.epoch > 0).length;
  const planned = typeof run.params.epochs === 'number' ? ` of up to ${run.params.epochs}` : '';
  const budget = typeof run.params.maxMinutes === 'number' ? ` of ${run.params.maxMinutes} min` : '';
  const phase = epochs > 0 ? `epoch ${epochs}${planned}` : run.trials.length > 0 ? `search trial ${run.trials.length}` : 'preparing';
  return `${phase} · ${formatDuration(runDurationMs(run, now))}${budget}`;
}

function RunProgress({ run, job, stopping, now }: { run: TrainingRun; job: JobInfo | undefined; stopping: boolean; now: number }) {
  if (run.status === 'failed') {
    return (
      <div className="alert alert-error" role="status">
        <span>Training failed: {run.error ?? 'unknown error'}. {run.modelId !== null ? 'The best checkpoint was kept as a model version.' : ''}</span>
      </div>
    );
  }
  if (run.status === 'finished') {
    const epochs = finalEpochs(run).filter((e) => e.epoch > 0).length;
    return (
      <div className="card run-outcome" role="status">
        <strong>Training finished</strong>: {run.stopReason ? STOP_REASONS[run.stopReason] : 'done'} after {epochs} epochs.{' '}
        {run.modelId !== null ? <a href={href({ page: 'model', id: run.modelId })}>Open model version {run.modelId}</a> : 'No model was saved.'}
      </div>
    );
  }
  return (
    <section className="card job" aria-label="Training progress">
      <div className="job-head">
        <strong>{stopping ? 'Stopping: finishing the current step and keeping the best epoch…' : 'Training'}</strong>
        <span className="muted">{budgetText(run, now)}</span>
      </div>
      {job ? (
        <ProgressBar job={job} />
      ) : (
        <div className="progress progress-indeterminate" role="progressbar" aria-label="Training">
          <div className="progress-fill" />
        </div>
      )}
      <div className="job-message muted">{job?.progress.message || 'Starting…'}</div>
    </section>
  );
}

type RunTab = 'process' | 'log';

/** The seed's 训练详情: progress, basic information, charts, the search trials as steps, the log, and Stop. */
export function RunPage({ id }: { id: number }) {
  const client = useClient();
  const run = useRun(id);
  const current = run.data;
  const instance = useInstance(current?.instanceId);
  const job = useRunJob(current);
  const running = current?.status === 'running';
  const now = useNow(running);
  const [tab, setTab] = useState<RunTab>('process');
  const stop = useAction(() => client.stopRun(id));
  const [stopAsked, setStopAsked] = useState(false);

  const tabs: Array<[RunTab, string]> = [
    ['process', 'Training process'],
    ['log', 'Log'],
  ];
  return (
    <div className="page">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: instance.data?.name ?? '…', href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          current ? { label: 'Train', href: href({ page: 'train', instanceId: current.instanceId }) } : { label: 'Train' },
          { label: current?.name ?? '…' },
        ]}
      />
      {run.error && <Alert error={run.error} action={{ label: 'Retry', onClick: run.reload }} />}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                {current.name} <RunStatusTag run={current} />
              </h1>
              {current.description && <p className="muted">{current.description}</p>}
            </div>
            <div className="page-actions">
              {running && (
                <button
                  type="button"
                  className="button button-danger"
                  onClick={() => void stop.run().then((ok) => ok && setStopAsked(true))}
                  disabled={stop.busy || stopAsked}
                >
                  {stop.busy || stopAsked ? 'Stopping…' : 'Stop training'}
                </button>
              )}
              {current.modelId !== null && (
                <a className={running ? 'button' : 'button button-primary'} href={href({ page: 'model', id: current.modelId })}>
                  Open model
                </a>
              )}
              <a className="button" href={href({ page: 'new-task', instanceId: current.instanceId })}>
                New training task
              </a>
            </div>
          </div>
          {stop.error && <Alert error={stop.error} />}
          <RunProgress run={current} job={job} stopping={stopAsked} now={now} />
          <BasicInfo run={current} now={now} />
          <div role="tablist" aria-label="Training details" className="filter-tabs run-tabs">
            {tabs.map(([value, label]) => (
              <button key={value} type="button" role="tab" id={`run-tab-${value}`} aria-controls={`run-panel-${value}`} aria-selected={tab === value} className="filter-tab" onClick={() => setTab(value)}>
                {label}
              </button>
            ))}
          </div>
          {tab === 'process' ? (
            <div role="tabpanel" id="run-panel-process" aria-labelledby="run-tab-process" className="run-panel">
              <RunCharts run={current} type={current.type} />
              <div className="run-columns">
                <section className="run-section" aria-label="Steps">
                  <h2 className="section-heading">Steps</h2>
                  <TrialSteps run={current} />
                </section>
                <section className="run-section" aria-label="Validation metrics">
                  <h2 className="section-heading">{running ? 'Best validation metrics so far' : 'Validation metrics'}</h2>
                  {current.metrics ? (
                    <MetricsTable type={current.type} columns={[{ title: 'Value', metrics: current.metrics }]} label="Validation metrics" />
                  ) : (
                    <p className="muted">{running ? 'Recorded at the first epoch that improves on validation.' : 'None recorded.'}</p>
                  )}
                </section>
              </div>
            </div>
          ) : (
            <div role="tabpanel" id="run-panel-log" aria-labelledby="run-tab-log" className="run-panel">
              <RunLog runId={id} />
            </div>
          )}
        </>
      )}
    </div>
  );
}
