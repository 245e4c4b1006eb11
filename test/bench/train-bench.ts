// npm run bench:train [-- fast accurate scratch-fast scratch-accurate]
// Trains on ../shared/datasets/hymenoptera/train (ants vs bees), scores each model on
// hymenoptera/val, and prints accuracy, wall time, training images/s and the backend.
// With ~22 validation images per run, accuracy varies a lot with the seed (split, initialisation),
// so the quick cases run seeds 1, 2 and 3 and print the median; the 10-minute ones run seed 1
// (BENCH_SEEDS=1,2,… overrides both).
// The pretrained runs use a stand-in MobileNetV2 unwrapped from the nsfwjs package (fine-tuned for
// another task, so weaker than an ImageNet backbone): a benchmark aid only, never the product default.

import { join } from 'node:path';
import { resultOf, type Algorithm, type TrainingRun } from '../../main/shared/api';
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
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CASES);
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
  const instance = await studio.createInstance({ type: 'classification', name: 'hymenoptera' });
  const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'train', path: join(root, 'train') });
  resultOf(await studio.waitJob(job.id), 'index');
  for (const name of wanted) {
    const c = CASES[name]!;
    if (c.backbone === 'standin' && !standin) continue;
    const accuracies: number[] = [];
    for (const seed of seedsOverride ?? c.seeds) {
      const started = performance.now();
      const { job: trainJob } = await studio.startTraining({ datasetId: dataset.id, name: `${name}-seed${seed}`, algorithm: c.algorithm, backbone: c.backbone === 'standin' ? standin! : 'none', seed });
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
        `bench:train ${name.padEnd(16)} seed ${seed} · val accuracy ${accuracy.toFixed(3)} (${evaluation.metrics.samples} images) · wall ${wall.toFixed(1)} s · ${imagesPerSec(report.run)} training images/s · ${report.run.stopReason} after ${report.run.params.epochs} epochs · backend ${report.run.backend?.detail} · backbone ${report.model!.backbone ?? 'none'} · model ${(report.model!.sizeBytes / 1024).toFixed(0)} KB`,
      );
    }
    if (accuracies.length > 1) {
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
