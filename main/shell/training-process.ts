// Training processes in the desktop app: Electron's utilityProcess (a Node child the app owns,
// with a MessagePort to it); the core's child_process spawner is for plain Node.

import { utilityProcess } from 'electron';
import type { SpawnWorker } from '../core/training/host';
import type { WorkerEvent } from '../core/training/protocol';

export const utilityWorker: SpawnWorker = (entry) => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'AutoLearn training', stdio: 'inherit' });
  let exited = false;
  child.on('exit', () => (exited = true));
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => child.on('message', (m) => l(m as WorkerEvent)),
    onExit: (l) => child.on('exit', (code) => l(`exit code ${code}`)),
    kill: () => {
      if (!exited) child.kill();
    },
  };
};
