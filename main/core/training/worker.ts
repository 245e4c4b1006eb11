// Entry point of the training process (child_process.fork under Node, utilityProcess under
// Electron). tfjs runs here, never in the app's own process, so a crash or an out-of-memory in
// training cannot take the app down.

import { StudioError } from '../../shared/api';
import { trainClassifier } from './classification/train';
import { trainDetector } from './detection/train';
import { trainOcr } from './ocr/train';
import { nodeHostIO } from './node-io';
import type { HostMessage, WorkerEvent } from './protocol';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(event: WorkerEvent): void {
  if (parentPort) parentPort.postMessage(event);
  else process.send?.(event);
}

function onMessage(listener: (m: HostMessage) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as HostMessage));
  else process.on('message', (m) => listener(m as HostMessage));
}

let stop = false;
let started = false;
onMessage((message) => {
  if (message.type === 'stop') {
    stop = true;
    return;
  }
  if (started) return;
  started = true;
  const io = { ...nodeHostIO, emit: send, stopRequested: () => stop };
  const training = message.spec.type === 'detection' ? trainDetector(message.spec, io) : message.spec.type === 'ocr' ? trainOcr(message.spec, io) : trainClassifier(message.spec, io);
  training.then(
    (outcome) => send({ type: 'done', outcome }),
    (err: unknown) => send({ type: 'error', message: StudioError.wrap(err).message }),
  );
});

// An orphaned trainer (its app killed) has no one to report to.
process.on('disconnect', () => process.exit(0));
