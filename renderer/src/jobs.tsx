import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { JobInfo } from '../../main/shared/api';
import { useClient } from './api/context';
import { useStudioEvents } from './hooks';

interface Jobs {
  byId: ReadonlyMap<string, JobInfo>;
  /** Records a job returned by a call, before its first event arrives. */
  track: (job: JobInfo) => void;
}

const JobsContext = createContext<Jobs | null>(null);

/** A snapshot from listJobs may be older than an event already seen; never step a job back. */
function fresher(current: JobInfo | undefined, incoming: JobInfo): JobInfo {
  if (!current) return incoming;
  const rank = (job: JobInfo) => [job.state === 'running' ? 0 : 1, job.progress.seq] as const;
  const [a, b] = [rank(current), rank(incoming)];
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? current : incoming;
}

export function JobsProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [byId, setById] = useState<ReadonlyMap<string, JobInfo>>(new Map());

  const merge = useCallback((jobs: JobInfo[]) => {
    setById((previous) => {
      const next = new Map(previous);
      for (const job of jobs) next.set(job.id, fresher(next.get(job.id), job));
      return next;
    });
  }, []);
  const refresh = useCallback(() => {
    client.listJobs().then(merge, () => undefined);
  }, [client, merge]);

  useEffect(refresh, [refresh]);
  useStudioEvents((event) => {
    if (event.type === 'job') merge([event.job]);
    else if (event.type === 'datasets-changed' && event.datasetId === null) refresh();
  });

  const value = useMemo<Jobs>(() => ({ byId, track: (job) => merge([job]) }), [byId, merge]);
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

function useJobs(): Jobs {
  const jobs = useContext(JobsContext);
  if (!jobs) throw new Error('useJobs() outside <JobsProvider>');
  return jobs;
}

export function useTrackJob(): (job: JobInfo) => void {
  return useJobs().track;
}

/** The most recent job of each dataset. */
export function useLatestJobs(): ReadonlyMap<number, JobInfo> {
  const { byId } = useJobs();
  return useMemo(() => {
    const latest = new Map<number, JobInfo>();
    for (const job of byId.values()) {
      if (job.datasetId === null) continue;
      const seen = latest.get(job.datasetId);
      if (!seen || seen.startedAt < job.startedAt) latest.set(job.datasetId, job);
    }
    return latest;
  }, [byId]);
}
