// The browser training host: a dedicated worker of a page that offered to host runs. It trains one
// run with the same trainer code as the Node training process, on WebGPU or WebGL (after the
// self-test), and asks the app for decoded images and model folders over its session socket.

import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import type * as tf from '@tensorflow/tfjs-core';
import { trainClassifier } from '../classification/train';
import { trainDetector } from '../detection/train';
import type { HostIO, MetadataToSave } from '../host-io';
import type { Letterboxed } from '../detection/images';
import type { ModelMetadata } from '../model-format';
import type { TrainerIO, WorkerEvent } from '../protocol';
import { SESSION_SOCKET, type HostCall, type SessionCommand, type SessionMessage } from './protocol';
import { applyFlags, chooseBrowserBackend } from './self-test';
import { decodeFrame, encodeFrame } from './wire';

const params = new URL(self.location.href).searchParams;
const url = new URL(SESSION_SOCKET, self.location.href);
url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
url.searchParams.set('session', params.get('session') ?? '');
if (params.get('token')) url.searchParams.set('token', params.get('token')!);

const socket = new WebSocket(url);
socket.binaryType = 'arraybuffer';
const send = (m: SessionMessage) => socket.send(encodeFrame(m));

const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let nextCall = 1;
function call<T>(c: HostCall): Promise<T> {
  const id = nextCall++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ type: 'call', id, ...c });
  });
}

let stop = false;
let started = false;
socket.onmessage = (e) => {
  const m = decodeFrame(e.data as ArrayBuffer) as SessionCommand;
  if (m.type === 'reply') {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.value);
  } else if (m.type === 'stop') {
    stop = true;
  } else if (!started) {
    started = true;
    run(m).finally(() => socket.close());
  }
};
socket.onclose = () => {
  // The app went away (or the run ended): nothing left to report to.
  stop = true;
  self.close();
};

async function run(start: Extract<SessionCommand, { type: 'start' }>): Promise<void> {
  try {
    applyFlags(start.flags);
    // The page probed its devices when it offered; a second WebGPU adapter here would not be tfjs's.
    const { report, results } = await chooseBrowserBackend(start.backends, start.devices);
    for (const r of results) send({ type: 'log', level: r.ok ? 'info' : 'warn', message: `self-test ${r.detail}` });
    if (!report) {
      send({ type: 'unusable', reasons: results.map((r) => r.detail) });
      return;
    }
    const host: HostIO = {
      initBackend: async () => report,
      images: {
        square: (path, size) => call<Uint8Array>({ method: 'square', args: [path, size] }),
        letterbox: (path, size) => call<Letterboxed>({ method: 'letterbox', args: [path, size] }),
      },
      models: {
        dir: (parent, name) => `${parent}${start.pathSeparator}${name}`,
        read: (dir) => call<tf.io.ModelArtifacts>({ method: 'read', args: [dir] }),
        readMetadata: (dir) => call<ModelMetadata>({ method: 'readMetadata', args: [dir] }),
        write: (dir, artifacts, meta: MetadataToSave) => call<number>({ method: 'write', args: [dir, artifacts, meta] }),
      },
    };
    const io: TrainerIO = { ...host, emit: (event: WorkerEvent) => send(event), stopRequested: () => stop };
    const outcome = start.spec.type === 'detection' ? await trainDetector(start.spec, io) : await trainClassifier(start.spec, io);
    send({ type: 'done', outcome });
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}
