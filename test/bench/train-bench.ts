// npm run bench:train [-- fast accurate scratch-fast scratch-accurate]
// Trains on ../shared/datasets/hymenoptera/train (ants vs bees), scores each model on
// hymenoptera/val, and prints accuracy, wall time, training images/s and the backend.
// With ~22 validation images per run, accuracy varies a lot with the seed (split, initialisation),
// so the quick cases run seeds 1, 2 and 3 and print the median; the 10-minute ones run seed 1
// (BENCH_SEEDS=1,2,… overrides both).
// `-- --device gpu` runs each case (default scratch-fast, seed 1) once per device found: the CPU (WASM
// process) as the reference, then CUDA (tfjs-node-gpu), WebGPU and WebGL (a browser training host: a
// headless Chromium; AUTOLEARN_CHROMIUM_ARGS adds flags, e.g. SwiftShader's where there is no GPU),
// and prints images/s per backend. Software rendering shows correctness, not speed.
// The pretrained runs use a stand-in MobileNetV2 unwrapped from the nsfwjs package (fine-tuned for
// another task, so weaker than an ImageNet backbone): a benchmark aid only, never the product default.

import { join } from 'node:path';
import { resultOf, type Algorithm, type DeviceChoice, type TrainingRun } from '../../main/shared/api';
import { listDevices } from '../../main/core/training/devices';
import { openStudio } from '../../main/core/studio';
import { SHARED_MISSING, sharedDataset, tempDir } from '../helpers/fixtures';
import { classificationOf } from '../helpers/training';
import { NSFWJS_MISSING, nsfwjsBackbone, nsfwjsModelDir } from './standin-backbone';

const CASES: Record<string, { algorithm: Algorithm; backbone: 'standin' | 'none'; seeds: number[] }> = {
  fast: { algorithm: 'fast', backbone: 'standin', seeds: [1, 2, 3] },
  accurate: { algorithm: 'accurate', backbone: 'standin', seeds: [1] },
  'scratch-fast': { algorithm: 'fast', backbone: 'none', seeds: [1, 2, 3] },
  'scratch-accurate': { algorithm: 'accurate', backbone: 'none', seeds: [1] },
};
const seedsOverride = process.env.BENCH_SEEDS?.split(',').map(Number);

const root = sharedDataset('hymenoptera');
if (!root) {
  console.log(`bench:train ${SHARED_MISSING}`);
  process.exit(0);
}
const args = process.argv.slice(2);
const deviceAt = args.indexOf('--device');
const device = deviceAt >= 0 ? args.splice(deviceAt, 2)[1] : undefined;
if (device !== undefined && device !== 'gpu') throw new Error(`--device ${device}: only --device gpu is a benchmark mode`);
const wanted = args.length ? args : device ? ['scratch-fast'] : Object.keys(CASES);
const unknown = wanted.filter((w) => !(w in CASES));
if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}; choose from ${Object.keys(CASES).join(', ')}`);

const work = tempDir('bench-train-');
try {
  let standin: string | null = null;
  if (wanted.some((w) => CASES[w]!.backbone === 'standin')) {
    if (nsfwjsModelDir()) standin = await nsfwjsBackbone(join(work.dir, 'standin'));
    else console.log(`bench:train ${NSFWJS_MISSING}`);
  }
  const studio = await openStudio({ workspace: join(work.dir, 'ws') });
  // --device gpu: the reference on the CPU, then every GPU path found, by name.
  const devices: Array<{ id: DeviceChoice; label: string }> = [{ id: 'cpu', label: 'CPU (reference)' }];
  if (device) {
    const found = (await listDevices(studio.trainingHosts, true)).filter((d) => d.id !== 'cpu');
    for (const d of found) {
      console.log(`bench:train device ${d.id}: ${d.label}${d.usable ? '' : ` (not usable: ${d.note})`}`);
      if (d.usable) devices.push(d);
    }
    if (devices.length === 1) console.log('bench:train no GPU path found; on a machine without a GPU, AUTOLEARN_CHROMIUM_ARGS="--enable-unsafe-swiftshader --use-angle=swiftshader" gives WebGPU/WebGL in software');
    if (found.some((d) => d.usable && /software rendering/.test(d.label))) console.log('bench:train software rendering (SwiftShader): the GPU figures below show correctness, not GPU speed');
  }
  const instance = await studio.createInstance({ type: 'classification', name: 'hymenoptera' });
  const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'train', path: join(root, 'train') });
  resultOf(await studio.waitJob(job.id), 'index');
  for (const name of wanted) {
    const c = CASES[name]!;
    if (c.backbone === 'standin' && !standin) continue;
    const accuracies: number[] = [];
    for (const seed of seedsOverride ?? (device ? [1] : c.seeds)) for (const d of device ? devices : [null]) {
      const started = performance.now();
      const { job: trainJob } = await studio.startTraining({ datasetId: dataset.id, name: `${name}-seed${seed}${d ? `-${d.id}` : ''}`, algorithm: c.algorithm, backbone: c.backbone === 'standin' ? standin! : 'none', seed, ...(d ? { device: d.id } : {}) });
      let last = '';
      const off = studio.subscribe((e) => {
        if (process.stderr.isTTY && e.type === 'job' && e.job.id === trainJob.id && e.job.progress.message !== last) {
          last = e.job.progress.message;
          process.stderr.write(`\r${name}: ${last}`.padEnd(100).slice(0, 100));
        }
      });
      const report = resultOf(await studio.waitJob(trainJob.id), 'train');
      off();
      const wall = (performance.now() - started) / 1000;
      const evaluation = resultOf(await studio.waitJob((await studio.evaluateModel({ modelId: report.model!.id, path: join(root, 'val') })).id), 'evaluate');
      const { accuracy } = classificationOf(evaluation.metrics);
      accuracies.push(accuracy);
      console.log(
        `bench:train ${name.padEnd(16)} seed ${seed}${d ? ` · device ${d.id}` : ''} · val accuracy ${accuracy.toFixed(3)} (${evaluation.metrics.samples} images) · wall ${wall.toFixed(1)} s · ${imagesPerSec(report.run)} training images/s · ${report.run.stopReason} after ${report.run.params.epochs} epochs · backend ${report.run.backend?.detail} · backbone ${report.model!.backbone ?? 'none'} · model ${(report.model!.sizeBytes / 1024).toFixed(0)} KB`,
      );
    }
    // A median over seeds (with --device the rows are devices, each shown above).
    if (accuracies.length > 1 && !device) {
      const sorted = [...accuracies].sort((a, b) => a - b);
      console.log(`bench:train ${name.padEnd(16)} val accuracy median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} (${sorted[0]!.toFixed(3)}–${sorted.at(-1)!.toFixed(3)} over ${sorted.length} seeds)`);
    }
  }
  await studio.close();
} finally {
  work.cleanup();
}

/** Median over the final training's epochs (trials excluded). */
function imagesPerSec(run: TrainingRun): string {
  const rates = run.epochs.filter((e) => e.trial === null && e.imagesPerSec !== null).map((e) => e.imagesPerSec!).sort((a, b) => a - b);
  return rates.length ? rates[Math.floor(rates.length / 2)]!.toFixed(0) : '-';
}
