// Runs a job to its end: a progress bar on a terminal, Ctrl+C cancels the job.

import cliProgress from 'cli-progress';
import { StudioError, resultOf, type JobInfo, type JobKind, type JobResults } from '../shared/api';
import type { Context } from './run';

/** Starts a job of `kind` with `start` and waits for it; returns its report or throws its error. */
export async function followJob<K extends JobKind>(ctx: Context, kind: K, start: () => Promise<JobInfo>, options: { lines?: boolean } = {}): Promise<JobResults[K]> {
  const { studio } = ctx;
  let jobId: string | null = null;
  let interrupted = false;
  const bar = ctx.progress
    ? new cliProgress.SingleBar(
        { format: '{title} |{bar}| {value}/{total} {message}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : null;

  // The bar appears once the job knows its total (an unknown total would draw a full bar).
  let barStarted = false;
  let lastLine = '';
  const show = ({ title, progress }: JobInfo) => {
    // `lines`: without a bar (piped, or --json), long jobs still report on stderr, one line per change.
    if (!bar && options.lines && progress.message !== lastLine) {
      lastLine = progress.message;
      process.stderr.write(`${title}: ${progress.message}\n`);
    }
    if (!bar || progress.total === null) return;
    const payload = { title, message: progress.message };
    if (barStarted) {
      bar.setTotal(progress.total);
      bar.update(progress.done, payload);
    } else {
      bar.start(progress.total, progress.done, payload);
      barStarted = true;
    }
  };
  // Events before the id is known are dropped; show(job) below starts from the snapshot.
  const unsubscribe = studio.subscribe((event) => {
    if (event.type === 'job' && event.job.id === jobId) show(event.job);
  });
  const onInterrupt = () => {
    interrupted = true;
    if (jobId !== null) void studio.cancelJob(jobId);
  };
  // `once`: a second Ctrl+C falls back to Node's default and ends the process at once.
  process.once('SIGINT', onInterrupt);

  let job: JobInfo;
  try {
    job = await start();
    jobId = job.id;
    show(job);
    if (interrupted) await studio.cancelJob(jobId);
    job = await studio.waitJob(jobId);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    unsubscribe();
    if (barStarted) bar?.stop();
  }

  if (job.state === 'cancelled') throw new StudioError('cancelled', `${job.title}: cancelled`);
  return resultOf(job, kind);
}
