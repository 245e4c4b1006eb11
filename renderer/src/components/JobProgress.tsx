import type { JobInfo } from '../../../main/shared/api';
import { JOB_KINDS, formatCount } from '../format';

/** A progress bar for a job; indeterminate until the job knows its total. */
export function ProgressBar({ job, compact = false }: { job: JobInfo; compact?: boolean }) {
  const { done, total } = job.progress;
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <div
      className={`progress${compact ? ' progress-compact' : ''}${percent === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={job.title}
      aria-valuemin={0}
      aria-valuemax={total ?? undefined}
      aria-valuenow={total ? done : undefined}
    >
      <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
    </div>
  );
}

export function JobProgress({ job, onCancel, cancelling }: { job: JobInfo; onCancel: () => void; cancelling: boolean }) {
  const { done, total, message } = job.progress;
  const { name, unit } = JOB_KINDS[job.kind];
  return (
    <section className="card job" aria-label={name}>
      <div className="job-head">
        <strong>{job.title}</strong>
        <span className="muted">
          {formatCount(done)}
          {total !== null && ` / ${formatCount(total)}`} {unit}
        </span>
        <button type="button" className="button button-small" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <ProgressBar job={job} />
      <div className="job-message muted">{message || 'Starting…'}</div>
    </section>
  );
}
