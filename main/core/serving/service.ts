// The EAS-compatible prediction service (seed 004 步骤六): `POST /api/predict/<name>` with the raw
// token in `Authorization`, answered exactly like an AutoLearning model deployed on PAI-EAS.
// The same code runs in `serve` (the studio) and in the exported processor (./processor.ts).
//
// Protection, in the order a request meets it:
//   - the whole request (headers + body) must arrive within requestTimeoutMs (slow clients: 408);
//   - `GET /health` is the only path served without the token (EAS health probes carry none);
//     anything else without the right token gets 401 and nothing more, not even a 404;
//   - only the exact path /api/predict/<name> exists: no decoding, no normalising, so `..`,
//     encoded slashes and other names are 404;
//   - bodies over maxBodyBytes are refused from Content-Length before reading, or as soon as the
//     streamed count passes the limit (413 with 1001);
//   - at most queueSize requests are read, decoded, waiting or in the model at once; more get
//     2002 at once, unread, instead of piling up (EAS answers a full queue so, with its own 450);
//   - images that wait together go through the model together (./batcher.ts).
// close() stops accepting connections, answers every request that reaches it meanwhile, then
// closes the connections.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StudioError } from '../../shared/api';
import { Batcher, type BatchStats } from './batcher';
import { EAS_ERROR_STATUS, EasError, errorBody, parseRequest, successBody, type EasErrorCode } from './protocol';
import type { ModelRuntime } from './runtime';

export const DEFAULTS = {
  host: '127.0.0.1',
  /** EAS's image deployments must not use 8080 or 9090; the PAI SDK's default is 8000. */
  port: 8000,
  maxBodyBytes: 20 * 1024 * 1024,
  /** EAS's rpc.max_queue_size default. */
  queueSize: 64,
  /** EAS's rpc.max_batch_size default. */
  maxBatch: 16,
  requestTimeoutMs: 30_000,
  /** EAS's eas.termination_grace_period default. */
  graceMs: 30_000,
} as const;

const SERVICE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** After the last answer, how long close() waits for requests already on their way over open connections. */
const SETTLE_MS = 100;

/** Why `name` cannot be an EAS service name, or null. */
export function serviceNameProblem(name: string): string | null {
  return SERVICE_NAME.test(name) ? null : `service name "${name}" must be 1–64 lowercase letters, digits or _, starting with a letter (EAS service names)`;
}

/** A valid EAS service name made from a model's name: "swatches-1" → "swatches_1". */
export function defaultServiceName(model: { name: string; id: number }): string {
  let name = model.name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(name)) name = `model_${name || model.id}`;
  return name.slice(0, 64).replace(/_+$/, '');
}

export interface EasServiceOptions {
  runtime: Pick<ModelRuntime, 'decode' | 'forward'>;
  name: string;
  /** The token callers send in `Authorization`; null serves without one (behind EAS's gateway, which checks it). */
  token: string | null;
  host?: string;
  /** 0: any free port. */
  port?: number;
  maxBodyBytes?: number;
  queueSize?: number;
  maxBatch?: number;
  requestTimeoutMs?: number;
  /** One line per refused or failed request. */
  log?: (line: string) => void;
}

export interface EasServiceStats {
  requests: number;
  ok: number;
  /** Answers by HTTP status other than 200 (401, 404, 408, 413…) and by EAS error code. */
  status: Record<string, number>;
  errors: Partial<Record<EasErrorCode, number>>;
  batching: BatchStats;
  inFlight: number;
}

export interface EasService {
  name: string;
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  /** url + /api/predict/<name> */
  endpoint: string;
  stats(): EasServiceStats;
  /** Stops accepting, finishes the requests in flight (at most graceMs), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

export async function startEasService(opts: EasServiceOptions): Promise<EasService> {
  const problem = serviceNameProblem(opts.name);
  if (problem) throw new StudioError('invalid_input', problem, 'name');
  if (opts.token !== null && opts.token.length === 0) throw new StudioError('invalid_input', 'the token must not be empty', 'token');
  const host = opts.host ?? DEFAULTS.host;
  const maxBody = opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const queueSize = opts.queueSize ?? DEFAULTS.queueSize;
  const maxBatch = opts.maxBatch ?? DEFAULTS.maxBatch;
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  for (const [field, v] of Object.entries({ maxBodyBytes: maxBody, queueSize, maxBatch, requestTimeoutMs: requestTimeout })) {
    if (!Number.isInteger(v) || v < 1) throw new StudioError('invalid_input', `${field} must be a positive integer (got ${v})`, field);
  }
  const predictPath = `/api/predict/${opts.name}`;
  const token = opts.token === null ? null : Buffer.from(opts.token);
  const batcher = new Batcher((images) => opts.runtime.forward(images), maxBatch);
  const stats: EasServiceStats = { requests: 0, ok: 0, status: {}, errors: {}, batching: batcher.stats, inFlight: 0 };
  let draining = false;
  let active = 0;
  let idle: (() => void) | null = null;

  const server = createServer(
    {
      // Node answers 408 and closes a connection whose request is not complete in time; it checks every interval.
      requestTimeout: requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.max(20, Math.min(1000, Math.floor(requestTimeout / 4))),
    },
    (req, res) => {
      active++;
      stats.requests++;
      res.on('close', () => {
        active--;
        if (active === 0) idle?.();
      });
      handle(req, res).catch((err: unknown) => fail(req, res, err instanceof EasError ? err : new EasError('2001', StudioError.wrap(err).message)));
    },
  );

  function authorized(req: IncomingMessage): boolean {
    if (token === null) return true;
    const given = req.headers.authorization;
    if (typeof given !== 'string') return false;
    const g = Buffer.from(given);
    return g.length === token.length && timingSafeEqual(g, token);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const query = raw.indexOf('?');
    const path = query < 0 ? raw : raw.slice(0, query);
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return plain(req, res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
      return send(req, res, draining ? 503 : 200, JSON.stringify({ status: draining ? 'stopping' : 'ok' }));
    }
    if (!authorized(req)) return plain(req, res, 401, 'Unauthorized');
    if (path !== predictPath) return plain(req, res, 404, 'Not Found');
    if (req.method !== 'POST') return plain(req, res, 405, 'Method Not Allowed', { allow: 'POST' });
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBody) {
      return refuseBody(req, res, `request body of ${declared} bytes is over the ${maxBody}-byte limit`);
    }
    // Admitted before its body is read: a full queue costs no buffering.
    if (stats.inFlight >= queueSize) throw new EasError('2002', `the request queue is full (${queueSize} requests in flight)`);
    stats.inFlight++;
    try {
      const body = await readBody(req, maxBody);
      if (body === null) return refuseBody(req, res, `request body is over the ${maxBody}-byte limit`);
      const image = parseRequest(body);
      const decoded = await opts.runtime.decode(image, 'dataArray image');
      const result = await batcher.submit(decoded);
      stats.ok++;
      send(req, res, 200, successBody(result));
    } finally {
      stats.inFlight--;
    }
  }

  function fail(req: IncomingMessage, res: ServerResponse, err: EasError): void {
    stats.errors[err.code] = (stats.errors[err.code] ?? 0) + 1;
    opts.log?.(`${err.code} ${req.method} ${req.url}: ${err.detail}`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    // The reason, for people: the body stays exactly the seed's.
    res.setHeader('x-eas-error-detail', headerSafe(err.detail));
    send(req, res, EAS_ERROR_STATUS[err.code], errorBody(err.code));
  }

  function refuseBody(req: IncomingMessage, res: ServerResponse, detail: string): void {
    stats.errors['1001'] = (stats.errors['1001'] ?? 0) + 1;
    opts.log?.(`1001 ${req.method} ${req.url}: ${detail}`);
    res.setHeader('x-eas-error-detail', headerSafe(detail));
    send(req, res, 413, errorBody('1001'), true);
  }

  function plain(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    send(req, res, status, `${text}\n`, false, 'text/plain; charset=utf-8');
  }

  function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, close = false, type = 'application/json; charset=utf-8'): void {
    if (status !== 200) stats.status[status] = (stats.status[status] ?? 0) + 1;
    // A body not read to the end (401, 404, 413…) would be parsed as the next request: close instead.
    if (close || draining || !req.complete) res.setHeader('connection', 'close');
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StudioError(err.code === 'EADDRINUSE' ? 'conflict' : 'io_error', `cannot listen on ${host}:${opts.port ?? DEFAULTS.port}: ${err.message}`, 'port')),
    );
    server.listen(opts.port ?? DEFAULTS.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    name: opts.name,
    host,
    port,
    url,
    endpoint: `${url}${predictPath}`,
    stats: () => ({ ...stats, status: { ...stats.status }, errors: { ...stats.errors }, batching: { ...batcher.stats } }),
    close(graceMs = DEFAULTS.graceMs) {
      closing ??= (async () => {
        draining = true;
        // No new connections; requests on open ones are still answered (with Connection: close).
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const deadline = Date.now() + graceMs;
        // Done when nothing has been in progress for a moment (bytes already sent on an open
        // connection get the chance to arrive and be answered), or when the grace time is over.
        let quietSince = active === 0 ? Date.now() : Infinity;
        while (Date.now() < deadline && (active > 0 || Date.now() - quietSince < SETTLE_MS)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, active > 0 ? Math.max(0, deadline - Date.now()) : SETTLE_MS / 5);
            idle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          idle = null;
          if (active === 0 && quietSince === Infinity) quietSince = Date.now();
          else if (active > 0) quietSince = Infinity;
        }
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

/** Reads the body, counting as it streams; null as soon as it passes `limit` (the rest is never buffered). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(new EasError('1001', `reading the request body failed: ${err.message}`));
    };
    // The client went away, or Node closed a request that took longer than requestTimeout.
    const onClose = () => onError(new Error('the connection closed before the body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}
