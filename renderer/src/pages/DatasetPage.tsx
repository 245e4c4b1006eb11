import { useEffect, useRef, useState } from 'react';
import { StudioError, type IndexReport, type JobInfo } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { Alert } from '../components/Alert';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ImageGrid } from '../components/ImageGrid';
import { JobProgress } from '../components/JobProgress';
import { StatsPanel } from '../components/StatsPanel';
import { TYPE_LABELS, formatCount, formatDate, plural } from '../format';
import { useAction, useResource } from '../hooks';
import { useLatestJobs, useTrackJob } from '../jobs';
import { href } from '../router';

const FILES_SHOWN = 100;

function ReportFiles({ title, files }: { title: string; files: string[] }) {
  if (files.length === 0) return null;
  return (
    <details className="more">
      <summary>
        {title} ({formatCount(files.length)})
      </summary>
      <ul className="file-list">
        {files.slice(0, FILES_SHOWN).map((file) => (
          <li key={file}>
            <code className="path">{file}</code>
          </li>
        ))}
        {files.length > FILES_SHOWN && <li className="muted">…and {formatCount(files.length - FILES_SHOWN)} more</li>}
      </ul>
    </details>
  );
}

function IndexReportCard({ report, onDismiss }: { report: IndexReport; onDismiss: () => void }) {
  const counts = [
    ['Added', report.added],
    ['Removed', report.removed],
    ['Changed', report.changed],
    ['Unchanged', report.unchanged],
  ] as const;
  return (
    <section className="card report" aria-label="Index report">
      <div className="report-head">
        <strong>Indexing finished in {(report.durationMs / 1000).toFixed(1)} s</strong>
        <dl className="report-counts">
          {counts.map(([label, value]) => (
            <div key={label} className={value > 0 && label !== 'Unchanged' ? 'report-count report-count-hot' : 'report-count'}>
              <dt>{label}</dt>
              <dd>{formatCount(value)}</dd>
            </div>
          ))}
        </dl>
        <button type="button" className="button-link" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
      {report.conflicts.length > 0 && (
        <p className="alert alert-warn">
          {plural(report.conflicts.length, 'annotation')} edited in the studio also changed on disk; each conflict records which version was
          kept.
        </p>
      )}
      <ReportFiles title="Added files" files={report.files.added} />
      <ReportFiles title="Removed files" files={report.files.removed} />
      <ReportFiles title="Changed files" files={report.files.changed} />
    </section>
  );
}

/** Progress while the dataset's job runs, then its outcome until dismissed. */
function JobOutcome({ job, onDismiss }: { job: JobInfo; onDismiss: () => void }) {
  const client = useClient();
  const cancel = useAction(() => client.cancelJob(job.id));
  switch (job.state) {
    case 'running':
      return (
        <>
          <JobProgress job={job} onCancel={() => void cancel.run()} cancelling={cancel.busy} />
          {cancel.error && <Alert error={cancel.error} />}
        </>
      );
    case 'done':
      return job.kind === 'index' && job.result ? <IndexReportCard report={job.result} onDismiss={onDismiss} /> : null;
    case 'failed':
      return <Alert error={job.error ? StudioError.from(job.error) : new StudioError('internal', 'Indexing failed')} action={{ label: 'Dismiss', onClick: onDismiss }} />;
    case 'cancelled':
      return (
        <div className="alert alert-warn" role="status">
          <span>Indexing was cancelled after {formatCount(job.progress.done)} files; re-index to complete the dataset.</span>
          <button type="button" className="button-link" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      );
  }
}

export function DatasetPage({ id }: { id: number }) {
  const client = useClient();
  const track = useTrackJob();
  const job = useLatestJobs().get(id);
  const dataset = useResource(
    () => client.getDataset(id),
    [client, id],
    (event) => event.type === 'datasets-changed' && (event.datasetId === id || event.datasetId === null),
  );
  // Only a job seen running on this page gets its outcome shown, not stale ones from earlier visits.
  const [watchedJob, setWatchedJob] = useState<string | null>(null);
  const running = job?.state === 'running';
  const { reload } = dataset;

  const jobId = job?.id;
  const wasRunning = useRef(false);
  useEffect(() => {
    if (running && jobId) setWatchedJob(jobId);
    // The final stats land with the job's end; do not wait for a separate event.
    else if (wasRunning.current) reload();
    wasRunning.current = running;
  }, [jobId, running, reload]);

  const reindex = useAction(async () => {
    const started = await client.reindexDataset(id);
    track(started);
    setWatchedJob(started.id);
  });

  const current = dataset.data;
  return (
    <div className="page page-dataset">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: current.instanceName, href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          { label: current?.name ?? '…' },
        ]}
      />
      {dataset.error && <Alert error={dataset.error} action={{ label: 'Retry', onClick: reload }} />}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                {current.name} <span className={`type-tag type-${current.type}`}>{TYPE_LABELS[current.type]}</span>
              </h1>
              <div className="dataset-meta">
                <code className="path" title="Indexed in place; images are never copied">
                  {current.path}
                </code>
                <span className="muted">{current.indexedAt ? `Indexed ${formatDate(current.indexedAt)}` : 'Not indexed yet'}</span>
              </div>
              {current.description && <p className="muted">{current.description}</p>}
            </div>
            <button type="button" className="button" onClick={() => void reindex.run()} disabled={running || reindex.busy}>
              Re-index
            </button>
          </div>
          {reindex.error && <Alert error={reindex.error} />}
          {job && job.id === watchedJob && <JobOutcome job={job} onDismiss={() => setWatchedJob(null)} />}
          <div className="dataset-body">
            <aside className="dataset-side">
              <StatsPanel dataset={current} />
            </aside>
            <ImageGrid dataset={current} />
          </div>
        </>
      )}
    </div>
  );
}
