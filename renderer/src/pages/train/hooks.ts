import { useCallback, useEffect, useRef, useState } from 'react';
import type { Instance, JobInfo, ModelVersion, RunLogLine, TrainingRun } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { useResource, useStudioEvents, type Resource } from '../../hooks';
import { useLatestJobs } from '../../jobs';

/**
 * A run page follows a run that emits an event per epoch, log line and trial: at hundreds of epochs
 * a minute that is one getRun per burst rather than one per event.
 */
const RUN_COALESCE_MS = 400;

export function useRun(id: number): Resource<TrainingRun> {
  const client = useClient();
  return useResource(() => client.getRun(id), [client, id], (event) => event.type === 'run-changed' && event.runId === id, { coalesceMs: RUN_COALESCE_MS });
}

export function useRuns(instanceId: number): Resource<TrainingRun[]> {
  const client = useClient();
  return useResource(
    () => client.listRuns(instanceId),
    [client, instanceId],
    (event) => (event.type === 'run-changed' || event.type === 'models-changed') && event.instanceId === instanceId,
    { coalesceMs: 1000 },
  );
}

export function useModels(instanceId: number | undefined): Resource<ModelVersion[]> {
  const client = useClient();
  return useResource(
    async () => (instanceId === undefined ? [] : client.listModels(instanceId)),
    [client, instanceId],
    (event) => event.type === 'models-changed' && event.instanceId === instanceId,
  );
}

/** The instance by id: null once known not to exist. */
export function useInstance(id: number | undefined): Resource<Instance | null> {
  const client = useClient();
  return useResource(
    async () => (id === undefined ? null : ((await client.listInstances()).find((candidate) => candidate.id === id) ?? null)),
    [client, id],
    (event) => event.type === 'instances-changed',
  );
}

/**
 * The run's log, fetched incrementally: on each run-changed event only the lines after the ones
 * already shown are asked for, and never two requests at once (a burst asks once more at its end).
 */
export function useRunLogs(runId: number): { lines: RunLogLine[]; error: string | null } {
  const client = useClient();
  const [lines, setLines] = useState<RunLogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const count = useRef(0);
  const inFlight = useRef(false);
  const again = useRef(false);
  const live = useRef(true);

  const fetchMore = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const next = await client.runLogs({ runId, after: count.current });
        if (!live.current) return;
        if (next.length > 0) {
          count.current += next.length;
          setLines((previous) => [...previous, ...next]);
        }
        setError(null);
      } while (again.current && live.current);
    } catch (failure) {
      if (live.current) setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      inFlight.current = false;
    }
  }, [client, runId]);

  useEffect(() => {
    live.current = true;
    count.current = 0;
    setLines([]);
    void fetchMore();
    return () => {
      live.current = false;
    };
  }, [fetchMore]);

  useStudioEvents((event) => {
    if (event.type === 'run-changed' && event.runId === runId) void fetchMore();
  });
  return { lines, error };
}

/** The current time, ticking every second while `active` (for elapsed times of running tasks). */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * The training job behind a run. Jobs do not carry a run id; the training service titles its job
 * "Train <run name>" on the run's dataset, and names are unique per instance. Progress comes from
 * this page's own job events, newest wins: a training job goes through phases (decoding 36/36, then
 * epoch 1/80…), and the shared job list keeps whichever progress counted higher, which would hold
 * the bar at the end of decoding for the whole training.
 */
export function useRunJob(run: TrainingRun | undefined): JobInfo | undefined {
  const known = useLatestJobs().get(run?.datasetId ?? -1);
  const [latest, setLatest] = useState<JobInfo | undefined>();
  const matches = (job: JobInfo | undefined): job is JobInfo =>
    run !== undefined && job !== undefined && job.kind === 'train' && job.datasetId === run.datasetId && job.title === `Train ${run.name}`;
  useStudioEvents((event) => {
    if (event.type === 'job' && matches(event.job)) setLatest(event.job);
  });
  if (matches(latest) && (!matches(known) || known.id === latest.id)) {
    // A final state from the shared list is authoritative (it may be all this page saw of the end).
    return known && known.id === latest.id && known.state !== 'running' ? known : latest;
  }
  return matches(known) ? known : undefined;
}
