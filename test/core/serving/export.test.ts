// export-eas on a real trained model: the package's contents, the quantization decision, and the
// exported processor (node on the bundle) answering exactly as the studio's service does.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, type EasExportReport, type ModelVersion } from '../../../main/shared/api';
import type { Studio } from '../../../main/core/studio';
import { validateServiceJson } from '../../../main/core/serving/service-json';
import { tempDir } from '../../helpers/fixtures';
import { classificationOf } from '../../helpers/training';
import { ERROR, bmp, easBody, jpeg, png, send, swatch, trainColourModel, type Reply } from './fixture';

const repoRoot = resolve(import.meta.dirname, '../../..');
const work = tempDir('export-eas-');
let studio: Studio;
let model: ModelVersion;
let folder: string;
let auto: EasExportReport;
const TOKEN = 'export-test-token';

async function exportEas(outDir: string, extra: { quantization?: 'auto' | 'float32' | 'float16' | 'uint8'; serviceName?: string } = {}): Promise<EasExportReport> {
  const job = await studio.exportEas({ modelId: model.id, outDir, ...extra });
  return resultOf(await studio.waitJob(job.id), 'export-eas');
}

function linkModules(dir: string): void {
  if (!existsSync(join(dir, 'processor', 'node_modules'))) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'processor', 'node_modules'), 'dir');
}

/** Starts `node processor/server.js` of an export, on the studio's node_modules (as `npm ci` would install them). */
async function startProcessor(
  dir: string,
  name: string,
  extra: string[] = [],
): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; url: string; pids: number[]; exited: Promise<number | null>; stderr: () => string }> {
  linkModules(dir);
  const child = spawn(process.execPath, [join(dir, 'processor', 'server.js'), '--model', join(dir, 'model'), '--name', name, '--token', TOKEN, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolveLine(out.split('\n')[0]!);
    });
    void exited.then((code) => reject(new Error(`processor exited (${code}): ${stderr}`)));
  });
  const line = JSON.parse(first) as { url: string; pids: number[] };
  return { child, url: line.url, pids: line.pids, exited, stderr: () => stderr };
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  ({ studio, model, folder } = await trainColourModel(work.dir));
  auto = await exportEas(join(work.dir, 'auto'));
}, 180_000);
afterAll(async () => {
  await studio?.close();
  work.cleanup();
});

describe('the EAS package', () => {
  it('holds the model, the processor with its package files, Dockerfile, service.json and README', async () => {
    expect(auto.files).toEqual([
      'Dockerfile',
      'README.md',
      'model/metadata.json',
      'model/model.json',
      'model/weights.bin',
      ...(auto.lockfile ? ['processor/package-lock.json'] : []),
      'processor/package.json',
      'processor/server.js',
      'service.json',
    ]);
    expect(auto.serviceName).toBe(model.name.replace(/-/g, '_'));
    const dir = auto.outDir;
    const pkg = JSON.parse(readFileSync(join(dir, 'processor', 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.dependencies)).toEqual(['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'sharp']);
    const installed = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(version, name).toBe(installed(name));
    if (auto.lockfile) {
      const lock = JSON.parse(readFileSync(join(dir, 'processor', 'package-lock.json'), 'utf8'));
      for (const [name, version] of Object.entries(pkg.dependencies)) expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    } else {
      expect(auto.warnings.join('\n')).toMatch(/package-lock\.json was not written/);
    }
    // The bundle carries the service's own code, not the studio's database or CLI.
    const server = readFileSync(join(dir, 'processor', 'server.js'), 'utf8');
    expect(server).toContain('MODEL_FORWARD_ERROR');
    expect(server).not.toMatch(/better-sqlite3|commander|from "electron"/);

    const docker = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/^FROM node:22/m);
    expect(docker).toMatch(auto.lockfile ? /RUN npm ci --omit=dev/ : /RUN npm install --omit=dev/);
    expect(docker).toMatch(/CMD \["node","\/app\/server\.js","--model","\/eas\/workspace\/model",.*"--port","8000".*"--no-auth"\]/);

    const service = JSON.parse(readFileSync(join(dir, 'service.json'), 'utf8'));
    expect(service.metadata).toMatchObject({ name: auto.serviceName, instance: 1, rpc: { max_queue_size: 64 } });
    expect(service.containers[0].port).toBe(8000);
    expect(service.storage[0].mount_path).toBe('/eas/workspace/model/');
    // Only the placeholders are left to fill in.
    expect(validateServiceJson(service).map((p) => p.message)).toEqual([expect.stringMatching(/<REGION>/), expect.stringMatching(/<BUCKET>/)]);

    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const step of ['docker push', 'ossutil cp -r model/', 'eascmd create service.json', `curl http://<endpoint>/api/predict/${auto.serviceName} -H 'Authorization: <token>'`, '"type": "stream"', '--data-binary @-']) {
      expect(readme, step).toContain(step);
    }
  });

  it('quantizes: uint8 only when validation accuracy drops by less than a point, else float16; sizes and metric reported', async () => {
    const q = auto.quantization;
    const run = await studio.getRun(model.runId);
    expect(q.validationImages).toBe(run.valImages);
    expect(q.metric).toBe('accuracy');
    expect(q.float32).toBe(classificationOf(model.metrics).accuracy);
    expect(q.float16).not.toBeNull();
    expect(q.uint8).not.toBeNull();
    expect(q.dtype).toBe(q.float32! - q.uint8! < 0.01 ? 'uint8' : 'float16');
    expect(q.change).toBe((q.dtype === 'uint8' ? q.uint8! : q.float16!) - q.float32!);
    expect(q.modelSizeBefore).toBe(model.sizeBytes);
    expect(q.modelSizeAfter).toBeLessThan(q.modelSizeBefore);
    expect(q.maxConfidenceChange).toBeGreaterThanOrEqual(0);
    expect(q.reason).toMatch(new RegExp(`^${q.dtype}: `));
    const meta = JSON.parse(readFileSync(join(auto.outDir, 'model', 'metadata.json'), 'utf8'));
    expect(meta.metrics.model_size).toBe(q.modelSizeAfter);
    expect(meta.quantization.dtype).toBe(q.dtype);
    expect(meta.labels).toEqual(model.labels);
  });

  it('refuses a folder that is not empty, a bad service name, an unknown model', async () => {
    await expect(studio.exportEas({ modelId: model.id, outDir: auto.outDir })).rejects.toMatchObject({ code: 'conflict', field: 'outDir' });
    await expect(studio.exportEas({ modelId: model.id, outDir: join(work.dir, 'x'), serviceName: 'My Service' })).rejects.toMatchObject({ code: 'invalid_input', field: 'serviceName' });
    await expect(studio.exportEas({ modelId: model.id, outDir: join(work.dir, 'x'), quantization: 'int4' as 'uint8' })).rejects.toMatchObject({ field: 'quantization' });
    await expect(studio.exportEas({ modelId: 999, outDir: join(work.dir, 'x') })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the exported processor', () => {
  it('answers exactly as serve for the same requests (float32 export), and stops on SIGTERM', async () => {
    // The dataset gains images after training: the export says its validation split is today's.
    for (let i = 0; i < 6; i++) writeFileSync(join(folder, 'red', `late_${i}.png`), await png(swatch('red', 40, 40, 100 + i), 40, 40));
    const [dataset] = await studio.listDatasets();
    resultOf(await studio.waitJob((await studio.reindexDataset(dataset!.id)).id), 'index');
    expect((await studio.getDataset(dataset!.id)).stats.images).toBe(26);
    const exact = await exportEas(join(work.dir, 'float32'), { quantization: 'float32', serviceName: 'colours' });
    expect(exact.quantization).toMatchObject({ dtype: 'float32', change: 0, maxConfidenceChange: 0 });
    expect(exact.warnings.join('\n')).toMatch(/the dataset changed since run \d+ trained \(2 validation images then, 3 now\)/);

    const served = await studio.startService({ modelId: model.id, port: 0, token: TOKEN, name: 'colours' });
    const processor = await startProcessor(exact.outDir, 'colours');
    try {
      const pixels = swatch('blue', 64, 48, 3);
      const requests: Array<{ method?: string; path: string; token?: string; body?: string }> = [
        { path: '/api/predict/colours', token: TOKEN, body: easBody(await png(swatch('red', 40, 40, 8), 40, 40)) },
        { path: '/api/predict/colours', token: TOKEN, body: easBody(await jpeg(pixels, 64, 48)) },
        { path: '/api/predict/colours', token: TOKEN, body: easBody(bmp(pixels, 64, 48)) },
        { path: '/api/predict/colours', token: TOKEN, body: '{"data": 1}' },
        { path: '/api/predict/colours', token: TOKEN, body: easBody(Buffer.from('not an image')) },
        { path: '/api/predict/colours', body: '{}' },
        { path: '/api/predict/colours', token: 'nope', body: '{}' },
        { path: '/api/predict/../colours', token: TOKEN, body: '{}' },
        { method: 'GET', path: '/health' },
      ];
      const pick = (r: Reply) => ({ status: r.status, type: r.headers['content-type'], body: r.body });
      for (const req of requests) {
        const [a, b] = [await send(served.url, req), await send(processor.url, req)];
        expect(pick(b), `${req.path} ${req.body?.slice(0, 30)}`).toEqual(pick(a));
      }
      expect((await send(processor.url, requests[4]!)).body).toBe(ERROR('1002', 'IMAGE_DECODE_ERROR'));
    } finally {
      processor.child.kill('SIGTERM');
      expect(await processor.exited).toBe(0);
      await studio.stopService('colours');
    }
  });

  it('serves the quantized (auto) export with the same predictions as the float32 model', async () => {
    const processor = await startProcessor(auto.outDir, auto.serviceName);
    try {
      for (const colour of ['red', 'blue']) {
        const image = await png(swatch(colour, 40, 40, 31), 40, 40);
        const reply = await send(processor.url, { path: `/api/predict/${auto.serviceName}`, token: TOKEN, body: easBody(image) });
        const [reference] = await studio.predict({ modelId: model.id, images: [{ base64: image.toString('base64') }] });
        const body = JSON.parse(reply.body).result.output[0].body as Array<{ label: string; conf: number }>;
        expect(body.map((b) => b.label)).toEqual(reference!.result.output[0]!.body.map((b) => b.label));
        expect(Math.abs(body[0]!.conf - reference!.result.output[0]!.body[0]!.conf)).toBeLessThan(0.1);
      }
    } finally {
      processor.child.kill('SIGTERM');
      expect(await processor.exited).toBe(0);
    }
  });

  it('runs several workers on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const processor = await startProcessor(auto.outDir, auto.serviceName, ['--workers', '2']);
    const predict = async () => (await send(processor.url, { path: `/api/predict/${auto.serviceName}`, token: TOKEN, body: easBody(await png(swatch('red', 40, 40, 5), 40, 40)) })).status;
    try {
      expect(processor.pids).toHaveLength(2);
      expect(processor.pids).not.toContain(processor.child.pid);
      expect(await Promise.all(Array.from({ length: 6 }, predict))).toEqual(Array(6).fill(200));
      process.kill(processor.pids[0]!, 'SIGKILL');
      await expect.poll(processor.stderr, { timeout: 10_000 }).toMatch(new RegExp(`worker ${processor.pids[0]} died \\(SIGKILL\\); starting another`));
      // The other worker answers meanwhile, and the replacement joins it.
      expect(await Promise.all(Array.from({ length: 4 }, predict))).toEqual(Array(4).fill(200));
    } finally {
      processor.child.kill('SIGTERM');
      expect(await processor.exited).toBe(0);
    }
    expect(processor.pids.filter(running)).toEqual([]);
  });

  it('refuses to start without a token or --no-auth, naming the option', async () => {
    linkModules(auto.outDir);
    const child = spawn(process.execPath, [join(auto.outDir, 'processor', 'server.js'), '--model', join(auto.outDir, 'model'), '--name', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toMatch(/give --token TOKEN \(or AUTOLEARN_TOKEN\), or --no-auth/);
  });
});
