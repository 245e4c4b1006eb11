// What the preload exposes as `window.studio`, and the page-side adapter that turns it into a
// StudioClient. Imports only main/shared, so the renderer can bundle it.
//
// Why replies travel as envelopes instead of rejected promises: contextBridge copies an Error
// thrown in the preload by message only, dropping `code` and `field`, and `instanceof StudioError`
// could not hold across worlds anyway. So the bridge resolves with `{result}` / `{error}` and
// `clientFromBridge` rethrows a real StudioError in the page's own world.

import {
  API_METHODS,
  StudioError,
  type ApiErrorInfo,
  type ApiMethod,
  type MediaKind,
  type StudioApi,
  type StudioClient,
  type StudioEvent,
} from '../main/shared/api';
import { MEDIA_SCHEME } from '../main/shared/transport';

/** Base of the media URLs: `${MEDIA_BASE}<thumb|image>/<imageId>`. */
export const MEDIA_BASE = `${MEDIA_SCHEME}://media/`;

/** IPC channel of the native folder picker (Electron only, so not part of the shared transport). */
export const IPC_PICK_FOLDER = 'studio:pickFolder';

export type ApiReply<T = unknown> = { result: T } | { error: ApiErrorInfo };

export type BridgeMethods = {
  [M in ApiMethod]: (...args: Parameters<StudioApi[M]>) => Promise<ApiReply<Awaited<ReturnType<StudioApi[M]>>>>;
};

/** The shape of `window.studio` in Electron. */
export interface PreloadStudio extends BridgeMethods {
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: StudioEvent) => void): () => void;
  pickFolder(): Promise<string | null>;
  mediaBase: string;
}

/** Call from the renderer: `const client = clientFromBridge(window.studio)`. */
export function clientFromBridge(bridge: PreloadStudio): StudioClient {
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const call = bridge[method] as (...a: unknown[]) => Promise<ApiReply>;
        const reply = await call(...args);
        if ('error' in reply) throw StudioError.from(reply.error);
        return reply.result;
      },
    ]),
  ) as unknown as StudioApi;
  return {
    ...api,
    subscribe: (listener) => bridge.subscribe(listener),
    mediaUrl: (kind: MediaKind, imageId: number) => `${bridge.mediaBase}${kind}/${imageId}`,
    pickFolder: () => bridge.pickFolder(),
  };
}
