// The EAS-compatible service against a real trained classifier, over real HTTP: every success shape
// and error code of seed 004 (byte-for-byte), the security rules, batching, back-pressure and
// graceful shutdown.

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EasResult, ModelVersion, ServiceInfo } from '../../../main/shared/api';
import type { Studio } from '../../../main/core/studio';
import { folderIO } from '../../../main/core/training/backbones/folder-io';
import { Batcher } from '../../../main/core/serving/batcher';
import { ModelRuntime } from '../../../main/core/serving/runtime';
import { startEasService, type EasService } from '../../../main/core/serving/service';
import { tempDir } from '../../helpers/fixtures';
import { ERROR, bmp, easBody, jpeg, png, raw, send, swatch, trainColourModel } from './fixture';

const work = tempDir('serving-');
let studio: Studio;
let model: ModelVersion;
let info: ServiceInfo;
const TOKEN = 'c2VjcmV0LXRva2Vu==';
const PATH = '/api/predict/colours';

beforeAll(async () => {
  ({ studio, model } = await trainColourModel(work.dir));
  info = await studio.startService({ modelId: model.id, port: 0, token: TOKEN, name: 'colours' });
}, 120_000);
afterAll(async () => {
  await studio?.close();
  work.cleanup();
});

const predict = (body: string | Buffer, extra: { token?: string; path?: string } = {}) => send(info.url, { path: extra.path ?? PATH, token: extra.token ?? TOKEN, body });

describe('success: the seed-004 response, byte for byte', () => {
  it('answers a PNG with every class, highest first, and the image size as displayed', async () => {
    const r = await predict(easBody(await png(swatch('red', 60, 30), 60, 30)));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const json = JSON.parse(r.body);
    // Keys in the seed's order.
    expect(Object.keys(json)).toEqual(['success', 'result']);
    expect(Object.keys(json.result)).toEqual(['output', 'meta']);
    expect(Object.keys(json.result.output[0])).toEqual(['type', 'body']);
    expect(Object.keys(json.result.meta)).toEqual(['height', 'width']);
    expect(json.success).toBe(true);
    expect(json.result.meta).toEqual({ height: 30, width: 60 });
    expect(json.result.output).toHaveLength(1);
    expect(json.result.output[0].type).toBe('cv_common');
    const body = json.result.output[0].body as Array<{ label: string; conf: number }>;
    expect(body.map((b) => Object.keys(b))).toEqual([['label', 'conf'], ['label', 'conf']]);
    expect(body.map((b) => b.label)).toEqual(['red', 'blue']);
    expect(body[0]!.conf).toBeGreaterThan(body[1]!.conf);
    expect(body[0]!.conf + body[1]!.conf).toBeCloseTo(1, 5);
    // Nothing but JSON.stringify's compact form: the exact bytes.
    expect(r.body).toBe(JSON.stringify(json));
    expect(r.body.startsWith('{"success":true,"result":{"output":[{"type":"cv_common","body":[{"label":"red","conf":')).toBe(true);
  });

  it('answers JPEG and BMP; a BMP answers exactly as the PNG of the same pixels', async () => {
    const pixels = swatch('blue', 50, 40, 9);
    const fromJpeg = JSON.parse((await predict(easBody(await jpeg(pixels, 50, 40)))).body);
    expect(fromJpeg.result.output[0].body[0].label).toBe('blue');
    const fromPng = await predict(easBody(await png(pixels, 50, 40)));
    const fromBmp = await predict(easBody(bmp(pixels, 50, 40)));
    expect(fromBmp.status).toBe(200);
    expect(fromBmp.body).toBe(fromPng.body);
    expect(JSON.parse(fromBmp.body).result.meta).toEqual({ height: 40, width: 50 });
  });

  it('answers what the studio\'s predict answers for the same image (one prediction code path)', async () => {
    const image = await png(swatch('red', 40, 40, 4), 40, 40);
    const served = JSON.parse((await predict(easBody(image))).body);
    const [predicted] = await studio.predict({ modelId: model.id, images: [{ base64: image.toString('base64') }] });
    expect(served.result).toEqual(predicted!.result);
  });

  it('takes name and type as optional, MIME-wrapped and URL-safe base64, and ignores a query string', async () => {
    const image = await png(swatch('red', 40, 40, 5), 40, 40);
    const b64 = image.toString('base64');
    const expected = (await predict(easBody(image))).body;
    expect((await predict(JSON.stringify({ dataArray: [{ body: b64 }] }))).body).toBe(expected);
    expect((await predict(JSON.stringify({ dataArray: [{ body: b64.replace(/.{76}/g, '$&\r\n') }] }))).body).toBe(expected);
    expect((await predict(JSON.stringify({ dataArray: [{ body: image.toString('base64url') }] }))).body).toBe(expected);
    expect((await predict(easBody(image), { path: `${PATH}?trace=1` })).body).toBe(expected);
  });
});

describe('errors: the seed-004 codes and messages', () => {
  const formatError = ERROR('1001', 'INPUT_FORMAT_ERROR');

  it('1001 INPUT_FORMAT_ERROR for bad JSON, no dataArray, no body, a body that is not base64', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"dataArray": [', /not valid JSON/],
      ['[1,2]', /JSON object/],
      ['{"data": []}', /missing field "dataArray"/],
      ['{"dataArray": []}', /non-empty array/],
      ['{"dataArray": "abc"}', /non-empty array/],
      ['{"dataArray": [{"name": "image", "type": "stream"}]}', /missing field dataArray\[0\]\.body/],
      ['{"dataArray": [{"body": 42}]}', /dataArray\[0\]\.body must be a non-empty base64 string/],
      ['{"dataArray": [{"body": "%%% not base64 %%%"}]}', /dataArray\[0\]\.body is not base64/],
      ['{"dataArray": [{"body": "aGVsbG8", "type": "json"}]}', /dataArray\[0\]\.type must be "stream"/],
      ['', /not valid JSON/],
    ];
    for (const [body, why] of cases) {
      const r = await predict(body);
      expect(r.status, body).toBe(400);
      expect(r.body, body).toBe(formatError);
      expect(r.headers['x-eas-error-detail'], body).toMatch(why);
    }
  });

  it('1002 IMAGE_DECODE_ERROR for bytes that are not an image, or a broken one', async () => {
    const notImage = await predict(JSON.stringify({ dataArray: [{ body: Buffer.from('hello, not an image').toString('base64') }] }));
    expect(notImage.status).toBe(400);
    expect(notImage.body).toBe(ERROR('1002', 'IMAGE_DECODE_ERROR'));
    expect(notImage.headers['x-eas-error-detail']).toMatch(/cannot decode image/);
    const good = await png(swatch('red', 40, 40), 40, 40);
    const broken = Buffer.concat([good.subarray(0, 16), Buffer.alloc(40, 7)]);
    expect((await predict(easBody(broken))).body).toBe(ERROR('1002', 'IMAGE_DECODE_ERROR'));
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect((await predict(easBody(svg))).body).toBe(ERROR('1002', 'IMAGE_DECODE_ERROR'));
  });

  it('2003 MODEL_FORWARD_ERROR when the model fails on the image', async () => {
    // A real model that only runs on 32×32 inputs (a Reshape to 32·32·3), declared 40×40 in its
    // metadata: loading succeeds (its input size is open), every forward pass fails.
    const dir = join(work.dir, 'fragile');
    const input = tfl.input({ shape: [null, null, 3] });
    const flat = tfl.layers.reshape({ targetShape: [32 * 32 * 3] }).apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
    await tfl.model({ inputs: input, outputs: out }).save(folderIO(dir));
    const meta = JSON.parse(readFileSync(join(model.dir, 'metadata.json'), 'utf8'));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...meta, preprocessing: { ...meta.preprocessing, size: 40 } }));
    const runtime = await ModelRuntime.load(dir);
    const service = await startEasService({ runtime, name: 'fragile', token: TOKEN, port: 0 });
    try {
      const r = await send(service.url, { path: '/api/predict/fragile', token: TOKEN, body: easBody(await png(swatch('red', 40, 40), 40, 40)) });
      expect(r.status).toBe(500);
      expect(r.body).toBe(ERROR('2003', 'MODEL_FORWARD_ERROR'));
      expect(r.headers['x-eas-error-detail']).toMatch(/the model failed/);
      // A bad image is still a decode error, not a forward error.
      expect((await send(service.url, { path: '/api/predict/fragile', token: TOKEN, body: easBody(Buffer.from('nope')) })).body).toBe(ERROR('1002', 'IMAGE_DECODE_ERROR'));
    } finally {
      await service.close();
      runtime.dispose();
    }
  });

  it('2001 UNKNOWN_ERROR for a failure outside decoding and the model', async () => {
    // Nothing in the real runtime throws outside those two; a decode that fails with a plain
    // RangeError (as an allocation failure would) stands for the unexpected.
    const runtime = await ModelRuntime.load(model.dir);
    const service = await startEasService({
      runtime: {
        forward: (images) => runtime.forward(images),
        decode: async () => {
          throw new RangeError('Array buffer allocation failed');
        },
      },
      name: 'unlucky',
      token: TOKEN,
      port: 0,
    });
    try {
      const r = await send(service.url, { path: '/api/predict/unlucky', token: TOKEN, body: easBody(await png(swatch('red', 40, 40), 40, 40)) });
      expect(r.status).toBe(500);
      expect(r.body).toBe(ERROR('2001', 'UNKNOWN_ERROR'));
    } finally {
      await service.close();
      runtime.dispose();
    }
  });

  it('2002 GET_INSTANCE_ERROR when the queue is full, and only that', async () => {
    const runtime = await ModelRuntime.load(model.dir);
    const service = await startEasService({ runtime, name: 'tight', token: TOKEN, port: 0, queueSize: 1 });
    // A large photo keeps the one slot busy while the others arrive.
    const big = easBody(await jpeg(swatch('blue', 1600, 1200), 1600, 1200));
    try {
      const seen = new Map<number, Set<string>>();
      for (let round = 0; round < 5 && !(seen.get(503)?.size && seen.get(200)?.size); round++) {
        const replies = await Promise.all(Array.from({ length: 12 }, () => send(service.url, { path: '/api/predict/tight', token: TOKEN, body: big })));
        for (const r of replies) {
          if (!seen.has(r.status)) seen.set(r.status, new Set());
          seen.get(r.status)!.add(r.status === 200 ? JSON.parse(r.body).result.output[0].body[0].label : r.body);
        }
      }
      expect([...seen.keys()].sort()).toEqual([200, 503]);
      expect([...seen.get(200)!]).toEqual(['blue']);
      expect([...seen.get(503)!]).toEqual([ERROR('2002', 'GET_INSTANCE_ERROR')]);
      expect(service.stats().errors).toEqual({ '2002': expect.any(Number) });
    } finally {
      await service.close();
      runtime.dispose();
    }
  });
});

describe('security', () => {
  it('no token or a wrong one: 401 and nothing else, on every path but /health', async () => {
    const body = easBody(await png(swatch('red', 40, 40), 40, 40));
    for (const token of [undefined, '', 'wrong', `${TOKEN}x`, `Bearer ${TOKEN}`, TOKEN.toLowerCase()]) {
      const r = await send(info.url, { path: PATH, body, ...(token === undefined ? {} : { token }) });
      expect(r.status, String(token)).toBe(401);
      expect(r.body).toBe('Unauthorized\n');
      expect(r.body).not.toMatch(/label|success|colours/);
    }
    // Unknown paths are not revealed either.
    expect((await send(info.url, { method: 'GET', path: '/api/predict/other' })).status).toBe(401);
    expect((await send(info.url, { method: 'GET', path: '/' })).status).toBe(401);
    const health = await send(info.url, { method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
  });

  it('path tricks are 404: only /api/predict/<name> exactly', async () => {
    const body = easBody(await png(swatch('red', 40, 40), 40, 40));
    for (const path of [
      '/api/predict/../predict/colours',
      '/api/predict/colours/../colours',
      '/api/predict/./colours',
      '/api/predict/colours/',
      '/api/predict//colours',
      '//api/predict/colours',
      '/api/predict%2Fcolours',
      '/api/predict/%63olours',
      '/api/predict/colours%00',
      '/api/predict/COLOURS',
      '/api/predict/other',
      '/api/predict/colours/v1/chat',
      '/api/predict',
      '/../api/predict/colours',
    ]) {
      const r = await send(info.url, { path, token: TOKEN, body });
      expect(r.status, path).toBe(404);
      expect(r.body, path).toBe('Not Found\n');
    }
    expect((await send(info.url, { method: 'GET', path: PATH, token: TOKEN })).status).toBe(405);
  });

  it('a body over the limit is refused from its Content-Length, before it is sent', async () => {
    const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024 + 1}\r\n\r\n`;
    const { reply } = raw(info.url, [head]);
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text.endsWith(ERROR('1001', 'INPUT_FORMAT_ERROR'))).toBe(true);
  });

  it('a streamed (chunked) body is cut off as soon as it passes the limit', async () => {
    const head = `POST ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const mb = Buffer.alloc(1024 * 1024, 'A');
    const chunk = Buffer.concat([Buffer.from(`${mb.length.toString(16)}\r\n`), mb, Buffer.from('\r\n')]);
    // 21 MB sent and the request never finished: the answer comes anyway.
    const { reply } = raw(info.url, [head, ...Array.from({ length: 21 }, () => chunk)]);
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain(ERROR('1001', 'INPUT_FORMAT_ERROR'));
  });

  it('a slow client is cut off with 408 when its request does not arrive in time', async () => {
    const runtime = await ModelRuntime.load(model.dir);
    const service = await startEasService({ runtime, name: 'patient', token: TOKEN, port: 0, requestTimeoutMs: 300 });
    try {
      // Headers and half of a body, then nothing.
      const slowBody = raw(service.url, [`POST /api/predict/patient HTTP/1.1\r\nHost: x\r\nAuthorization: ${TOKEN}\r\nContent-Length: 100\r\n\r\n{"dataArr`]);
      expect(await slowBody.reply).toMatch(/^HTTP\/1\.1 408 /);
      // Headers that never end.
      const slowHeaders = raw(service.url, [`POST /api/predict/patient HTTP/1.1\r\nHost: x\r\nAuthor`]);
      expect(await slowHeaders.reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(slowBody.socket.destroyed && slowHeaders.socket.destroyed).toBe(true);
    } finally {
      await service.close();
      runtime.dispose();
    }
  });

  it('binds 127.0.0.1 unless told otherwise', () => {
    expect(info.host).toBe('127.0.0.1');
    expect(info.endpoint).toBe(`http://127.0.0.1:${info.port}${PATH}`);
  });
});

describe('batching and shutdown', () => {
  it('images waiting together go through the model in one pass, with the results of one-by-one passes', async () => {
    const runtime = await ModelRuntime.load(model.dir);
    try {
      const images = await Promise.all(['red', 'blue', 'red', 'blue', 'red'].map(async (c, i) => runtime.decode(await png(swatch(c, 40, 40, i), 40, 40))));
      const batcher = new Batcher((batch) => runtime.forward(batch), 16);
      const together = await Promise.all(images.map((img) => batcher.submit(img)));
      expect(batcher.stats).toEqual({ batches: 1, images: 5, largest: 5 });
      const alone: EasResult[] = [];
      for (const img of images) alone.push(...(await runtime.forward([img])));
      expect(together.map((r) => r.output[0]!.body.map((b) => b.label))).toEqual(alone.map((r) => r.output[0]!.body.map((b) => b.label)));
      together.forEach((r, i) => r.output[0]!.body.forEach((b, k) => expect(b.conf).toBeCloseTo(alone[i]!.output[0]!.body[k]!.conf, 5)));
      // At most maxBatch per pass.
      const small = new Batcher((batch) => runtime.forward(batch), 2);
      await Promise.all(images.map((img) => small.submit(img)));
      expect(small.stats).toEqual({ batches: 3, images: 5, largest: 2 });
    } finally {
      runtime.dispose();
    }
  });

  it('close() answers the requests in flight, then refuses new connections', async () => {
    const runtime = await ModelRuntime.load(model.dir);
    const service = await startEasService({ runtime, name: 'draining', token: TOKEN, port: 0 });
    const body = easBody(await jpeg(swatch('red', 2000, 1500), 2000, 1500));
    const pending = Array.from({ length: 6 }, () => send(service.url, { path: '/api/predict/draining', token: TOKEN, body }));
    // Close once the server has all six requests, while some are still being decoded or in the model.
    const deadline = Date.now() + 30_000;
    while (service.stats().requests < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(service.stats().inFlight).toBeGreaterThan(0);
    const closed = service.close();
    const replies = await Promise.all(pending);
    await closed;
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(replies.every((r) => JSON.parse(r.body).result.output[0].body[0].label === 'red')).toBe(true);
    await expect(send(service.url, { path: '/api/predict/draining', token: TOKEN, body })).rejects.toThrow(/ECONNREFUSED/);
    runtime.dispose();
  });
});

describe('the runtime', () => {
  it('refuses a model whose metadata does not match its network, naming both files', async () => {
    const dir = join(work.dir, 'mismatch');
    cpSync(model.dir, dir, { recursive: true });
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...meta, preprocessing: { ...meta.preprocessing, size: meta.preprocessing.size + 8 } }));
    await expect(ModelRuntime.load(dir)).rejects.toThrow(/metadata\.json says the input is \d+×\d+ but model\.json takes/);
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...meta, labels: ['a', 'b', 'c'] }));
    await expect(ModelRuntime.load(dir)).rejects.toThrow(/metadata\.json lists 3 labels but the model has 2 outputs/);
  });

  it('dispatches on metadata.type: a type it cannot serve gets a clear error', async () => {
    const dir = join(work.dir, 'other-type');
    cpSync(model.dir, dir, { recursive: true });
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...meta, type: 'segmentation' }));
    await expect(ModelRuntime.load(dir)).rejects.toThrow(/serving segmentation models is not available yet; this build serves classification/);
  });

  it('services are listed, named uniquely, and stopped by name', async () => {
    expect((await studio.listServices()).map((s) => s.name)).toEqual(['colours']);
    await expect(studio.startService({ modelId: model.id, port: 0, name: 'colours' })).rejects.toMatchObject({ code: 'conflict', field: 'name' });
    await expect(studio.startService({ modelId: model.id, port: 0, name: 'Bad-Name' })).rejects.toMatchObject({ code: 'invalid_input', field: 'name' });
    await expect(studio.startService({ modelId: model.id, port: 70000 })).rejects.toMatchObject({ field: 'port' });
    const second = await studio.startService({ modelId: model.id, port: 0 });
    expect(second.name).toBe(model.name.replace(/-/g, '_'));
    expect(second.token.length).toBeGreaterThanOrEqual(20);
    await studio.stopService(second.name);
    await expect(studio.stopService(second.name)).rejects.toMatchObject({ code: 'not_found' });
    expect((await studio.listServices()).map((s) => s.name)).toEqual(['colours']);
  });
});
