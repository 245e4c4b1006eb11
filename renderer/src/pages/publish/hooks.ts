import { useCallback, useEffect, useState } from 'react';
import type { JobInfo, ServiceInfo } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { useResource, useStudioEvents, type Resource } from '../../hooks';
import { useTrackJob } from '../../jobs';

/**
 * The running local services. Nothing announces a start or a stop made elsewhere (the CLI's serve
 * runs its own process), so pages reload after their own actions and on a slow poll.
 */
export function useServices(): Resource<ServiceInfo[]> {
  const client = useClient();
  const services = useResource(() => client.listServices(), [client], () => false);
  const { reload } = services;
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [reload]);
  return services;
}

/** Final states win over running ones; among snapshots of one state, the later update. */
function fresher(current: JobInfo, incoming: JobInfo): boolean {
  const rank = (job: JobInfo) => (job.state === 'running' ? 0 : 1);
  return rank(incoming) > rank(current) || (rank(incoming) === rank(current) && incoming.progress.seq >= current.progress.seq);
}

/** Jobs this session started per model (an export per model version), so coming back shows it. */
const startedJobs = new Map<string, string>();

/**
 * One job this page started, followed by its events until it ends; remembered under `slot` for the
 * session, so leaving the page and coming back shows it still running, or its report.
 */
export function useFollowedJob(slot: string): { job: JobInfo | null; follow: (job: JobInfo) => void; dismiss: () => void } {
  const client = useClient();
  const track = useTrackJob();
  const [job, setJob] = useState<JobInfo | null>(null);

  const refresh = useCallback(
    (id: string) => {
      client.getJob(id).then(
        (latest) => setJob((current) => (current && current.id === latest.id && !fresher(current, latest) ? current : latest)),
        () => undefined,
      );
    },
    [client],
  );

  useEffect(() => {
    const id = startedJobs.get(slot);
    if (id) refresh(id);
  }, [slot, refresh]);

  useStudioEvents((event) => {
    if (event.type === 'job' && job && event.job.id === job.id && fresher(job, event.job)) setJob(event.job);
  });

  const follow = useCallback(
    (started: JobInfo) => {
      startedJobs.set(slot, started.id);
      track(started);
      setJob(started);
      // Events sent before this page knew the id are not replayed: ask once.
      refresh(started.id);
    },
    [slot, track, refresh],
  );
  const dismiss = useCallback(() => {
    startedJobs.delete(slot);
    setJob(null);
  }, [slot]);
  return { job, follow, dismiss };
}
