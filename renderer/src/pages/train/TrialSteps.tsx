import type { ReactNode } from 'react';
import type { HpoTrial, TrainingRun } from '../../../../main/shared/api';
import { finalEpochs } from './curves';
import { formatLoss, formatRatio } from './metrics';
import { formatDuration, formatParam, STOP_REASONS } from './runText';

type StepState = 'running' | 'finished' | 'failed' | 'stopped' | 'waiting' | 'skipped';

const STATE_TEXT: Record<StepState, string> = {
  running: 'Running',
  finished: 'Finished',
  failed: 'Failed',
  stopped: 'Stopped',
  waiting: 'Waiting',
  skipped: 'Skipped',
};

function Step({ index, title, state, chosen, children }: { index: string; title: string; state: StepState; chosen?: boolean; children?: ReactNode }) {
  return (
    <li className={`step-item step-item-${state}${chosen ? ' step-item-chosen' : ''}`} aria-label={`${title}: ${STATE_TEXT[state]}${chosen ? ', chosen' : ''}`}>
      <span className="step-dot" aria-hidden="true">
        {index}
      </span>
      <div className="step-body">
        <div className="step-head">
          <strong>{title}</strong>
          <span className={`tag step-state step-state-${state}`}>{STATE_TEXT[state]}</span>
          {chosen && <span className="tag tag-label">chosen</span>}
        </div>
        {children}
      </div>
    </li>
  );
}

function TrialDetail({ trial }: { trial: HpoTrial }) {
  return (
    <>
      <div className="step-params">
        {Object.entries(trial.params).map(([key, value]) => (
          <code key={key} className="param-chip">
            {key} {formatParam(value)}
          </code>
        ))}
      </div>
      <div className="step-facts muted small">
        <span>score (val loss) {trial.metric === null ? '—' : formatLoss(trial.metric)}</span>
        <span>val accuracy {trial.valAccuracy === null ? '—' : formatRatio(trial.valAccuracy)}</span>
        <span>{trial.epochs} epochs</span>
        <span>{formatDuration(trial.durationMs)}</span>
      </div>
    </>
  );
}

/** The winning trial: the lowest validation loss among those that finished. */
function chosenTrial(trials: readonly HpoTrial[]): number | null {
  let best: HpoTrial | null = null;
  for (const trial of trials) if (trial.status === 'finished' && trial.metric !== null && (best === null || trial.metric < best.metric!)) best = trial;
  return best?.index ?? null;
}

/**
 * The run as the seed's node steps: each hyperparameter-search trial (seed 002's HPO trials: index,
 * params, status, metric), then the final training and the saved model.
 */
export function TrialSteps({ run }: { run: TrainingRun }) {
  const trials = [...run.trials].sort((a, b) => a.index - b.index);
  const chosen = chosenTrial(trials);
  const epochs = finalEpochs(run).filter((e) => e.epoch > 0);
  const searching = trials.some((t) => t.status === 'running');
  const planned = typeof run.params.epochs === 'number' ? run.params.epochs : null;
  const finalState: StepState =
    run.status === 'running' ? (epochs.length > 0 || (!searching && trials.length > 0) ? 'running' : 'waiting') : run.status === 'failed' ? 'failed' : run.stopReason === 'user' ? 'stopped' : epochs.length > 0 ? 'finished' : 'skipped';
  const modelState: StepState = run.modelId !== null ? 'finished' : run.status === 'running' ? 'waiting' : run.status === 'failed' ? 'failed' : 'skipped';
  const hpoOff = run.params.hpo === false;
  return (
    <ol className="steps-list" aria-label="Training steps">
      {trials.map((trial) => (
        <Step key={trial.index} index={String(trial.index)} title={`Search trial ${trial.index}${trial.index === 0 ? ' (default settings)' : ''}`} state={trial.status} chosen={chosen === trial.index}>
          <TrialDetail trial={trial} />
        </Step>
      ))}
      {trials.length === 0 && (
        <Step index="–" title="Hyperparameter search" state={hpoOff ? 'skipped' : run.status === 'running' ? 'waiting' : 'skipped'}>
          <div className="muted small">{hpoOff ? 'Turned off for this task: the algorithm’s default settings were used.' : 'No trials recorded.'}</div>
        </Step>
      )}
      <Step index="F" title="Final training" state={finalState}>
        <div className="step-facts muted small">
          <span>
            {epochs.length} {planned ? `of up to ${planned} ` : ''}epochs
          </span>
          {epochs.length > 0 && <span>best val loss {formatLoss(Math.min(...epochs.map((e) => e.valLoss)))}</span>}
          {run.stopReason && <span>{STOP_REASONS[run.stopReason]}</span>}
        </div>
      </Step>
      <Step index="M" title="Model version" state={modelState}>
        <div className="step-facts muted small">
          {run.modelId !== null ? <a href={`#/models/${run.modelId}`}>Model version {run.modelId}</a> : <span>{run.status === 'running' ? 'Saved when training ends' : 'No model was saved'}</span>}
        </div>
      </Step>
    </ol>
  );
}
