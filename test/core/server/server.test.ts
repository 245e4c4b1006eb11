import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { startStudioServer, type StudioServer } from '../../../main/core/server/server';
import { jpeg, tempDir } from '../../helpers/fixtures';

let studio: Studio;
let server: StudioServer;
let base: string;
const ws = tempDir('ws-srv-');
const renderer = tempDir('renderer-');
const data = tempDir('data-');

beforeAll(async () => {
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>studio</title>');
  mkdirSync(join(renderer.dir, 'assets'));
  writeFileSync(join(renderer.dir, 'assets', 'app.js'), 'console.log(1)');
  mkdirSync(join(data.dir, 'cat'));
  writeFileSync(join(data.dir, 'cat', '1.jpg'), await jpeg(300, 200));
  writeFileSync(join(data.dir, 'secret.txt'), 'not for the browser');
  studio = await openStudio({ workspace: ws.dir });
  server = await startStudioServer({ studio, port: 0, rendererDir: renderer.dir, token: 'test-token' });
  base = new URL(server.url).origin;
});

afterAll(async () => {
  await server.close();
  await studio.close();
  for (const d of [ws, renderer, data]) d.cleanup();
});

const call = (method: string, args: unknown[], token = 'test-token') =>
  fetch(`${base}/api/call/${method}`, { method: 'POST', headers: { 'x-studio-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ args }) });

describe('browser-mode server', () => {
  it('binds to 127.0.0.1 and prints the token in its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=test-token$/);
  });

  it('refuses every request without the token', async () => {
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await call('listInstances', [], 'wrong')).status).toBe(401);
    expect((await fetch(`${base}/media/thumb/1`)).status).toBe(401);
  });

  it('serves the app with a CSP and a session cookie, and only files of the renderer', async () => {
    const page = await fetch(`${base}/?token=test-token`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${base}/assets/app.js`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base}/datasets/3`, { headers: { cookie } })).headers.get('content-type')).toContain('text/html');
    // Extension-less paths fall back to the app shell; nothing outside the renderer folder is ever sent.
    const secret = `${data.dir}/secret.txt`;
    for (const p of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', `/..%2f..%2f..%2f..${secret}`, '/assets/..%2f..%2fsecret.txt', '/etc/hostname', '/nope.js']) {
      const res = await fetch(`${base}${p}`, { headers: { cookie } });
      const body = await res.text();
      expect(body, p).not.toMatch(/root:|not for the browser/);
      expect([200, 404], p).toContain(res.status);
      if (res.status === 200) expect(body, p).toBe('<!doctype html><title>studio</title>');
    }
    expect((await fetch(`${base}/nope.js`, { headers: { cookie } })).status).toBe(404);
  });

  it('forwards API calls and returns errors as data with a status', async () => {
    const created = await call('createInstance', [{ type: 'classification', name: 'web' }]);
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: { id: number; name: string } };
    expect(result.name).toBe('web');

    const bad = await call('createInstance', [{ type: 'classification', name: '-bad' }]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'invalid_input', field: 'name', message: expect.stringContaining('must start with') } });
    expect((await call('close', [])).status).toBe(404);
    const notJson = await fetch(`${base}/api/call/listInstances`, { method: 'POST', headers: { 'x-studio-token': 'test-token' }, body: '{' });
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_input', field: 'body' } });
    const crossSite = await fetch(`${base}/api/call/listInstances`, { method: 'POST', headers: { 'x-studio-token': 'test-token', origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(400);
  });

  it('streams job events over the WebSocket and serves thumbnails of indexed images only', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/events?token=test-token`);
    const events: StudioEvent[] = [];
    socket.on('message', (m) => events.push(JSON.parse(String(m)) as StudioEvent));
    await new Promise((r) => socket.once('open', r));

    const inst = (await (await call('createInstance', [{ type: 'classification', name: 'events' }])).json()) as { result: { id: number } };
    const res = (await (await call('createDataset', [{ instanceId: inst.result.id, name: 'd', path: data.dir }])).json()) as { result: { job: { id: string } } };
    const done = (await (await call('waitJob', [res.result.job.id])).json()) as { result: { state: string; datasetId: number } };
    expect(done.result.state).toBe('done');
    await new Promise((r) => setTimeout(r, 50));
    const jobStates = events.filter((e) => e.type === 'job').map((e) => (e.type === 'job' ? e.job.state : ''));
    expect(jobStates[0]).toBe('running');
    expect(jobStates.at(-1)).toBe('done');
    socket.close();

    const page = (await (await call('listImages', [{ datasetId: done.result.datasetId }])).json()) as { result: { items: Array<{ id: number }> } };
    const thumb = await fetch(`${base}/media/thumb/${page.result.items[0]!.id}?token=test-token`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await thumb.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await fetch(`${base}/media/image/99999?token=test-token`)).status).toBe(404);
    expect((await fetch(`${base}/media/file/..%2Fsecret.txt?token=test-token`)).status).toBe(404);
  });

  it('refuses a WebSocket without the token', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/events`);
    const outcome = await new Promise((r) => {
      socket.once('open', () => r('open'));
      socket.once('error', () => r('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
