import { useState } from 'react';
import { StudioError, type BackboneInfo, type JobInfo } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Field } from '../../components/Field';
import { ProgressBar } from '../../components/JobProgress';
import { PathField } from '../../components/PathField';
import { useAction, useResource, useStudioEvents } from '../../hooks';

/** The select's values besides backbone ids. */
export const DEFAULT_BACKBONE = '';
export const NO_BACKBONE = 'none';
export const IMPORT_BACKBONE = '__import__';

export interface BackboneChoice {
  /** DEFAULT_BACKBONE, NO_BACKBONE, IMPORT_BACKBONE or a backbone id. */
  selected: string;
  importPath: string;
}

/** What TrainInput.backbone gets: undefined lets the engine pick its default. */
export function backboneInput(choice: BackboneChoice): string | undefined {
  if (choice.selected === DEFAULT_BACKBONE) return undefined;
  if (choice.selected === IMPORT_BACKBONE) return choice.importPath.trim();
  return choice.selected;
}

function cachedNote(backbone: BackboneInfo): string {
  if (backbone.source === 'imported') return 'imported';
  return backbone.cached ? 'downloaded' : 'downloads on first use';
}

/** Downloads a zoo backbone ahead of training, following its job here. */
function useBackboneDownload(onDone: () => void) {
  const client = useClient();
  const [job, setJob] = useState<JobInfo | null>(null);
  const start = useAction(async (id: string) => setJob(await client.fetchBackbone(id)));
  useStudioEvents((event) => {
    if (event.type !== 'job' || event.job.id !== job?.id) return;
    setJob(event.job);
    if (event.job.state === 'done') onDone();
  });
  return { job, start };
}

interface BackboneFieldProps {
  value: BackboneChoice;
  onChange: (value: BackboneChoice) => void;
  /** Incremental training reuses the base model's backbone. */
  disabledReason: string | null;
  error: string | null;
}

/** The model zoo (with what is already downloaded), training from scratch, or a local folder to import. */
export function BackboneField({ value, onChange, disabledReason, error }: BackboneFieldProps) {
  const client = useClient();
  // The zoo changes only through downloads and imports, which this field follows itself.
  const backbones = useResource(() => client.listBackbones(), [client], () => false);
  const download = useBackboneDownload(backbones.reload);
  const zoo = backbones.data?.filter((b) => b.source === 'zoo') ?? [];
  const imported = backbones.data?.filter((b) => b.source === 'imported') ?? [];
  const picked = backbones.data?.find((b) => b.id === value.selected);
  const running = download.job?.state === 'running';
  const disabled = disabledReason !== null;

  const hint =
    disabledReason ??
    (value.selected === DEFAULT_BACKBONE
      ? 'The engine’s default pretrained network; if it cannot be downloaded, a small network is trained from scratch instead.'
      : value.selected === NO_BACKBONE
        ? 'A small convolutional network trained from scratch: no download, but it needs more images to reach a good accuracy.'
        : value.selected === IMPORT_BACKBONE
          ? 'A tfjs layers model folder (model.json + weights); it is copied into the workspace.'
          : picked && !picked.cached
            ? 'Downloaded into the workspace when the task starts (or now).'
            : 'Already in the workspace.');

  return (
    <div className="backbone-field">
      <Field label="Backbone" hint={hint} error={value.selected === IMPORT_BACKBONE ? null : error}>
        {({ id, describedBy, invalid }) => (
          <div className="input-row">
            <select
              id={id}
              className="input"
              value={value.selected}
              onChange={(event) => onChange({ ...value, selected: event.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              disabled={disabled}
            >
              <option value={DEFAULT_BACKBONE}>Default (pretrained MobileNet)</option>
              <optgroup label="Model zoo">
                {zoo.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.title} — {cachedNote(b)}
                  </option>
                ))}
              </optgroup>
              {imported.length > 0 && (
                <optgroup label="Imported">
                  {imported.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.title}
                    </option>
                  ))}
                </optgroup>
              )}
              <optgroup label="Other">
                <option value={NO_BACKBONE}>None: train a small network from scratch</option>
                <option value={IMPORT_BACKBONE}>Import a folder…</option>
              </optgroup>
            </select>
            {picked && !picked.cached && !disabled && (
              <button type="button" className="button" onClick={() => void download.start.run(picked.id)} disabled={running || download.start.busy}>
                {running ? 'Downloading…' : 'Download now'}
              </button>
            )}
          </div>
        )}
      </Field>
      {running && download.job && <ProgressBar job={download.job} compact />}
      {download.job?.state === 'failed' && download.job.error && <Alert error={StudioError.from(download.job.error)} />}
      {download.start.error && <Alert error={download.start.error} />}
      {backbones.error && <Alert error={backbones.error} action={{ label: 'Retry', onClick: backbones.reload }} />}
      {value.selected === IMPORT_BACKBONE && !disabled && (
        <PathField
          label="Backbone folder"
          hint="Absolute path of a folder with model.json; an optional backbone.json names its preprocessing and feature layer."
          error={error}
          value={value.importPath}
          onChange={(importPath) => onChange({ ...value, importPath })}
          placeholder="/absolute/path/to/tfjs-model"
        />
      )}
    </div>
  );
}
