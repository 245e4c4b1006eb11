import { randomUUID } from 'node:crypto';
import { StudioError, type JobInfo, type JobKind, type JobProgress, type JobResults } from '../../shared/api';

export interface JobContext {
  signal: AbortSignal;
  progress(done: number, total: number | null, message: string): void;
}

interface Running {
  info: JobInfo;
  controller: AbortController;
  finished: Promise<JobInfo>;
}

// Progress events are throttled: a 10,000-image index would otherwise flood IPC/WebSocket.
const PROGRESS_INTERVAL_MS = 100;

/** Long work off the request path: progress as events, cancellable, awaitable by id. */
export class JobRunner {
  private readonly jobs = new Map<string, Running>();

  constructor(private readonly emit: (job: JobInfo) => void) {}

  start<K extends JobKind>(
    kind: K,
    title: string,
    datasetId: number | null,
    run: (ctx: JobContext) => Promise<JobResults[K]>,
  ): JobInfo {
    const controller = new AbortController();
    const info = {
      id: randomUUID(),
      kind,
      title,
      state: 'running',
      progress: { done: 0, total: null, message: 'Starting', seq: 0 },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      datasetId,
      result: null,
      error: null,
    } as JobInfo;
    let lastEmit = 0;
    const progress = (done: number, total: number | null, message: string) => {
      info.progress = { done, total, message, seq: info.progress.seq + 1 } satisfies JobProgress;
      const now = Date.now();
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || (total !== null && done === total)) {
        lastEmit = now;
        this.emit(snapshot(info));
      }
    };
    const finish = (patch: { state: JobInfo['state']; result?: JobResults[K]; error?: JobInfo['error'] }) => {
      Object.assign(info, patch, { finishedAt: new Date().toISOString() });
      this.emit(snapshot(info));
      return snapshot(info);
    };
    const finished = Promise.resolve()
      .then(() => run({ signal: controller.signal, progress }))
      .then(
        (result) => finish({ state: 'done', result }),
        (err: unknown) =>
          controller.signal.aborted
            ? finish({ state: 'cancelled', error: { code: 'cancelled', message: `${title}: cancelled` } })
            : finish({ state: 'failed', error: StudioError.wrap(err).toJSON() }),
      );
    this.jobs.set(info.id, { info, controller, finished });
    this.emit(snapshot(info));
    return snapshot(info);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => snapshot(j.info));
  }

  get(id: string): JobInfo {
    return snapshot(this.running(id).info);
  }

  /** An unfinished job of one of `kinds` working on a dataset, if any. */
  activeFor(datasetId: number, kinds: readonly JobKind[]): JobInfo | null {
    for (const j of this.jobs.values()) {
      if (j.info.datasetId === datasetId && j.info.state === 'running' && kinds.includes(j.info.kind)) return snapshot(j.info);
    }
    return null;
  }

  /** Cancels every unfinished job of a dataset and waits for them. */
  async cancelFor(datasetId: number): Promise<void> {
    const active = [...this.jobs.values()].filter((j) => j.info.datasetId === datasetId && j.info.state === 'running');
    for (const j of active) j.controller.abort();
    await Promise.all(active.map((j) => j.finished));
  }

  wait(id: string): Promise<JobInfo> {
    return this.running(id).finished;
  }

  cancel(id: string): Promise<JobInfo> {
    const job = this.running(id);
    job.controller.abort();
    return job.finished;
  }

  /** Cancels everything and waits, so nothing writes to a closing database. */
  async shutdown(): Promise<void> {
    for (const j of this.jobs.values()) j.controller.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.finished));
  }

  private running(id: string): Running {
    const job = this.jobs.get(id);
    if (!job) throw new StudioError('not_found', `no job with id ${id}`, 'id');
    return job;
  }
}

function snapshot(info: JobInfo): JobInfo {
  return { ...info, progress: { ...info.progress } };
}
