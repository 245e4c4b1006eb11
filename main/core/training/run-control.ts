// What every trainer does around its model, in one place: the stop and time-budget check, its log,
// the backend it reports, and decoding the run's images with progress (an image that no longer
// decodes is left out and logged, not fatal).

import { StudioError } from '../../shared/api';
import { pool } from '../jobs/pool';
import { range } from './fit';
import type { HostIO } from './host-io';
import type { TrainImage, WorkerEvent, WorkerSpec } from './protocol';

/** Thrown by `check` when the user stops the run or its time budget ends. */
export class Interrupted extends Error {
  constructor(readonly reason: 'user' | 'time_budget') {
    super(reason);
  }
}

type RunEvent = Extract<WorkerEvent, { type: 'log' | 'progress' | 'backend' }>;

export interface RunIO extends Pick<HostIO, 'initBackend'> {
  emit(event: RunEvent): void;
  stopRequested(): boolean;
}

export interface RunControl {
  deadline: number;
  log(message: string, level?: 'info' | 'warn'): void;
  /** Throws Interrupted when the run should end now. */
  check(): void;
}

/** Starts the run's clock, initialises and reports the host's backend. */
export async function startRun(spec: WorkerSpec, io: RunIO): Promise<RunControl> {
  const deadline = Date.now() + spec.budgetMs;
  const log = (message: string, level: 'info' | 'warn' = 'info') => io.emit({ type: 'log', level, message });
  const check = () => {
    if (io.stopRequested()) throw new Interrupted('user');
    if (Date.now() >= deadline) throw new Interrupted('time_budget');
  };
  const backend = await io.initBackend(spec.device);
  io.emit({ type: 'backend', backend });
  log(`backend: ${backend.detail}${backend.skipped.length ? ` (not used: ${backend.skipped.join('; ')})` : ''}`);
  return { deadline, log, check };
}

/** Decodes every image of the run, 4 at a time, reporting progress; null where an image failed (logged). */
export async function decodeEach<T>(spec: WorkerSpec, io: RunIO, check: () => void, decode: (image: TrainImage) => Promise<T>): Promise<Array<T | null>> {
  const out = new Array<T | null>(spec.images.length).fill(null);
  let done = 0;
  await pool(range(0, spec.images.length), 4, async (i) => {
    check();
    try {
      out[i] = await decode(spec.images[i]!);
    } catch (err) {
      io.emit({ type: 'log', level: 'warn', message: `left out: ${StudioError.wrap(err).message}` });
    }
    done++;
    if (done % 8 === 0 || done === spec.images.length) io.emit({ type: 'progress', phase: 'prepare', done, total: spec.images.length, message: `Decoding images ${done}/${spec.images.length}` });
  });
  return out;
}
