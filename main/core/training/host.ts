// The app's side of a training process: start it, relay its events, ask it to stop, and notice
// when it dies. The process itself is made by a spawner: child_process.fork under Node (CLI,
// browser mode, tests), Electron's utilityProcess in the desktop app (the shell passes one in).

import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StudioError } from '../../shared/api';
import type { HostMessage, TrainOutcome, WorkerEvent, WorkerSpec } from './protocol';

export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  onMessage(listener: (event: WorkerEvent) => void): void;
  onExit(listener: (description: string) => void): void;
  kill(): void;
}

/** Starts a training process running the given entry script. */
export type SpawnWorker = (entry: string) => WorkerHandle;

/** The worker script: the TypeScript source under tsx, or the bundle electron-vite builds beside main. */
export function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { path: join(dirname(here), 'worker.ts'), execArgv: ['--import', tsx] };
  }
  return { path: join(dirname(here), 'training-worker.js'), execArgv: [] };
}

export const forkWorker: SpawnWorker = (entry) => {
  const { execArgv } = workerEntry();
  // Our own execArgv (e.g. a test runner's) must not leak in; the entry's loader flags are all it needs.
  const child = fork(entry, [], { execArgv: entry.endsWith('.ts') ? execArgv : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => child.on('message', (m) => l(m as WorkerEvent)),
    onExit: (l) => child.on('exit', (code, signal) => l(signal ? `killed by ${signal}` : `exit code ${code}`)),
    kill: () => child.kill('SIGKILL'),
  };
};

export interface RunningWorker {
  pid: number | undefined;
  stop(): void;
  /** Resolves with the outcome; rejects if the process fails or dies. */
  done: Promise<TrainOutcome>;
}

export function startWorker(spawn: SpawnWorker, spec: WorkerSpec, onEvent: (e: WorkerEvent) => void): RunningWorker {
  const worker = spawn(workerEntry().path);
  let settled = false;
  const done = new Promise<TrainOutcome>((resolve, reject) => {
    worker.onMessage((event) => {
      if (settled) return;
      if (event.type === 'done') {
        settled = true;
        resolve(event.outcome);
        worker.kill();
      } else if (event.type === 'error') {
        settled = true;
        reject(new StudioError('internal', `training failed: ${event.message}`));
        worker.kill();
      } else {
        onEvent(event);
      }
    });
    worker.onExit((how) => {
      if (settled) return;
      settled = true;
      reject(new StudioError('internal', `the training process ended unexpectedly (${how})`));
    });
  });
  worker.send({ type: 'start', spec });
  return { pid: worker.pid, stop: () => worker.send({ type: 'stop' }), done };
}
