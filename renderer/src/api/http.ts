import { API_METHODS, StudioError, type MediaKind, type StudioApi, type StudioClient, type StudioEvent } from '../../../main/shared/api';
import { offerTrainingHost } from '../../../main/core/training/browser/page';
import { EVENTS_PATH, MEDIA_PATH, RPC_PATH, TOKEN_HEADER, TOKEN_PARAM } from '../../../main/shared/transport';
import { parseErrorBody } from './errors';

const TOKEN_STORAGE_KEY = 'studio-token';
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;

/**
 * The token arrives once in the page URL; keep it for reloads and drop it from the address bar so it
 * does not end up in history, bookmarks or screenshots.
 */
function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete(TOKEN_PARAM);
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
}

function withToken(path: string, token: string): string {
  return token ? `${path}?${TOKEN_PARAM}=${encodeURIComponent(token)}` : path;
}

/**
 * Label edits flushed as the page closes or reloads must outlive it: a keepalive request does. The
 * browser caps all keepalive bodies in flight together at 64 KiB, so only small edits ask for it
 * (8 Ki characters are at most 24 KiB of UTF-8).
 */
const KEEPALIVE_METHODS = new Set(['saveAnnotation', 'submitImage']);
const KEEPALIVE_MAX_CHARS = 8 * 1024;

async function rpc(method: string, args: unknown[], token: string): Promise<unknown> {
  let response: Response;
  const body = JSON.stringify({ args });
  try {
    response = await fetch(RPC_PATH + method, {
      method: 'POST',
      // Without a token of its own the page still has the server's cookie; an empty header would override it.
      headers: token ? { 'content-type': 'application/json', [TOKEN_HEADER]: token } : { 'content-type': 'application/json' },
      body,
      keepalive: KEEPALIVE_METHODS.has(method) && body.length <= KEEPALIVE_MAX_CHARS,
    });
  } catch (error) {
    throw new StudioError('io_error', `The studio server cannot be reached (${String(error)})`);
  }
  const reply: unknown = await response.json().catch(() => null);
  const error = parseErrorBody(reply);
  if (error) throw error;
  if (response.status === 401) {
    throw new StudioError('invalid_input', 'Not authorized: open the URL printed by the studio command, token included');
  }
  if (!response.ok || typeof reply !== 'object' || reply === null) {
    throw new StudioError('internal', `${method}: unexpected HTTP ${response.status} response`);
  }
  return (reply as { result?: unknown }).result;
}

/** One forwarding function per API method, none written by hand. */
function rpcApi(token: string): StudioApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of API_METHODS) {
    api[method] = (...args) => rpc(method, args, token);
  }
  return api as unknown as StudioApi;
}

/** One WebSocket shared by all listeners, open while anyone listens, reconnecting with backoff. */
class EventStream {
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private socket: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay = RECONNECT_MIN_MS;
  private connectedBefore = false;

  constructor(private readonly url: string) {}

  subscribe(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  private emit(event: StudioEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryDelay = RECONNECT_MIN_MS;
      // Events may have been missed while disconnected: have every view refetch.
      if (this.connectedBefore) {
        this.emit({ type: 'instances-changed' });
        this.emit({ type: 'datasets-changed', datasetId: null });
      }
      this.connectedBefore = true;
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      try {
        this.emit(JSON.parse(message.data) as StudioEvent);
      } catch {
        // A malformed frame is not worth dropping the connection for.
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, RECONNECT_MAX_MS);
    };
  }

  private disconnect(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}

export function createHttpClient(): StudioClient {
  const token = takeToken();
  const wsProtocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const events = new EventStream(withToken(`${wsProtocol}//${window.location.host}${EVENTS_PATH}`, token));
  // In a browser, this page can train on this computer's GPU (WebGPU/WebGL) when a run asks for it.
  void offerTrainingHost(window.location.origin, token || undefined).catch(() => undefined);
  return {
    ...rpcApi(token),
    subscribe: (listener) => events.subscribe(listener),
    mediaUrl: (kind: MediaKind, imageId: number) => withToken(`${MEDIA_PATH}${kind}/${imageId}`, token),
    pickFolder: null,
  };
}
