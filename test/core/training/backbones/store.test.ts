import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../main/shared/api';
import { loadLayers } from '../../../../main/core/training/backbones/cut';
import { diskModels } from '../../../../main/core/training/saved-model';
import { downloadModel, OFFLINE_HINT } from '../../../../main/core/training/backbones/download';
import { BackboneStore } from '../../../../main/core/training/backbones/store';
import { BACKBONES, DEFAULT_BACKBONE, type BackboneEntry } from '../../../../main/core/training/backbones/zoo';
import { tempDir } from '../../../helpers/fixtures';
import { saveTinyBackbone } from '../../../helpers/tiny-backbone';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A static file server on 127.0.0.1 that counts requests; `hold` paths never answer until closed. */
class ModelServer {
  readonly requests: string[] = [];
  readonly hold = new Set<string>();
  private server: Server | null = null;
  base = '';
  constructor(private readonly root: string) {}
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push(path);
      if (this.hold.has(path)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000000' });
        res.write(Buffer.alloc(10)); // a first chunk, then nothing
        return;
      }
      const file = join(this.root, path);
      if (!existsSync(file)) {
        res.writeHead(404, 'Not Found').end();
        return;
      }
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': String(body.byteLength) });
      // Two chunks so progress is reported more than once per file.
      const half = Math.floor(body.byteLength / 2);
      res.write(body.subarray(0, half));
      setTimeout(() => res.end(body.subarray(half)), 5);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

let root: string;
let cleanup: () => void;
let server: ModelServer;
let shardBytes: Buffer[];
let catalog: BackboneEntry[];

/** Serves the tiny v2 backbone as /models/tiny_v2/model.json with its weights split over two shards. */
beforeAll(async () => {
  await tf.setBackend('cpu');
  ({ dir: root, cleanup } = tempDir('backbone-store-'));
  const served = join(root, 'served', 'models', 'tiny_v2');
  await saveTinyBackbone(served, 'v2');
  const json = JSON.parse(readFileSync(join(served, 'model.json'), 'utf8'));
  const bin = readFileSync(join(served, 'weights.bin'));
  const half = Math.floor(bin.byteLength / 2);
  shardBytes = [bin.subarray(0, half), bin.subarray(half)];
  writeFileSync(join(served, 'group1-shard1of2.bin'), shardBytes[0]!);
  writeFileSync(join(served, 'group1-shard2of2.bin'), shardBytes[1]!);
  rmSync(join(served, 'weights.bin'));
  json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
  writeFileSync(join(served, 'model.json'), JSON.stringify(json));
  server = new ModelServer(join(root, 'served'));
  await server.start();
  catalog = [
    {
      id: 'tiny_v2',
      title: 'Tiny V2',
      family: 'mobilenet_v2',
      alpha: 1,
      inputSize: 32,
      url: `${server.base}/models/tiny_v2/model.json`,
      featureLayer: 'out_relu',
      preprocessing: { size: 32, scale: 1 / 127.5, offset: -1 },
    },
    { ...BACKBONES[0]!, id: 'missing', url: `${server.base}/models/nope/model.json` },
  ];
});
afterAll(async () => {
  await server.close();
  cleanup();
});
afterEach(() => {
  server.hold.clear();
});

let n = 0;
function storeDir(): string {
  const d = join(root, `store-${++n}`, 'models', 'backbones');
  return d;
}

async function caught(p: Promise<unknown>): Promise<StudioError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

/** Nothing but the named entries in the store folder: no temp or half-written folders left. */
function expectOnly(dir: string, names: string[]): void {
  expect(existsSync(dir) ? readdirSync(dir).sort() : []).toEqual([...names].sort());
}

describe('catalog', () => {
  it('lists V2 no-top and V1 MobileNets with unique ids and a default among them', () => {
    const ids = BACKBONES.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(DEFAULT_BACKBONE);
    expect(ids).toEqual([
      'mobilenet_v2_0.35',
      'mobilenet_v2_0.50',
      'mobilenet_v2_0.75',
      'mobilenet_v2_1.00',
      'mobilenet_v1_0.25',
      'mobilenet_v1_0.50',
      'mobilenet_v1_0.75',
      'mobilenet_v1_1.00',
    ]);
    expect(BACKBONES.find((b) => b.id === 'mobilenet_v2_0.35')!.url).toBe(
      'https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top/model.json',
    );
    expect(BACKBONES.find((b) => b.id === 'mobilenet_v1_1.00')!.url).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json');
    expect(BACKBONES.find((b) => b.id === 'mobilenet_v1_0.50')!.url).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.50_224/model.json');
    for (const b of BACKBONES) {
      expect(b.featureLayer).toBe(b.family === 'mobilenet_v2' ? 'out_relu' : 'conv_pw_13_relu');
      expect(b.preprocessing).toEqual({ size: 224, scale: 1 / 127.5, offset: -1 });
    }
  });
});

describe('BackboneStore: catalog backbones', () => {
  it('downloads on first use with progress and checksums, then serves from the cache without a request', async () => {
    const dir = storeDir();
    const store = new BackboneStore(dir, { catalog });
    expect(store.list().find((b) => b.id === 'tiny_v2')).toMatchObject({ cached: false, source: 'zoo' });

    const before = server.requests.length;
    const calls: Array<[number, number | null, string]> = [];
    const r = await store.resolve('tiny_v2', { progress: (d, t, m) => calls.push([d, t, m]) });
    expect(server.requests.slice(before)).toEqual(['/models/tiny_v2/model.json', '/models/tiny_v2/group1-shard1of2.bin', '/models/tiny_v2/group1-shard2of2.bin']);
    const jsonBytes = readFileSync(join(root, 'served', 'models', 'tiny_v2', 'model.json'));
    const total = jsonBytes.byteLength + shardBytes[0]!.byteLength + shardBytes[1]!.byteLength;
    // Several callbacks, monotone bytes, ending at the total once model.json told us the total.
    expect(calls.length).toBeGreaterThan(4);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    expect(calls.at(-1)).toEqual([total, total, expect.stringContaining('downloaded')]);
    expect(calls.some(([, , m]) => m.includes('group1-shard2of2.bin'))).toBe(true);

    expect(r).toMatchObject({ id: 'tiny_v2', title: 'Tiny V2', source: 'zoo', dir: join(dir, 'tiny_v2'), featureLayer: 'out_relu', preprocessing: catalog[0]!.preprocessing });
    expect(r.sha256).toEqual({
      'model.json': sha(jsonBytes),
      'group1-shard1of2.bin': sha(shardBytes[0]!),
      'group1-shard2of2.bin': sha(shardBytes[1]!),
    });
    const source = JSON.parse(readFileSync(join(r.dir, 'source.json'), 'utf8'));
    expect(source).toMatchObject({ url: catalog[0]!.url, sha256: r.sha256 });
    expect(Number.isNaN(Date.parse(source.downloadedAt))).toBe(false);
    expectOnly(dir, ['tiny_v2']);
    expect(store.list().find((b) => b.id === 'tiny_v2')).toMatchObject({ cached: true });
    const model = await loadLayers(diskModels, r.dir);
    expect(model.outputs[0]!.shape).toEqual([null, 4, 4, 32]);

    // A later run (new store object): no request at all.
    const count = server.requests.length;
    const again = await new BackboneStore(dir, { catalog }).resolve('tiny_v2');
    expect(server.requests.length).toBe(count);
    expect(again).toEqual(r);
  });

  it('detects a corrupt cache and downloads it again; if that fails, says it is corrupt and why', async () => {
    const dir = storeDir();
    const store = new BackboneStore(dir, { catalog });
    const r = await store.resolve('tiny_v2');
    const shard = join(r.dir, 'group1-shard2of2.bin');
    const bytes = readFileSync(shard);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(shard, bytes);

    const count = server.requests.length;
    const messages: string[] = [];
    const repaired = await store.resolve('tiny_v2', { progress: (_d, _t, m) => messages.push(m) });
    expect(messages[0]).toContain('cached backbone tiny_v2 is corrupt (group1-shard2of2.bin checksum differs)');
    expect(server.requests.length).toBe(count + 3);
    expect(readFileSync(shard)).toEqual(shardBytes[1]);
    expect(repaired.sha256).toEqual(r.sha256);

    // Corrupt again, and make the server refuse: the error names the corrupt file and the download failure.
    rmSync(join(r.dir, 'group1-shard1of2.bin'));
    const offline = new BackboneStore(dir, {
      catalog,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND storage.googleapis.com'), { code: 'ENOTFOUND' }) });
      },
    });
    const err = await caught(offline.resolve('tiny_v2'));
    expect(err.code).toBe('io_error');
    expect(err.message).toContain('cached backbone tiny_v2 is corrupt (group1-shard1of2.bin is missing)');
    expect(err.message).toContain('ENOTFOUND');
    expect(err.message).toContain(dir);
    expectOnly(dir, ['tiny_v2']);
  });

  it('server down → io_error with the offline hint, nothing left behind', async () => {
    const down = new ModelServer(root);
    await down.start();
    const url = `${down.base}/models/tiny_v2/model.json`;
    await down.close();
    const dir = storeDir();
    const store = new BackboneStore(dir, { catalog: [{ ...catalog[0]!, url }] });
    const err = await caught(store.resolve('tiny_v2'));
    expect(err.code).toBe('io_error');
    expect(err.message).toContain(`could not download ${url}: `);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain(OFFLINE_HINT);
    expectOnly(dir, []);
  });

  it('DNS failure and HTTP errors → io_error naming the URL and the reason', async () => {
    const dns = await caught(
      downloadModel('https://storage.googleapis.com/x/model.json', join(storeDir(), 'x'), {
        fetch: async () => {
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND storage.googleapis.com'), { code: 'ENOTFOUND' }) });
        },
      }),
    );
    expect(dns.code).toBe('io_error');
    expect(dns.message).toBe(`could not download https://storage.googleapis.com/x/model.json: getaddrinfo ENOTFOUND storage.googleapis.com. ${OFFLINE_HINT}`);

    const dir = storeDir();
    const err = await caught(new BackboneStore(dir, { catalog }).resolve('missing'));
    expect(err.code).toBe('io_error');
    expect(err.message).toContain(`could not download ${catalog[1]!.url}: HTTP 404 Not Found`);
    expectOnly(dir, []);
  });

  it('a missing weight shard on the server fails the download and keeps the previous copy', async () => {
    const dest = join(storeDir(), 'm');
    await downloadModel(catalog[0]!.url, dest);
    const before = readdirSync(dest).sort();
    const served = join(root, 'served', 'models', 'broken');
    cpSync(join(root, 'served', 'models', 'tiny_v2'), served, { recursive: true });
    rmSync(join(served, 'group1-shard2of2.bin'));
    const err = await caught(downloadModel(`${server.base}/models/broken/model.json`, dest));
    expect(err.message).toContain(`${server.base}/models/broken/group1-shard2of2.bin: HTTP 404`);
    expect(readdirSync(dest).sort()).toEqual(before);
    expectOnly(join(dest, '..'), ['m']);
  });

  it('is cancelled by an AbortSignal mid-download, leaving nothing behind', async () => {
    server.hold.add('/models/tiny_v2/group1-shard2of2.bin');
    const dir = storeDir();
    const store = new BackboneStore(dir, { catalog });
    const ac = new AbortController();
    const p = store.resolve('tiny_v2', {
      signal: ac.signal,
      progress: (_d, _t, m) => {
        if (m.includes('group1-shard2of2.bin')) setTimeout(() => ac.abort(), 20);
      },
    });
    const err = await caught(p);
    expect(err.code).toBe('cancelled');
    expect(err.message).toContain(catalog[0]!.url);
    expectOnly(dir, []);

    // Aborted before it starts: no request.
    const count = server.requests.length;
    const err2 = await caught(store.resolve('tiny_v2', { signal: AbortSignal.abort() }));
    expect(err2.code).toBe('cancelled');
    expect(server.requests.length).toBe(count);
  });

  it('rejects unknown references', async () => {
    const store = new BackboneStore(storeDir(), { catalog });
    const err = await caught(store.resolve('resnet_50'));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain('tiny_v2');
    const err2 = await caught(store.resolve(join(root, 'no-such-folder')));
    expect(err2.code).toBe('not_found');
    expect(err2.message).toContain(join(root, 'no-such-folder'));
  });
});

describe('BackboneStore: imported folders', () => {
  it('copies a local model folder into the store, so later runs do not need the original', async () => {
    const src = join(root, `local-${++n}`);
    const model = await saveTinyBackbone(src, 'v1');
    const dir = storeDir();
    const store = new BackboneStore(dir, { catalog });
    const r = await store.resolve(src);
    expect(r.id).toMatch(/^imported-[0-9a-f]{12}$/);
    expect(r).toMatchObject({ source: 'imported', dir: join(dir, r.id), featureLayer: null, title: `imported from ${src}` });
    // Default preprocessing: the model's own input size, [-1, 1] scaling.
    expect(r.preprocessing).toEqual({ size: 32, scale: 1 / 127.5, offset: -1 });
    expect(Object.keys(r.sha256).sort()).toEqual(['model.json', 'weights.bin']);
    expect(r.sha256['weights.bin']).toBe(sha(readFileSync(join(src, 'weights.bin'))));
    const source = JSON.parse(readFileSync(join(r.dir, 'source.json'), 'utf8'));
    expect(source).toMatchObject({ id: r.id, importedFrom: src, sha256: r.sha256 });

    // Same folder again → same id; the original can go away and the id still resolves.
    expect((await store.resolve(src)).id).toBe(r.id);
    rmSync(src, { recursive: true });
    const byId = await new BackboneStore(dir, { catalog }).resolve(r.id);
    expect(byId).toEqual(r);
    expect(store.list().filter((b) => b.source === 'imported')).toEqual([{ id: r.id, title: `imported from ${src}`, source: 'imported', cached: true, dir: r.dir, importedFrom: src }]);
    const loaded = await loadLayers(diskModels, r.dir);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));

    // A damaged copy is an error that says how to fix it.
    writeFileSync(join(r.dir, 'model.json'), readFileSync(join(r.dir, 'model.json'), 'utf8').replace('conv1', 'conv9'));
    const err = await caught(store.resolve(r.id));
    expect(err.code).toBe('io_error');
    expect(err.message).toBe(`imported backbone ${r.id} is corrupt (model.json checksum differs); import it again with --backbone ${src}`);
  });

  it('reads backbone.json (preprocessing, feature layer, title) and copies it along', async () => {
    const src = join(root, `local-${++n}`);
    await saveTinyBackbone(src, 'v2');
    writeFileSync(join(src, 'backbone.json'), JSON.stringify({ title: 'My net', featureLayer: 'block_16_project_BN', preprocessing: { size: 96, scale: 1 / 255, offset: 0 } }));
    const dir = storeDir();
    const r = await new BackboneStore(dir).resolve(src);
    expect(r).toMatchObject({ title: 'My net', featureLayer: 'block_16_project_BN', preprocessing: { size: 96, scale: 1 / 255, offset: 0 } });
    expect(Object.keys(r.sha256).sort()).toEqual(['backbone.json', 'model.json', 'weights.bin']);
    expect(existsSync(join(r.dir, 'backbone.json'))).toBe(true);
    expect(new BackboneStore(dir).list().find((b) => b.id === r.id)?.title).toBe('My net');

    // Different backbone.json → a different import.
    writeFileSync(join(src, 'backbone.json'), JSON.stringify({ preprocessing: { size: 'big' } }));
    const err = await caught(new BackboneStore(dir).resolve(src));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain(join(src, 'backbone.json'));
  });

  it('rejects a folder without model.json or with missing weights, naming the file', async () => {
    const src = join(root, `local-${++n}`);
    mkdirSync(src);
    const store = new BackboneStore(storeDir());
    const e1 = await caught(store.resolve(src));
    expect(e1.code).toBe('not_found');
    expect(e1.message).toContain(join(src, 'model.json'));
    await saveTinyBackbone(src, 'v1');
    rmSync(join(src, 'weights.bin'));
    const e2 = await caught(store.resolve(src));
    expect(e2.message).toContain(`missing weight file ${join(src, 'weights.bin')}`);
    expectOnly(store.rootDir, []);
  });
});
