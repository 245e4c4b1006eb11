import { useId } from 'react';
import { DEVICE_CHOICES, MAX_MINUTES_RANGE, type Algorithm, type BackendReport, type DeviceChoice, type DeviceInfo, type InstanceType, type ModelVersion } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Field } from '../../components/Field';
import { formatCount, formatDate } from '../../format';
import { useResource } from '../../hooks';
import { ALGORITHM_NAMES, ALGORITHM_TRADE_OFFS, ALGORITHMS_BY_TYPE } from './runText';

/** The fewest images a chosen classification label may have: one goes to validation. */
export const MIN_IMAGES_PER_LABEL = 2;

/** Labels a task of this type must choose (classification needs two classes to tell apart). */
export function minLabels(type: InstanceType): number {
  return type === 'classification' ? 2 : 1;
}

interface LabelChecklistProps {
  type: InstanceType;
  /** Label → images (classification) or boxes (detection). */
  counts: Record<string, number>;
  chosen: readonly string[];
  onChange: (chosen: string[]) => void;
  error: string | null;
}

/** The seed's 选择标签: a checkbox per label with its count; classification needs at least two. */
export function LabelChecklist({ type, counts, chosen, onChange, error }: LabelChecklistProps) {
  const noteId = useId();
  const titleId = useId();
  const labels = Object.keys(counts).sort((a, b) => a.localeCompare(b));
  const unit = type === 'classification' ? 'images' : 'boxes';
  const needed = minLabels(type);
  const tooFew = type === 'classification' && chosen.length < needed ? `Choose at least ${needed} labels.` : chosen.length < needed ? 'Choose at least one label.' : null;
  const toggle = (label: string, on: boolean) => onChange(on ? [...chosen, label].sort((a, b) => a.localeCompare(b)) : chosen.filter((l) => l !== label));
  const eligible = labels.filter((label) => type !== 'classification' || (counts[label] ?? 0) >= MIN_IMAGES_PER_LABEL);
  const message = error ?? (labels.length === 0 ? 'This dataset has no labeled images yet: label some first.' : tooFew);
  return (
    <div role="group" className="label-checklist" aria-labelledby={titleId} aria-describedby={noteId}>
      <div className="label-checklist-head">
        <span id={titleId} className="field-label">
          Labels{' '}
          <span className="muted small">
            ({chosen.length} of {labels.length} chosen)
          </span>
        </span>
        {labels.length > 0 && (
          <span className="label-checklist-tools">
            <button type="button" className="button-link small" onClick={() => onChange(eligible)}>
              All
            </button>
            <button type="button" className="button-link small" onClick={() => onChange([])}>
              None
            </button>
          </span>
        )}
      </div>
      <ul className="label-checks">
        {labels.map((label) => {
          const count = counts[label] ?? 0;
          const short = type === 'classification' && count < MIN_IMAGES_PER_LABEL;
          return (
            <li key={label}>
              <label className="check" title={short ? `Each label needs at least ${MIN_IMAGES_PER_LABEL} images (one goes to validation)` : undefined}>
                <input type="checkbox" checked={chosen.includes(label)} disabled={short} onChange={(event) => toggle(label, event.target.checked)} />
                <span className="label-check-name">{label}</span>
                <span className="count-badge" aria-label={`${formatCount(count)} ${unit}`}>
                  {formatCount(count)}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <div id={noteId} className={message ? 'field-note field-error' : 'field-note'} role={message ? 'alert' : undefined}>
        {message ?? `Counts are labeled ${unit}. 10 % of each label's images are held out for validation.`}
      </div>
    </div>
  );
}

/** High-speed or high-accuracy, each with the seed's one-line trade-off. */
export function AlgorithmChoice({ type, value, onChange }: { type: InstanceType; value: Algorithm; onChange: (value: Algorithm) => void }) {
  return (
    <fieldset className="type-choice">
      <legend className="field-label">Algorithm</legend>
      {ALGORITHMS_BY_TYPE[type].map((algorithm) => (
        <label key={algorithm} className="type-option">
          <input type="radio" name="algorithm" value={algorithm} checked={value === algorithm} onChange={() => onChange(algorithm)} />
          <span>
            <strong>{ALGORITHM_NAMES[algorithm]}</strong>
            <span className="muted small">{ALGORITHM_TRADE_OFFS[algorithm]}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

const DEVICE_TEXT: Record<DeviceChoice, string> = {
  auto: 'Automatic: CUDA when usable, else the CPU',
  gpu: 'Best GPU: CUDA, else WebGPU, else WebGL',
  cuda: 'GPU (CUDA, tfjs-node-gpu)',
  webgpu: 'GPU (WebGPU)',
  webgl: 'GPU (WebGL)',
  cpu: 'CPU only',
};

const found = (devices: Map<DeviceChoice, DeviceInfo>, choice: DeviceChoice): DeviceInfo | undefined => devices.get(choice);

/** The seed's 资源配置: where the task trains, with what the engine reported on its last task. */
export function DeviceChoiceField({ value, onChange, lastBackend, error }: { value: DeviceChoice; onChange: (value: DeviceChoice) => void; lastBackend: BackendReport | null; error: string | null }) {
  const noteId = useId();
  const client = useClient();
  // What this machine has, by name (GPU model and count, CPU cores), in place of the generic words.
  const devices = useResource(() => client.listDevices(), [client], () => false);
  const byId = new Map<DeviceChoice, DeviceInfo>((devices.data ?? []).map((d) => [d.id, d]));
  const note = error ?? (lastBackend ? `The last task trained on ${lastBackend.device.toUpperCase()}: ${lastBackend.detail}.` : 'No task has trained yet: the engine reports the backend and device it finds when a task starts.');
  return (
    <fieldset className="inline-choice stacked" aria-describedby={noteId}>
      <legend className="field-label">Resources</legend>
      {DEVICE_CHOICES.map((device) => (
        <label key={device} className="check" title={found(byId, device)?.note ?? undefined}>
          <input type="radio" name="device" value={device} checked={value === device} onChange={() => onChange(device)} />
          {found(byId, device)?.label ?? DEVICE_TEXT[device]}
          {found(byId, device)?.usable === false && <span className="muted"> (not usable here)</span>}
        </label>
      ))}
      <div id={noteId} className={error ? 'field-note field-error' : 'field-note'} title={lastBackend?.skipped.join('\n') || undefined}>
        {note}
      </div>
    </fieldset>
  );
}

/** The seed's 最大训练时长: 10–60 minutes; early stop may end the task sooner. */
export function MaxMinutesSlider({ value, onChange, error }: { value: number; onChange: (value: number) => void; error: string | null }) {
  const { min, max } = MAX_MINUTES_RANGE;
  return (
    <Field label="Max training time" hint={`${min}–${max} minutes. Early stop ends training sooner once validation loss stops improving; the best epoch is kept.`} error={error}>
      {({ id, describedBy, invalid }) => (
        <div className="slider-row">
          <input
            id={id}
            type="range"
            min={min}
            max={max}
            step={1}
            value={value}
            onChange={(event) => onChange(Number(event.target.value))}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            aria-valuetext={`${value} minutes`}
          />
          <output htmlFor={id} className="slider-value">
            {value} min
          </output>
        </div>
      )}
    </Field>
  );
}

interface IncrementalFieldProps {
  models: readonly ModelVersion[];
  /** The base model version's id, or null for a fresh start. */
  value: number | null;
  onChange: (value: number | null) => void;
  error: string | null;
}

/** The seed's 增量训练: start from a model version's weights; new labels get new outputs. */
export function IncrementalField({ models, value, onChange, error }: IncrementalFieldProps) {
  const enabled = value !== null;
  const base = models.find((model) => model.id === value);
  return (
    <div className="incremental-field">
      <label className="check">
        <input type="checkbox" checked={enabled} disabled={models.length === 0} onChange={(event) => onChange(event.target.checked ? (models[0]?.id ?? null) : null)} />
        Incremental training
        {models.length === 0 && <span className="muted small">(no model version to start from yet)</span>}
      </label>
      {enabled && (
        <Field label="Base model version" hint={base ? `Knows ${base.labels.join(', ')}; labels it does not know get new outputs.` : ''} error={error}>
          {({ id, describedBy, invalid }) => (
            <select id={id} className="input" value={value ?? ''} onChange={(event) => onChange(Number(event.target.value))} aria-describedby={describedBy} aria-invalid={invalid}>
              {models.map((model) => (
                <option key={model.id} value={model.id}>
                  v{model.id} · {model.name} · {formatDate(model.createdAt)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </div>
  );
}
