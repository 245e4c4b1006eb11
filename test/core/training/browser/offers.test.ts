// The app's side of the browser host, without a browser: pages that offer are listed by their
// devices, a closed page is forgotten, a malformed offer is refused without harm, and a session
// (played here by the test, as a worker would) gets the run's own images decoded and nothing else.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BrowserHosts } from '../../../../main/core/training/browser/hosts';
import { OFFER_SOCKET, SESSION_SOCKET, type OfferCommand, type OfferMessage } from '../../../../main/core/training/browser/offer';
import type { SessionCommand, SessionMessage } from '../../../../main/core/training/browser/protocol';
import { decodeFrame, encodeFrame } from '../../../../main/core/training/browser/wire';
import type { WorkerSpec } from '../../../../main/core/training/protocol';

let hosts: BrowserHosts;
let server: Server;
let url = '';

beforeEach(async () => {
  hosts = new BrowserHosts({ chromium: null });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!hosts.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${OFFER_SOCKET}`;
});

afterEach(async () => {
  await hosts.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const open = async (): Promise<WebSocket> => {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
};

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('training host offers', () => {
  it('lists what offering pages found, the better of two per backend, and forgets a page that closes', async () => {
    expect(await hosts.devices()).toBeNull();
    const soft = await open();
    soft.send(JSON.stringify({ type: 'offer', launched: true, userAgent: 'HeadlessChrome', devices: [{ backend: 'webgl', name: 'SwiftShader Device', software: true }] } satisfies OfferMessage));
    const real = await open();
    real.send(JSON.stringify({ type: 'offer', launched: false, userAgent: 'Chrome', devices: [{ backend: 'webgl', name: 'NVIDIA GeForce RTX 4070', software: false }, { backend: 'webgpu', name: 'NVIDIA GeForce RTX 4070', software: false }] } satisfies OfferMessage));
    await until(async () => (await hosts.devices())?.length === 2);
    const found = await hosts.devices();
    expect(found).toEqual(expect.arrayContaining([{ backend: 'webgl', name: 'NVIDIA GeForce RTX 4070', software: false }, { backend: 'webgpu', name: 'NVIDIA GeForce RTX 4070', software: false }]));
    real.close();
    await until(async () => (await hosts.devices())?.length === 1);
    expect(await hosts.devices()).toEqual([{ backend: 'webgl', name: 'SwiftShader Device', software: true }]);
    soft.close();
    await until(async () => (await hosts.devices()) === null);
    expect(await hosts.devices()).toBeNull();
  });

  it('refuses a malformed offer with a close code and keeps serving', async () => {
    const bad = await open();
    const closed = new Promise<number>((resolve) => bad.once('close', (code) => resolve(code)));
    bad.send('not json');
    expect(await closed).toBe(1003);
    expect(await hosts.devices()).toBeNull();
    const good = await open();
    good.send(JSON.stringify({ type: 'offer', launched: false, userAgent: 'Chrome', devices: [] } satisfies OfferMessage));
    await until(async () => (await hosts.devices()) !== null);
    expect(await hosts.devices()).toEqual([]);
    good.close();
  });

  it('serves a session the run’s own images, refuses other files, and relays its events and outcome', async () => {
    const root = await mkdtemp(join(tmpdir(), 'host-session-'));
    try {
      const image = join(root, 'red.png');
      await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toFile(image);
      const spec: WorkerSpec = { runId: 7, type: 'classification', runDir: join(root, 'run'), algorithm: 'fast', device: 'webgl', seed: 1, budgetMs: 60_000, hpo: false, labels: ['red', 'x'], images: [{ path: image, label: 'red', split: 'train' }], backbone: null, baseModel: null };
      const page = await open();
      page.send(JSON.stringify({ type: 'offer', launched: false, userAgent: 'Chrome', devices: [{ backend: 'webgl', name: 'GPU', software: false }] } satisfies OfferMessage));
      // The page is told to spawn a worker; the test connects as that worker.
      const spawn = new Promise<OfferCommand>((resolve) => page.once('message', (d) => resolve(JSON.parse(String(d)) as OfferCommand)));
      await until(async () => (await hosts.devices()) !== null);
      const events: string[] = [];
      const run = hosts.start(spec, ['webgl'], (e) => events.push(e.type === 'log' ? e.message : e.type), () => {
        throw new Error('no fallback expected');
      });
      const { session } = await spawn;
      const worker = new WebSocket(`${url.replace(OFFER_SOCKET, SESSION_SOCKET)}?session=${session}`);
      const inbox: SessionCommand[] = [];
      worker.on('message', (d: Buffer) => inbox.push(decodeFrame(d) as SessionCommand));
      await new Promise((resolve) => worker.once('open', resolve));
      const next = async (): Promise<SessionCommand> => {
        await until(async () => inbox.length > 0);
        return inbox.shift()!;
      };
      const send = (m: SessionMessage) => worker.send(encodeFrame(m));
      expect(await next()).toMatchObject({ type: 'start', spec: { runId: 7 }, backends: ['webgl'] });

      send({ type: 'call', id: 1, method: 'square', args: [image, 4] });
      const pixels = await next();
      expect(pixels).toMatchObject({ type: 'reply', id: 1 });
      const value = (pixels as { value: Uint8Array }).value;
      expect(value).toBeInstanceOf(Uint8Array);
      expect(value.length).toBe(4 * 4 * 3);
      expect(value[0]).toBeGreaterThan(150);

      send({ type: 'call', id: 2, method: 'square', args: [join(root, '..', 'elsewhere.png'), 4] });
      expect(await next()).toMatchObject({ type: 'reply', id: 2, error: expect.stringMatching(/is not part of run 7/) });
      send({ type: 'call', id: 3, method: 'write', args: [join(root, 'outside'), {}, {}] });
      expect(await next()).toMatchObject({ type: 'reply', id: 3, error: expect.stringMatching(/folder .* is not part of run 7/) });
      send({ type: 'call', id: 4, method: 'read', args: [root] });
      expect(await next()).toMatchObject({ type: 'reply', id: 4, error: expect.stringMatching(/model folder .* is not part of run 7/) });

      send({ type: 'log', level: 'info', message: 'hello from the worker' });
      send({ type: 'done', outcome: { stopReason: 'completed', modelDir: null, metrics: null, epochs: 0, params: {}, inputSize: 4, backbone: null } });
      await expect(run.done).resolves.toMatchObject({ stopReason: 'completed' });
      expect(events).toContain('hello from the worker');
      page.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('asks another page when the one asked for a worker closes first (a page that died just before the run)', async () => {
    const offer = async (backend: 'webgl' | 'webgpu') => {
      const page = await open();
      page.send(JSON.stringify({ type: 'offer', launched: false, userAgent: 'Chrome', devices: [{ backend, name: 'GPU', software: false }] } satisfies OfferMessage));
      const spawned = new Promise<OfferCommand>((resolve) => page.once('message', (d) => resolve(JSON.parse(String(d)) as OfferCommand)));
      return { page, spawned };
    };
    const dying = await offer('webgl');
    const live = await offer('webgpu');
    await until(async () => (await hosts.devices())?.length === 2);
    const spec: WorkerSpec = { runId: 8, type: 'classification', runDir: join(tmpdir(), 'unused-run'), algorithm: 'fast', device: 'webgl', seed: 1, budgetMs: 60_000, hpo: false, labels: ['a', 'b'], images: [], backbone: null, baseModel: null };
    const run = hosts.start(spec, ['webgl', 'webgpu'], () => undefined, () => {
      throw new Error('no fallback expected');
    });
    // The first page is asked for a worker and goes away instead of starting one.
    await dying.spawned;
    dying.page.terminate();
    const { session } = await live.spawned;
    const worker = new WebSocket(`${url.replace(OFFER_SOCKET, SESSION_SOCKET)}?session=${session}`);
    await new Promise((resolve) => worker.once('open', resolve));
    worker.send(encodeFrame({ type: 'done', outcome: { stopReason: 'completed', modelDir: null, metrics: null, epochs: 0, params: {}, inputSize: 4, backbone: null } } satisfies SessionMessage));
    await expect(run.done).resolves.toMatchObject({ stopReason: 'completed' });
    live.page.close();
  });

  it('says why when no page offers and no Chromium can be started', async () => {
    await expect(hosts.devices(true)).rejects.toThrow(/no Chromium or Chrome was found/);
  });
});
