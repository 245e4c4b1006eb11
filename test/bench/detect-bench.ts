// npm run bench:detect [-- fast accurate scratch-fast scratch-accurate]
// Trains object detectors on ../shared/datasets/kangaroo (164 JPEGs + VOC XML, one label) with a
// fixed seeded 90/10 split, in-process (the training process runs exactly trainDetector), and
// prints mAP@0.5, COCO mAP@[.5:.95], the losses, model_size, wall time and the backend.
// The pretrained cases use the stand-in MobileNetV2 unwrapped from the nsfwjs package (fine-tuned for
// another task, so weaker than an ImageNet backbone): a benchmark aid only.
// BENCH_MINUTES=N sets each run's time budget (default: fast 10, accurate 30); BENCH_SEED=S the seed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Algorithm } from '../../main/shared/api';
import { splitTrainVal } from '../../main/core/datasets/split';
import { parseVoc } from '../../main/core/interchange/voc';
import { trainDetector } from '../../main/core/training/detection/train';
import type { BackboneSpec, TrainImage } from '../../main/core/training/protocol';
import { SHARED_MISSING, sharedDataset, tempDir } from '../helpers/fixtures';
import { NSFWJS_MISSING, nsfwjsBackbone, nsfwjsModelDir } from './standin-backbone';
import { nodeHostIO } from '../../main/core/training/node-io';

const CASES: Record<string, { algorithm: Algorithm; backbone: 'standin' | 'none'; minutes: number }> = {
  fast: { algorithm: 'fast', backbone: 'standin', minutes: 10 },
  accurate: { algorithm: 'accurate', backbone: 'standin', minutes: 30 },
  'scratch-fast': { algorithm: 'fast', backbone: 'none', minutes: 10 },
  'scratch-accurate': { algorithm: 'accurate', backbone: 'none', minutes: 30 },
};

const root = sharedDataset('kangaroo');
if (!root) {
  console.log(`bench:detect ${SHARED_MISSING}`);
  process.exit(0);
}
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['fast', 'accurate'];
const unknown = wanted.filter((w) => !(w in CASES));
if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}; choose from ${Object.keys(CASES).join(', ')}`);
const seed = Number(process.env.BENCH_SEED ?? 1);

// The images with their VOC boxes; the split is the training split's (stratified by first label, 10 % val).
const images: TrainImage[] = [];
for (const file of readdirSync(root).filter((f) => f.endsWith('.xml')).sort()) {
  const voc = parseVoc(readFileSync(join(root, file)));
  const path = join(root, file.replace(/\.xml$/, '.jpg'));
  images.push({ path, label: voc.boxes[0]?.label ?? '', split: 'train', boxes: voc.boxes.map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult })) });
}
const split = splitTrainVal(images.map((i) => ({ key: i.path, stratum: i.label })), 0.9, seed);
for (const i of images) i.split = split.get(i.path)!;
const labels = [...new Set(images.flatMap((i) => i.boxes!.map((b) => b.label)))].sort();
console.log(`bench:detect kangaroo: ${images.length} images (${images.filter((i) => i.split === 'train').length} train, ${images.filter((i) => i.split === 'val').length} val), ${images.reduce((n, i) => n + i.boxes!.length, 0)} boxes, labels ${labels.join(', ')}, seed ${seed}`);

const work = tempDir('bench-detect-');
try {
  let standin: BackboneSpec | null = null;
  if (wanted.some((w) => CASES[w]!.backbone === 'standin')) {
    if (nsfwjsModelDir()) {
      const dir = await nsfwjsBackbone(join(work.dir, 'standin'));
      const json = JSON.parse(readFileSync(join(dir, 'backbone.json'), 'utf8')) as { preprocessing: BackboneSpec['preprocessing']; featureLayer?: string };
      standin = { id: 'nsfwjs-mobilenet_v2 (stand-in)', dir, preprocessing: json.preprocessing, featureLayer: json.featureLayer ?? null };
    } else console.log(`bench:detect ${NSFWJS_MISSING}`);
  }
  for (const [n, name] of wanted.entries()) {
    const c = CASES[name]!;
    if (c.backbone === 'standin' && !standin) continue;
    const minutes = Number(process.env.BENCH_MINUTES ?? c.minutes);
    const started = performance.now();
    let backend = '';
    let last = '';
    const outcome = await trainDetector(
      { runId: n + 1, runDir: join(work.dir, name), algorithm: c.algorithm, device: 'auto', seed, budgetMs: minutes * 60_000, hpo: true, labels, images, backbone: c.backbone === 'standin' ? standin : null, baseModel: null },
      {
        ...nodeHostIO,
        emit: (e) => {
          if (e.type === 'backend') backend = e.backend.detail;
          else if (e.type === 'log') console.log(`  ${name}: ${e.message}`);
          else if (e.type === 'progress' && e.message !== last) {
            last = e.message;
            if (e.phase === 'train' || e.phase === 'search') console.log(`  ${name}: ${e.message}`);
          }
        },
        stopRequested: () => false,
      },
    );
    const wall = (performance.now() - started) / 1000;
    const m = outcome.metrics;
    if (!m) {
      console.log(`bench:detect ${name}: no model (${outcome.stopReason})`);
      continue;
    }
    console.log(
      `bench:detect ${name.padEnd(16)} mAP@0.5 ${m['DetectionBoxes_Precision/mAP@.50IOU'].toFixed(3)} · COCO mAP ${m['DetectionBoxes_Precision/mAP'].toFixed(3)} · loss ${m.loss.toFixed(4)} (classification ${m['Loss/classification_loss'].toFixed(4)}, localization ${m['Loss/localization_loss'].toFixed(4)}) · model_size ${(m.model_size / 1024).toFixed(0)} KB · wall ${wall.toFixed(0)} s (budget ${minutes} min) · ${outcome.stopReason} after ${outcome.epochs} epochs · input ${outcome.inputSize} · backend ${backend} · backbone ${outcome.backbone ?? 'none'} · ${String(outcome.params.plan)}`,
    );
  }
} finally {
  work.cleanup();
}
