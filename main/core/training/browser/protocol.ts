// The browser training host's messages. A page that can host runs (the studio page in a browser,
// a hidden Electron window, a headless Chromium the app starts) keeps an "offer" connection open
// and is told when to start a run; the run itself happens in a dedicated worker of that page, over
// its own "session" connection. The session speaks the Node training process's WorkerEvents, plus
// calls to the app for what a browser cannot do (sharp decoding, model folders on disk).

import type { BackendReport } from '../../../shared/api';
import type { WorkerEvent, WorkerSpec } from '../protocol';
import type { BrowserBackendName, BrowserDevice } from './offer';

export * from './offer';

/** Debug switches for the self-test's own tests (e.g. force half-float textures on WebGL). */
export type TfFlags = Record<string, boolean | number>;

/** Session: app → worker. */
export type SessionCommand =
  | { type: 'start'; spec: WorkerSpec; backends: BrowserBackendName[]; devices: BrowserDevice[]; pathSeparator: string; flags?: TfFlags }
  | { type: 'stop' }
  | { type: 'reply'; id: number; value?: unknown; error?: string };

/** What the app does for the worker. */
export type HostCall =
  | { method: 'square'; args: [path: string, size: number] }
  | { method: 'letterbox'; args: [path: string, size: number] }
  | { method: 'read'; args: [dir: string] }
  | { method: 'readMetadata'; args: [dir: string] }
  | { method: 'write'; args: [dir: string, artifacts: unknown, meta: unknown] };

/** Session: worker → app. */
export type SessionMessage =
  | WorkerEvent
  | ({ type: 'call'; id: number } & HostCall)
  /** No browser backend passed its self-test: the app trains on its own (Node) host instead. */
  | { type: 'unusable'; reasons: string[] };

export interface SelfTestResult {
  backend: BrowserBackendName;
  ok: boolean;
  /** What failed, or what was compared. */
  detail: string;
  report?: BackendReport;
}
