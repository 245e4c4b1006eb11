// The app's side of offers, without a browser: pages that offer are listed by their devices, a
// closed page is forgotten, and a malformed offer is refused without harm.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BrowserHosts } from '../../../../main/core/training/browser/hosts';
import { OFFER_SOCKET, type OfferMessage } from '../../../../main/core/training/browser/offer';

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

  it('says why when no page offers and no Chromium can be started', async () => {
    await expect(hosts.devices(true)).rejects.toThrow(/no Chromium or Chrome was found/);
  });
});
