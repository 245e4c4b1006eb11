import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { StudioError, isApiMethod, type MediaKind } from '../../shared/api';
import { EVENTS_PATH, MEDIA_PATH, RPC_PATH, TOKEN_COOKIE, TOKEN_HEADER, TOKEN_PARAM } from '../../shared/transport';
import type { Studio } from '../studio';

export interface StudioServerOptions {
  studio: Studio;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
}

export interface StudioServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The browser mode: the renderer and the same StudioApi over HTTP + WebSocket. Every request needs the
 * session token (header, cookie or query); only the renderer's files and indexed images can be read.
 */
export async function startStudioServer(opts: StudioServerOptions): Promise<StudioServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });

  const authorized = (req: IncomingMessage): boolean => {
    const url = new URL(req.url ?? '/', 'http://x');
    const given = req.headers[TOKEN_HEADER] ?? url.searchParams.get(TOKEN_PARAM) ?? cookie(req, TOKEN_COOKIE);
    return typeof given === 'string' && safeEqual(given, token);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!authorized(req)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('401: missing or wrong studio token\n');
      return;
    }
    if (url.pathname.startsWith(RPC_PATH)) return rpc(req, res, url.pathname.slice(RPC_PATH.length));
    if (url.pathname.startsWith(MEDIA_PATH)) return media(res, url.pathname.slice(MEDIA_PATH.length));
    // The browser training host's page and scripts (this page's workers train on its GPU).
    if (await opts.studio.trainingHosts.handle(res, url.pathname, token)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    return serveStatic(res, url.pathname);
  }

  async function rpc(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') throw new StudioError('invalid_input', 'API calls use POST');
    // Browsers send Origin on cross-site POSTs; refuse other sites even if they learnt the token.
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) throw new StudioError('invalid_input', `cross-origin call from ${origin} refused`);
    if (!isApiMethod(method)) throw new StudioError('not_found', `no API method "${method}"`, 'method');
    const body = await readBody(req);
    let args: unknown;
    try {
      args = body.length ? (JSON.parse(body.toString('utf8')) as { args?: unknown }).args ?? [] : [];
    } catch {
      throw new StudioError('invalid_input', 'request body is not valid JSON', 'body');
    }
    if (!Array.isArray(args)) throw new StudioError('invalid_input', '"args" must be an array', 'args');
    const fn = opts.studio[method] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(opts.studio, args);
    sendJson(res, 200, { result: result ?? null });
  }

  async function media(res: ServerResponse, rest: string): Promise<void> {
    const [kind, id] = rest.split('/');
    if ((kind !== 'thumb' && kind !== 'image') || !id || !/^\d+$/.test(id)) throw new StudioError('not_found', `no media at ${rest}`);
    const file = await opts.studio.readMedia(kind as MediaKind, Number(id));
    res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' });
    res.end(file.data);
  }

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    if (rel.split(sep).includes('..')) throw new StudioError('not_found', 'not found');
    let file = join(opts.rendererDir, rel || 'index.html');
    let data = await readFile(file).catch(() => null);
    if (!data) {
      // Client-side routes fall back to the app shell; missing assets stay 404.
      if (extname(rel)) throw new StudioError('not_found', `not found: ${pathname}`);
      file = join(opts.rendererDir, 'index.html');
      data = await readFile(file);
    }
    const headers: Record<string, string> = {
      'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
    };
    if (file.endsWith('.html')) {
      headers['content-security-policy'] = CSP;
      headers['cache-control'] = 'no-store';
      // Lets <img> and the WebSocket authenticate without putting the token in every URL.
      headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(200, headers).end(data);
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (authorized(req) && opts.studio.trainingHosts.upgrade(req, socket, head)) return;
    if (url.pathname !== EVENTS_PATH || !authorized(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const unsubscribe = opts.studio.subscribe((e) => ws.send(JSON.stringify(e)));
      ws.on('close', unsubscribe);
      ws.on('error', unsubscribe);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?${TOKEN_PARAM}=${token}`,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new StudioError('invalid_input', `request body over ${MAX_BODY_BYTES} bytes`, 'body');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StudioError('invalid_input', `request body over ${MAX_BODY_BYTES} bytes`, 'body');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const STATUS: Record<string, number> = { invalid_input: 400, not_found: 404, conflict: 409, cancelled: 409, io_error: 500, internal: 500 };

function sendError(res: ServerResponse, err: unknown): void {
  const e = StudioError.wrap(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, STATUS[e.code] ?? 500, { error: e.toJSON() });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
