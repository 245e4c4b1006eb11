// "Pre-label with model" on the labeling pages: choose a model version of the dataset's instance,
// run it over the unlabeled images (a job: progress, cancel), then say how many suggestions wait,
// discard them, and switch the images between path order and most-uncertain-first.
//
//   <AssistBar dataset={dataset} order={order} onOrder={setOrder} currentImageId={imageId} />
import { useRef, useState } from 'react';
import { headlineMetric, StudioError, type Dataset, type JobInfo, type ModelVersion } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Dialog } from '../../components/Dialog';
import { Field, fieldError } from '../../components/Field';
import { ProgressBar } from '../../components/JobProgress';
import { formatCount, formatDate, plural } from '../../format';
import { useAction, useResource } from '../../hooks';
import { useLatestJobs, useTrackJob } from '../../jobs';
import { releaseAfterClick } from '../focus';
import type { ImageOrder } from '../useImageNavigator';
import { usePendingSuggestions } from './useSuggestions';

interface AssistBarProps {
  dataset: Dataset;
  order: ImageOrder;
  onOrder(order: ImageOrder): void;
  /** Offer "only this image" (the box page's current image). */
  currentImageId?: number | null;
}

export function AssistBar({ dataset, order, onOrder, currentImageId = null }: AssistBarProps) {
  const client = useClient();
  const track = useTrackJob();
  const latest = useLatestJobs().get(dataset.id);
  const job = latest?.kind === 'prelabel' ? latest : null;
  const pending = usePendingSuggestions(dataset.id);
  const [dialog, setDialog] = useState(false);
  const bar = useRef<HTMLElement>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const cancel = useAction(async () => job && (await client.cancelJob(job.id)));
  const discard = useAction(async () => client.clearSuggestions(dataset.id));
  const running = job?.state === 'running';
  const total = pending?.total ?? 0;

  const outcome = job && job.id !== dismissed && !running ? job : null;

  return (
    <section ref={bar} className="assist-bar" aria-label="Model assistance">
      <button
        type="button"
        className="button button-small"
        onClick={(event) => {
          releaseAfterClick(event);
          setDialog(true);
        }}
        disabled={running}
      >
        Pre-label with model…
      </button>
      {running && job && (
        <div className="assist-progress">
          <ProgressBar job={job} compact />
          <span className="muted small nowrap" role="status">
            {job.progress.message}
          </span>
          <button
            type="button"
            className="button-link"
            onClick={(event) => {
              releaseAfterClick(event);
              void cancel.run();
            }}
            disabled={cancel.busy}
          >
            {cancel.busy ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      )}
      {!running && total > 0 && (
        <span className="assist-count" role="status">
          <strong>{dataset.type === 'classification' ? plural(total, 'suggestion') : `${plural(total, 'image')} with suggestions`}</strong>
          {pending?.modelName && <span className="muted"> from {pending.modelName}</span>}
          <button
            type="button"
            className="button-link"
            onClick={(event) => {
              releaseAfterClick(event);
              void discard.run();
            }}
            disabled={discard.busy}
          >
            Discard
          </button>
        </span>
      )}
      {outcome?.state === 'done' && outcome.kind === 'prelabel' && outcome.result && outcome.result.skipped.length > 0 && (
        <span className="muted small" title={outcome.result.skipped.map((s) => `${s.path}: ${s.reason}`).join('\n')}>
          {plural(outcome.result.skipped.length, 'image')} could not be read.
        </span>
      )}
      <div className="assist-order" role="group" aria-label="Image order">
        <div className="segmented">
          <button
            type="button"
            aria-pressed={order === 'path'}
            onClick={(event) => {
              releaseAfterClick(event);
              onOrder('path');
            }}
          >
            By name
          </button>
          <button
            type="button"
            aria-pressed={order === 'uncertainty'}
            onClick={(event) => {
              releaseAfterClick(event);
              onOrder('uncertainty');
            }}
            title="Unlabeled images with a suggestion, the ones the model is least sure of first"
          >
            Most uncertain first
          </button>
        </div>
      </div>
      {outcome?.state === 'failed' && (
        <Alert
          error={outcome.error ? StudioError.from(outcome.error) : new StudioError('internal', 'Pre-labeling failed')}
          action={{ label: 'Dismiss', onClick: () => setDismissed(outcome.id) }}
        />
      )}
      {(cancel.error ?? discard.error) && <Alert error={(cancel.error ?? discard.error)!} />}
      {dialog && (
        <PrelabelDialog
          dataset={dataset}
          currentImageId={currentImageId}
          onClose={() => setDialog(false)}
          onStarted={(started) => {
            track(started);
            setDismissed(null);
            setDialog(false);
            // The dialog hands focus back to its opener; Enter must reach the page (accept), not reopen it.
            requestAnimationFrame(() => {
              const focused = document.activeElement;
              if (focused instanceof HTMLElement && bar.current?.contains(focused)) focused.blur();
            });
          }}
        />
      )}
    </section>
  );
}

interface PrelabelDialogProps {
  dataset: Dataset;
  currentImageId: number | null;
  onClose(): void;
  onStarted(job: JobInfo): void;
}

const DEFAULT_MIN_CONFIDENCE = '0.3';

function PrelabelDialog({ dataset, currentImageId, onClose, onStarted }: PrelabelDialogProps) {
  const client = useClient();
  const models = useResource(
    () => client.listModels(dataset.instanceId),
    [client, dataset.instanceId],
    (event) => event.type === 'models-changed' && event.instanceId === dataset.instanceId,
  );
  const usable = (models.data ?? []).filter((m) => m.type === dataset.type);
  const [picked, setPicked] = useState<number | null>(null);
  const modelId = picked ?? usable[0]?.id ?? null;
  const [scope, setScope] = useState<'unlabeled' | 'current'>('unlabeled');
  const [minConfidence, setMinConfidence] = useState(DEFAULT_MIN_CONFIDENCE);
  const boxes = dataset.type !== 'classification';
  const confidenceProblem = boxes && !(Number(minConfidence) >= 0 && Number(minConfidence) <= 1 && minConfidence.trim() !== '') ? 'A confidence between 0 and 1, e.g. 0.3' : null;
  const start = useAction(async () => {
    if (modelId === null) return;
    onStarted(
      await client.prelabel({
        datasetId: dataset.id,
        modelId,
        ...(scope === 'current' && currentImageId !== null && { imageIds: [currentImageId] }),
        ...(boxes && { minConfidence: Number(minConfidence) }),
      }),
    );
  });

  return (
    <Dialog
      title="Pre-label with a model"
      submitLabel="Pre-label"
      onClose={onClose}
      onSubmit={() => void start.run()}
      busy={start.busy}
      canSubmit={modelId !== null && confidenceProblem === null}
      error={start.error ?? models.error ?? null}
      fields={['modelId', 'minConfidence']}
      onEdit={start.reset}
    >
      <p className="muted">
        The model's predictions become suggestions on the images: accept one with <kbd className="kbd">Enter</kbd>, pick another label to correct it, or reject it with{' '}
        <kbd className="kbd">X</kbd>. Nothing is labeled until you accept.
      </p>
      {models.data && usable.length === 0 ? (
        <p className="assist-empty">
          Instance “{dataset.instanceName}” has no model version yet: train one in its Train step, then come back.
        </p>
      ) : (
        <Field label="Model version" error={fieldError(start.error, 'modelId')}>
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              className="input"
              value={modelId ?? ''}
              onChange={(event) => setPicked(Number(event.target.value))}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              data-autofocus
            >
              {usable.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} · {formatDate(m.createdAt)}
                  {` · ${headlineText(m)}`}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <fieldset className="assist-scope">
        <legend className="field-label">Images</legend>
        <label className="check">
          <input type="radio" name="prelabel-scope" checked={scope === 'unlabeled'} onChange={() => setScope('unlabeled')} />
          Every unlabeled image ({formatCount(dataset.stats.unlabeled)})
        </label>
        {currentImageId !== null && (
          <label className="check">
            <input type="radio" name="prelabel-scope" checked={scope === 'current'} onChange={() => setScope('current')} />
            Only the image on screen
          </label>
        )}
      </fieldset>
      {boxes && (
        <Field label="Minimum confidence" hint="Boxes the model is less sure of are not suggested." error={confidenceProblem ?? fieldError(start.error, 'minConfidence')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              className="input"
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={minConfidence}
              onChange={(event) => setMinConfidence(event.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
      )}
    </Dialog>
  );
}

/** The model's headline metric for the picker: accuracy, or mAP@0.5 for a detector. */
function headlineText(m: ModelVersion): string {
  const h = headlineMetric(m.metrics);
  return `${h.name} ${Math.round(h.value * 100)}%`;
}
