import { useEffect, useRef, useState } from 'react';
import { StudioError, type FormatInfo, type IndexReport, type JobInfo } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { Alert } from '../components/Alert';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { ImageGrid } from '../components/ImageGrid';
import { JobProgress } from '../components/JobProgress';
import { ReportCard, ReportList, pathItem } from '../components/Report';
import { StatsPanel } from '../components/StatsPanel';
import { JOB_KINDS, formatCount, formatDate, formatSeconds, plural } from '../format';
import { useAction, useResource } from '../hooks';
import { useLatestJobs, useTrackJob } from '../jobs';
import { href } from '../router';
import { ExportDialog, ExportReportCard, ImportDialog, ImportReportCard } from './DatasetInterchange';
import { TypeTag } from '../components/TypeTag';

function IndexReportCard({ report, onDismiss }: { report: IndexReport; onDismiss: () => void }) {
  return (
    <ReportCard
      label="Index report"
      headline={<strong>Indexing finished in {formatSeconds(report.durationMs)}</strong>}
      counts={[
        { label: 'Added', value: report.added, tone: 'hot' },
        { label: 'Removed', value: report.removed, tone: 'hot' },
        { label: 'Changed', value: report.changed, tone: 'hot' },
        { label: 'Unchanged', value: report.unchanged },
      ]}
      onDismiss={onDismiss}
    >
      {report.conflicts.length > 0 && (
        <p className="alert alert-warn">
          {plural(report.conflicts.length, 'annotation')} edited in the studio also changed on disk; each conflict records which version was
          kept.
        </p>
      )}
      <ReportList title="Added files" items={report.files.added} render={pathItem} />
      <ReportList title="Removed files" items={report.files.removed} render={pathItem} />
      <ReportList title="Changed files" items={report.files.changed} render={pathItem} />
    </ReportCard>
  );
}

/** What a cancelled job left behind. */
function cancelledNote(job: JobInfo): string {
  const done = formatCount(job.progress.done);
  switch (job.kind) {
    case 'index':
      return `Indexing was cancelled after ${done} files; re-index to complete the dataset.`;
    case 'export':
      return `Export was cancelled after ${done} images; its folder holds a partial export, so delete it before exporting there again.`;
    case 'import':
      return 'Import was cancelled before it changed any annotation.';
    case 'train':
      return 'Training was stopped; the run keeps the model of its best epoch, if it finished one.';
    case 'evaluate':
      return `Evaluation was cancelled after ${done} images.`;
    case 'backbone':
      return 'The backbone download was cancelled; nothing was kept.';
    case 'export-eas':
      return 'The EAS export was cancelled; delete its partial folder before exporting there again.';
    case 'prelabel':
      return `Pre-labeling was cancelled after ${done} images; the suggestions made so far are kept.`;
  }
}

interface JobOutcomeProps {
  job: JobInfo;
  formats: readonly FormatInfo[];
  onDismiss: () => void;
}

function JobReport({ job, formats, onDismiss }: JobOutcomeProps) {
  switch (job.kind) {
    case 'index':
      return job.result && <IndexReportCard report={job.result} onDismiss={onDismiss} />;
    case 'export':
      return job.result && <ExportReportCard report={job.result} formats={formats} onDismiss={onDismiss} />;
    case 'import':
      return job.result && <ImportReportCard report={job.result} formats={formats} onDismiss={onDismiss} />;
  }
}

/** Progress while the dataset's job runs, then its outcome until dismissed. */
function JobOutcome({ job, formats, onDismiss }: JobOutcomeProps) {
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
      return <JobReport job={job} formats={formats} onDismiss={onDismiss} />;
    case 'failed':
      return (
        <Alert
          error={job.error ? StudioError.from(job.error) : new StudioError('internal', `${JOB_KINDS[job.kind].name} failed`)}
          action={{ label: 'Dismiss', onClick: onDismiss }}
        />
      );
    case 'cancelled':
      return (
        <div className="alert alert-warn" role="status">
          <span>{cancelledNote(job)}</span>
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

  // The server's formats are fixed while it runs: no event refreshes them.
  const formats = useResource(() => client.listFormats(), [client], () => false);
  const [dialog, setDialog] = useState<'export' | 'import' | null>(null);

  const follow = (started: JobInfo) => {
    track(started);
    setWatchedJob(started.id);
  };
  const reindex = useAction(async () => follow(await client.reindexDataset(id)));

  const current = dataset.data;
  const typeFormats = current ? (formats.data ?? []).filter((format) => format.types.includes(current.type)) : [];
  const busy = running || reindex.busy;
  const InterchangeDialog = dialog && { export: ExportDialog, import: ImportDialog }[dialog];
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
                {current.name} <TypeTag type={current.type} />
              </h1>
              <div className="dataset-meta">
                <code className="path" title="Indexed in place; images are never copied">
                  {current.path}
                </code>
                <span className="muted">{current.indexedAt ? `Indexed ${formatDate(current.indexedAt)}` : 'Not indexed yet'}</span>
              </div>
              {current.description && <p className="muted">{current.description}</p>}
            </div>
            <div className="page-actions">
              <a className="button button-primary" href={href({ page: 'label', id, imageId: null })}>
                Label
              </a>
              <button type="button" className="button" onClick={() => void reindex.run()} disabled={busy}>
                Re-index
              </button>
              <button type="button" className="button" onClick={() => setDialog('export')} disabled={busy || typeFormats.length === 0}>
                Export…
              </button>
              <button type="button" className="button" onClick={() => setDialog('import')} disabled={busy || typeFormats.length === 0}>
                Import…
              </button>
            </div>
          </div>
          {reindex.error && <Alert error={reindex.error} />}
          {formats.error && <Alert error={formats.error} action={{ label: 'Retry', onClick: formats.reload }} />}
          {job && job.id === watchedJob && <JobOutcome job={job} formats={typeFormats} onDismiss={() => setWatchedJob(null)} />}
          <div className="dataset-body">
            <aside className="dataset-side">
              <StatsPanel dataset={current} />
            </aside>
            <ImageGrid dataset={current} />
          </div>
          {InterchangeDialog && (
            <InterchangeDialog
              dataset={current}
              formats={typeFormats}
              onStarted={(started) => {
                follow(started);
                setDialog(null);
              }}
              onClose={() => setDialog(null)}
            />
          )}
        </>
      )}
    </div>
  );
}
