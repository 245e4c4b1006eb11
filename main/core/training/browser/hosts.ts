// The app's side of browser training hosts. Pages offer themselves over an offer socket (the studio
// page in browser mode; else a headless Chromium this module starts, so the CLI and the benchmarks
// can train on WebGPU/WebGL too); a run asks one of them to spawn a worker, then serves that
// worker's session: it relays its events like a training process's, decodes images with sharp and
// reads/writes model folders for it, and falls back to the Node host when no browser backend passes
// its self-test.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { StudioError } from '../../../shared/api';
import type { RunningWorker } from '../host';
import type { MetadataToSave } from '../host-io';
import type { TrainOutcome, WorkerEvent, WorkerSpec } from '../protocol';
import { hostScript, HOST_SCRIPTS, type HostScript } from './bundle';
import { HOST_PATH, OFFER_SOCKET, SESSION_SOCKET, type BrowserBackendName, type BrowserDevice, type HostCall, type OfferMessage, type SessionCommand, type SessionMessage, type TfFlags } from './protocol';
import { decodeFrame, encodeFrame } from './wire';

/** A browser context the app opened on the host page; close() ends it. */
export interface HostPage {
  close(): Promise<void>;
  /** Settles when it ends by itself (crash, killed), where that can be known. */
  exited?: Promise<void>;
}

/** Opens the host page at `url` where the app can: a headless Chromium (Node), a hidden window (Electron). */
export type OpenHostPage = (url: string) => HostPage | Promise<HostPage>;

export interface BrowserHostsOptions {
  /** How the app opens a host page when no page offers; default: a headless Chromium. */
  openPage?: OpenHostPage;
  /** Close the app's own host page after each run (a hidden window is made for its run). */
  closeAfterRun?: boolean;
  /** A Chromium or Chrome to start headless when no page offers; default: AUTOLEARN_CHROMIUM or a well-known install. null: never start one. */
  chromium?: string | null;
  /** Extra Chromium flags (default: AUTOLEARN_CHROMIUM_ARGS, space-separated), e.g. SwiftShader's. */
  chromiumArgs?: string[];
  /** TensorFlow.js flags for every run (tests force half-float textures with them). */
  flags?: TfFlags;
}

interface Offer {
  socket: WebSocket;
  devices: BrowserDevice[];
  userAgent: string;
  launched: boolean;
}

const WAIT_MS = 60_000;

/** The offering page went away before it started the run's worker. */
class OfferGone extends StudioError {
  constructor() {
    super('internal', 'the browser training host went away before starting its worker (page closed or browser crash)');
  }
}

const CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/microsoft-edge',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

export function findChromium(): string | null {
  const env = process.env['AUTOLEARN_CHROMIUM'];
  if (env) return existsSync(env) ? env : null;
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

/** A headless Chromium on the host page, with its own throw-away profile. */
export function openChromium(chromium: string, extraArgs: readonly string[], url: string): HostPage {
  const profile = mkdtempSync(join(tmpdir(), 'autolearn-chromium-'));
  const rootless = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : [];
  const args = ['--headless=new', '--disable-background-networking', '--no-first-run', '--enable-unsafe-webgpu', '--ignore-gpu-blocklist', `--user-data-dir=${profile}`, ...rootless, ...extraArgs, url];
  const child = spawn(chromium, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      // Chromium's helper processes (GPU, crash handler) outlive the browser process for a moment
      // and may still write into the profile: retry, and leave a temporary folder behind rather than
      // fail a run that is over.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // the OS clears its temporary folder
      }
    },
  };
}

const html = (token: string) =>
  `<!doctype html><meta charset="utf-8"><title>AutoLearn Studio training host</title><script type="module" src="${HOST_PATH}page.js?token=${encodeURIComponent(token)}"></script>\n`;

export class BrowserHosts {
  private readonly offers = new Set<Offer>();
  private readonly sessions = new Map<string, (socket: WebSocket) => void>();
  private readonly offerWaiters = new Set<() => void>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly chromium: string | null;
  private readonly chromiumArgs: string[];
  private own: { server: Server; origin: string; token: string } | null = null;
  private launched: HostPage | null = null;

  constructor(private readonly options: BrowserHostsOptions = {}) {
    this.chromium = options.chromium === undefined ? findChromium() : options.chromium;
    this.chromiumArgs = options.chromiumArgs ?? (process.env['AUTOLEARN_CHROMIUM_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  }

  /** Serves the host page and scripts under HOST_PATH (the caller checked the token). Returns false for other paths. */
  async handle(res: ServerResponse, pathname: string, token: string): Promise<boolean> {
    if (!pathname.startsWith(HOST_PATH)) return false;
    const name = pathname.slice(HOST_PATH.length);
    if (name === '' || name === 'index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html(token));
      return true;
    }
    if (!(name in HOST_SCRIPTS)) throw new StudioError('not_found', `not found: ${pathname}`);
    const data = await hostScript(name as HostScript);
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).end(data);
    return true;
  }

  /** Takes over offer and session sockets (the caller checked the token). Returns false for other paths. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === OFFER_SOCKET) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptOffer(ws));
      return true;
    }
    if (url.pathname === SESSION_SOCKET) {
      const take = this.sessions.get(url.searchParams.get('session') ?? '');
      if (!take) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return true;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => take(ws));
      return true;
    }
    return false;
  }

  private acceptOffer(socket: WebSocket): void {
    socket.once('message', (data) => {
      let m: OfferMessage;
      try {
        m = JSON.parse(String(data)) as OfferMessage;
      } catch {
        return socket.close(1003, 'an offer is one JSON message');
      }
      if (m.type !== 'offer' || !Array.isArray(m.devices)) return socket.close(1003, 'not an offer');
      const offer: Offer = { socket, devices: m.devices, userAgent: m.userAgent, launched: m.launched === true };
      this.offers.add(offer);
      socket.on('close', () => {
        this.offers.delete(offer);
        // The app's own page is gone (crash, GPU process lost, killed): clean it up; the next run opens another.
        if (offer.launched) void this.closeLaunched();
      });
      for (const wake of this.offerWaiters) wake();
    });
  }

  /**
   * GPU paths of the pages offering now (null: none offers). With `probe`, starts the headless
   * Chromium when none offers, to find out.
   */
  async devices(probe = false): Promise<BrowserDevice[] | null> {
    if (this.offers.size === 0) {
      if (!probe) return null;
      await this.offerFor([]);
    }
    const found = new Map<string, BrowserDevice>();
    for (const o of this.offers) for (const d of o.devices) if (!found.has(d.backend) || (found.get(d.backend)!.software && !d.software)) found.set(d.backend, d);
    return [...found.values()];
  }

  /** A page with one of `backends`, a person's page first (the GPU they sit at); else the headless Chromium, started if needed. */
  private async offerFor(backends: BrowserBackendName[]): Promise<Offer> {
    const pick = () => {
      const all = [...this.offers];
      return all.find((o) => !o.launched && o.devices.some((d) => backends.includes(d.backend))) ?? all.find((o) => o.launched);
    };
    const now = pick();
    if (now) return now;
    await this.launch();
    return new Promise<Offer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.offerWaiters.delete(wake);
        reject(new StudioError('internal', `the headless browser (${this.chromium}) did not offer to host training within ${WAIT_MS / 1000} s`, 'device'));
      }, WAIT_MS);
      const wake = () => {
        const o = pick();
        if (!o) return;
        clearTimeout(timer);
        this.offerWaiters.delete(wake);
        resolve(o);
      };
      this.offerWaiters.add(wake);
    });
  }

  /** Opens the app's own host page on its loopback server (CLI, tests, benchmarks, the desktop app). */
  private async launch(): Promise<void> {
    if (this.launched) return;
    const own = await this.listen();
    const open =
      this.options.openPage ??
      ((url: string) => {
        if (!this.chromium) throw new StudioError('invalid_input', 'no page offers to host training on its GPU and no Chromium or Chrome was found to start one; open the studio in a browser (npm run cli -- studio) or set AUTOLEARN_CHROMIUM', 'device');
        return openChromium(this.chromium, this.chromiumArgs, url);
      });
    const page = await open(`${own.origin}${HOST_PATH}?token=${own.token}`);
    // A browser that dies by itself lets a later run open a new one.
    page.exited?.then(() => {
      if (this.launched === page) this.launched = null;
    });
    this.launched = page;
  }

  private async listen(): Promise<{ origin: string; token: string }> {
    if (this.own) return this.own;
    const token = randomBytes(24).toString('base64url');
    const ok = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams.get('token') === token;
    const server = createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (!ok(req)) return void res.writeHead(401).end();
      this.handle(res, pathname, token).then(
        (served) => served || res.writeHead(404).end(),
        (err: unknown) => res.writeHead(500).end(StudioError.wrap(err).message),
      );
    });
    server.on('upgrade', (req, socket, head) => {
      if (!ok(req) || !this.upgrade(req, socket, head)) socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.own = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token };
    return this.own;
  }

  /**
   * Trains `spec` in a browser context on the first of `backends` that passes its self-test. When
   * none does, `fallback` (the Node host) trains it instead. Same contract as a training process.
   */
  start(spec: WorkerSpec, backends: BrowserBackendName[], onEvent: (e: WorkerEvent) => void, fallback: () => RunningWorker): RunningWorker {
    let current: { stop(): void } = { stop: () => (stopped = true) };
    let stopped = false;
    const run = async (): Promise<TrainOutcome> => {
      // A page that died just now may still be on the offer list: its socket closes while the app asks
      // it for a worker. Then ask again, which finds a live page or starts a new browser.
      let offer = await this.offerFor(backends);
      let socket: WebSocket;
      try {
        socket = await this.openSession(offer);
      } catch (err) {
        if (!(err instanceof OfferGone)) throw err;
        offer = await this.offerFor(backends);
        socket = await this.openSession(offer);
      }
      return new Promise<TrainOutcome>((resolve, reject) => {
        let settled = false;
        const finish = (f: () => void) => {
          if (settled) return;
          settled = true;
          f();
          socket.close();
        };
        const send = (m: SessionCommand) => socket.readyState === socket.OPEN && socket.send(encodeFrame(m));
        current = { stop: () => send({ type: 'stop' }) };
        socket.on('message', (data: Buffer) => {
          let m: SessionMessage;
          try {
            m = decodeFrame(data) as SessionMessage;
          } catch (err) {
            finish(() => reject(new StudioError('internal', `the browser training host sent an unreadable message (${(err as Error).message})`)));
            return;
          }
          if (m.type === 'call') {
            serve(m, spec).then(
              (value) => send({ type: 'reply', id: m.id, value }),
              (err: unknown) => send({ type: 'reply', id: m.id, error: StudioError.wrap(err).message }),
            );
          } else if (m.type === 'unusable') {
            finish(() => {
              onEvent({ type: 'log', level: 'warn', message: `no GPU backend of the browser passed its self-test; training on this computer's CPU instead` });
              const node = fallback();
              current = node;
              if (stopped) node.stop();
              node.done.then(resolve, reject);
            });
          } else if (m.type === 'done') finish(() => resolve(m.outcome));
          else if (m.type === 'error') finish(() => reject(new StudioError('internal', `training failed: ${m.message}`)));
          else onEvent(m);
        });
        socket.on('close', () => finish(() => reject(new StudioError('internal', 'the browser training host went away (page closed, GPU reset or browser crash)'))));
        send({ type: 'start', spec, backends, devices: offer.devices, pathSeparator: sep, ...(this.options.flags ? { flags: this.options.flags } : {}) });
        // Stopped while the page was starting its worker: the trainer stops at its first check, as a user stop.
        if (stopped) send({ type: 'stop' });
      });
    };
    const done = run().finally(() => (this.options.closeAfterRun ? this.closeLaunched() : undefined));
    return {
      pid: undefined,
      stop: () => {
        stopped = true;
        current.stop();
      },
      done,
    };
  }

  private openSession(offer: Offer): Promise<WebSocket> {
    const session = randomBytes(16).toString('base64url');
    return new Promise<WebSocket>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.sessions.delete(session);
        offer.socket.off('close', gone);
      };
      const timer = setTimeout(() => {
        settle();
        reject(new StudioError('internal', `the browser training host did not start its worker within ${WAIT_MS / 1000} s`, 'device'));
      }, WAIT_MS);
      const gone = () => {
        settle();
        reject(new OfferGone());
      };
      // Closed: its page is off the list already. Closing: its close event will take it off first.
      if (offer.socket.readyState === offer.socket.CLOSED) return gone();
      offer.socket.once('close', gone);
      this.sessions.set(session, (ws) => {
        settle();
        ws.binaryType = 'nodebuffer';
        resolve(ws);
      });
      offer.socket.send(JSON.stringify({ type: 'spawn', session }));
    });
  }

  private async closeLaunched(): Promise<void> {
    const page = this.launched;
    this.launched = null;
    await page?.close();
  }

  async close(): Promise<void> {
    for (const o of this.offers) o.socket.terminate();
    this.wss.close();
    await this.closeLaunched();
    if (this.own) {
      this.own.server.closeAllConnections();
      await new Promise<void>((resolve) => this.own!.server.close(() => resolve()));
      this.own = null;
    }
  }
}

/**
 * What the app does for a browser host: sharp decoding and model folders, as for its own processes,
 * but only on the run's own files: its images, its backbone or base model, folders in its run folder.
 */
async function serve(c: HostCall, spec: WorkerSpec): Promise<unknown> {
  const refuse = (what: string) => {
    throw new StudioError('invalid_input', `${c.method}: ${what} is not part of run ${spec.runId}`);
  };
  if (c.method === 'square' || c.method === 'letterbox') {
    if (!spec.images.some((i) => i.path === c.args[0])) refuse(`image ${c.args[0]}`);
  } else if (c.method === 'write') {
    if (dirname(resolve(c.args[0])) !== resolve(spec.runDir)) refuse(`folder ${c.args[0]}`);
  } else if (c.args[0] !== spec.backbone?.dir && c.args[0] !== spec.baseModel?.dir) {
    refuse(`model folder ${c.args[0]}`);
  }
  // Loaded on first use: it brings TensorFlow.js and sharp, which the app's start should not wait for.
  const { nodeHostIO } = await import('../node-io');
  switch (c.method) {
    case 'square':
      return nodeHostIO.images.square(...c.args);
    case 'letterbox':
      return nodeHostIO.images.letterbox(...c.args);
    case 'read':
      return nodeHostIO.models.read(...c.args);
    case 'readMetadata':
      return nodeHostIO.models.readMetadata(...c.args);
    case 'write':
      return nodeHostIO.models.write(c.args[0], c.args[1] as Parameters<typeof nodeHostIO.models.write>[1], c.args[2] as MetadataToSave);
  }
}
