// npm run bench:serve [-- default-shape standin scratch]
// Load on the EAS-compatible service over loopback with autocannon: a high-speed classifier is
// trained, served by the processor entry (the code `serve` and the exported package run) in its
// own process (with its default worker count, one per core: BENCH_WORKERS overrides), and hit with
// POST /api/predict/<name> carrying a 640×480 JPEG:
//   1. steady load (BENCH_CONNECTIONS, default 4): req/s, latency p50/p99, errors by code;
//   2. overload (BENCH_OVERLOAD connections, default 256, over the default queue of 64): which errors appear.
// Models: 'standin' = high-speed head on the stand-in MobileNetV2 (α 1.0, 224×224, from the nsfwjs
// devDependency, see standin-backbone.ts); 'scratch' = high-speed on the small from-scratch network
// (64×64), the fallback when nsfwjs is missing; 'default-shape' = high-speed on the product's default
// backbone architecture, MobileNetV2 α 0.35 at 224, with random weights (its pretrained weights cannot
// be downloaded here, and serving speed does not depend on the weights; see mobilenet-v2.ts). Data: ../shared/datasets/hymenoptera/train when
// present, else generated colour swatches. Timings are printed, never asserted.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { resultOf, type ModelVersion } from '../../main/shared/api';
import { openStudio, type Studio } from '../../main/core/studio';
import { sharedDataset, tempDir } from '../helpers/fixtures';
import { classificationOf, colourFolder } from '../helpers/training';
import { saveMobileNetV2 } from './mobilenet-v2';
import { NSFWJS_MISSING, nsfwjsBackbone, nsfwjsModelDir } from './standin-backbone';

const repoRoot = resolve(import.meta.dirname, '../..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const OVERLOAD = Number(process.env.BENCH_OVERLOAD ?? 256);
const TOKEN = 'bench-token';
const NAME = 'bench';

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['default-shape', 'standin', 'scratch'];
const work = tempDir('bench-serve-');
let child: ChildProcessByStdio<null, Readable, Readable> | null = null;

try {
  const hymenoptera = sharedDataset('hymenoptera');
  const folder = hymenoptera ? join(hymenoptera, 'train') : await colourFolder(join(work.dir, 'colours'), { perClass: 20, size: 96 });
  const studio = await openStudio({ workspace: join(work.dir, 'ws') });
  const instance = await studio.createInstance({ type: 'classification', name: 'bench' });
  const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'train', path: folder });
  resultOf(await studio.waitJob(job.id), 'index');
  const photo = await requestImage(hymenoptera);
  const body = JSON.stringify({ dataArray: [{ name: 'image', type: 'stream', body: photo.toString('base64') }] });
  console.log(`bench:serve data ${hymenoptera ? 'hymenoptera/train' : 'generated colour swatches'} · request: one ${(await sharp(photo).metadata()).width}×${(await sharp(photo).metadata()).height} JPEG (${(photo.length / 1024).toFixed(0)} KB, body ${(body.length / 1024).toFixed(0)} KB) · ${DURATION} s per run · latency resolution 1 ms (autocannon)`);

  for (const kind of wanted) {
    let backbone = 'none';
    if (kind === 'standin') {
      if (!nsfwjsModelDir()) {
        console.log(`bench:serve ${NSFWJS_MISSING}`);
        continue;
      }
      backbone = await nsfwjsBackbone(join(work.dir, 'standin'));
    } else if (kind === 'default-shape') {
      backbone = await saveMobileNetV2(join(work.dir, 'mobilenet_v2_0.35'), 0.35);
    } else if (kind !== 'scratch') throw new Error(`unknown model ${kind}: default-shape, standin or scratch`);
    const model = await train(studio, dataset.id, kind, backbone);
    child = startProcessor(model);
    const { url, backend: backendDetail, workers } = await firstLine(child);
    const label = `${kind} (${model.inputSize}×${model.inputSize}, ${(model.sizeBytes / 1024 / 1024).toFixed(1)} MB, ${backendDetail}, ${workers} worker${workers === 1 ? '' : 's'})`;
    await load(url, body, 2, Math.min(2, CONNECTIONS)); // warm-up
    const steady = await load(url, body, DURATION, CONNECTIONS);
    report(label, `${CONNECTIONS} connections`, steady);
    const overload = await load(url, body, DURATION, OVERLOAD);
    report(label, `overload, ${OVERLOAD} connections, queue 64`, overload);
    const others = Object.keys(overload.codes).filter((c) => c !== '200' && c !== '2002');
    console.log(`bench:serve ${label} overload: ${others.length || overload.socketErrors || overload.timeouts ? `UNEXPECTED errors besides 2002: ${JSON.stringify({ codes: others, socket: overload.socketErrors, timeouts: overload.timeouts })}` : 'only 2002 GET_INSTANCE_ERROR beyond the queue, no other error'}`);
    child.kill('SIGTERM');
    await new Promise((r) => child!.on('exit', r));
    child = null;
  }
  await studio.close();
} finally {
  if (child) child.kill('SIGKILL');
  work.cleanup();
}

async function train(studio: Studio, datasetId: number, kind: string, backbone: string): Promise<ModelVersion> {
  const started = performance.now();
  const { job } = await studio.startTraining({ datasetId, name: `${kind}-serve`, algorithm: 'fast', backbone, seed: 1, hpo: false });
  const r = resultOf(await studio.waitJob(job.id), 'train');
  if (!r.model) throw new Error(`${kind}: training saved no model`);
  console.log(`bench:serve trained ${kind} in ${((performance.now() - started) / 1000).toFixed(0)} s (val accuracy ${classificationOf(r.model.metrics).accuracy.toFixed(3)})`);
  return r.model;
}

/** A real photo when the dataset is there, else a generated one; 640×480 JPEG either way. */
async function requestImage(hymenoptera: string | null): Promise<Buffer> {
  if (hymenoptera) {
    const dir = join(hymenoptera, 'val', 'bees');
    const file = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort()[0]!;
    return sharp(readFileSync(join(dir, file))).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
  }
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a6', noise: { type: 'gaussian', mean: 120, sigma: 40 } } }).jpeg({ quality: 85 }).toBuffer();
}

/** The processor entry (main/core/serving/processor.ts) in its own process, so the load generator does not share its event loop. */
function startProcessor(model: ModelVersion): ChildProcessByStdio<null, Readable, Readable> {
  const p = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'main/core/serving/processor.ts'), '--model', model.dir, '--name', NAME, '--token', TOKEN, '--port', '0', '--request-timeout-ms', '60000', ...(process.env.BENCH_WORKERS ? ['--workers', process.env.BENCH_WORKERS] : [])], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stderr.on('data', () => {}); // one line per refused request under overload
  return p;
}

/** The JSON line the processor prints once it listens. */
function firstLine(p: ChildProcessByStdio<null, Readable, Readable>): Promise<{ url: string; backend: string; workers: number }> {
  return new Promise((resolveLine, reject) => {
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolveLine(JSON.parse(out.split('\n')[0]!));
    });
    p.on('exit', (code) => reject(new Error(`the processor exited (${code})`)));
  });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  codes: Record<string, number>;
  socketErrors: number;
  timeouts: number;
}

async function load(url: string, body: string, seconds: number, connections: number): Promise<LoadResult> {
  const codes: Record<string, number> = {};
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: `/api/predict/${NAME}`,
        headers: { authorization: TOKEN, 'content-type': 'application/json' },
        body,
        onResponse: (status: number, text: string) => {
          let code = String(status);
          try {
            const json = JSON.parse(text) as { success?: boolean; errorCode?: string };
            if (json.success === false && json.errorCode) code = json.errorCode;
          } catch {
            // not JSON: keep the HTTP status
          }
          codes[code] = (codes[code] ?? 0) + 1;
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total, codes, socketErrors: result.errors, timeouts: result.timeouts };
}

function report(label: string, what: string, r: LoadResult): void {
  const errors = Object.entries(r.codes).filter(([c]) => c !== '200');
  console.log(
    `bench:serve ${label} · ${what}: ${r.rps.toFixed(1)} req/s · p50 ${r.p50} ms · p99 ${r.p99} ms · ${r.total} requests · ${r.codes['200'] ?? 0} ok · errors ${errors.length ? errors.map(([c, n]) => `${c}×${n}`).join(', ') : 'none'}${r.socketErrors ? ` · socket errors ${r.socketErrors}` : ''}${r.timeouts ? ` · timeouts ${r.timeouts}` : ''}`,
  );
}
