import type { ModelVersion } from '../../../../main/shared/api';
import { formatMetric, primaryMetric, readMetric } from '../train/metrics';

/** "v3 · colours-fast · accuracy 97.2%": enough to tell versions apart in a list. */
export function versionText(model: ModelVersion): string {
  const metric = primaryMetric(model.type);
  return `v${model.id} · ${model.name} · ${metric.label} ${formatMetric(metric, readMetric(model.metrics, metric))}`;
}

interface VersionSelectProps {
  label: string;
  value: number | null;
  versions: readonly ModelVersion[];
  onChange: (id: number | null) => void;
  /** The entry for "no version" (compare: none), when there is one. */
  none?: string;
  exclude?: number;
}

/** Picks one of the instance's model versions. */
export function VersionSelect({ label, value, versions, onChange, none, exclude }: VersionSelectProps) {
  return (
    <label className="version-select">
      <span className="muted small">{label}</span>
      <select className="input" value={value ?? ''} onChange={(event) => onChange(event.target.value ? Number(event.target.value) : null)}>
        {none !== undefined && <option value="">{none}</option>}
        {versions
          .filter((version) => version.id !== exclude)
          .map((version) => (
            <option key={version.id} value={version.id}>
              {versionText(version)}
            </option>
          ))}
      </select>
    </label>
  );
}
