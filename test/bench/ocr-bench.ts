// npm run bench:ocr [-- --cards 100 --test 30 --epochs 30 --minutes 20 --lr 2e-3 --sequence bigru --width 256
//   --filters 16,32,64,96 --units 96 --seed 1]
// Generates bank cards (ocr-cards template: card number, date, name, bank name in Chinese when a
// CJK font is installed), trains the text recognizer (CRNN + CTC) on the boxes of `--cards`
// images with a 10 % validation split, then reads the lines of `--test` other generated cards
// (another seed, never seen in training) and prints the character error rate (target < 5 %),
// exact line accuracy, wall time, lines/s, model size and the backend.
// Recognition only: the boxes are the generator's; text detection is benchmarked by bench:detect.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateOcrCards } from '../../main/core/templates/ocr-cards';
import { folderIO } from '../../main/core/training/backbones/folder-io';
import { cropLines } from '../../main/core/training/ocr/crops';
import { recognitionScores } from '../../main/core/training/ocr/metrics';
import type { SequenceKind } from '../../main/core/training/ocr/network';
import { recognizeCrops } from '../../main/core/training/ocr/recognize';
import { trainRecognizer, type RecognizerSample } from '../../main/core/training/ocr/train-recognizer';
import { initBackend } from '../../main/core/training/tf/backend';
import { tempDir } from '../helpers/fixtures';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const cards = Number(arg('cards', '100'));
const testCards = Number(arg('test', '30'));
const epochs = Number(arg('epochs', '30'));
const minutes = Number(arg('minutes', '20'));
const sequence = arg('sequence', 'bigru') as SequenceKind;
const width = Number(arg('width', '256'));
const seed = Number(arg('seed', '1'));
const learningRate = Number(arg('lr', '2e-3'));
const filters = arg('filters', '') ? (arg('filters', '').split(',').map(Number) as [number, number, number, number]) : undefined;
const units = arg('units', '') ? Number(arg('units', '')) : undefined;

const work = tempDir('bench-ocr-');
try {
  const backend = await initBackend('auto');
  console.log(`backend: ${backend.detail}`);
  let t0 = performance.now();
  const trainSet = await generateOcrCards({ outDir: join(work.dir, 'train'), count: cards, seed });
  const testSet = await generateOcrCards({ outDir: join(work.dir, 'test'), count: testCards, seed: seed + 1000 });
  console.log(`generated ${cards} + ${testCards} cards in ${((performance.now() - t0) / 1000).toFixed(1)} s (Chinese lines: ${trainSet.cjk ? 'yes' : 'no'}; fonts: ${trainSet.fonts.join(', ')})`);

  const samples: RecognizerSample[] = [];
  for (const card of trainSet.cards) {
    const image = await readFile(card.image);
    for (const line of card.lines) samples.push({ image, box: line.box, text: line.text });
  }
  // Validation: every 10th card's lines (whole cards, so no card is on both sides).
  const perCard = trainSet.cards.map((c) => c.lines.length);
  const train: RecognizerSample[] = [];
  const val: RecognizerSample[] = [];
  let k = 0;
  perCard.forEach((n, card) => {
    for (let i = 0; i < n; i++) (card % 10 === 9 ? val : train).push(samples[k++]!);
  });

  t0 = performance.now();
  const result = await trainRecognizer({
    train,
    val,
    epochs,
    seed,
    deadline: Date.now() + minutes * 60_000,
    learningRate,
    network: { width, sequence, ...(filters ? { filters } : {}), ...(units ? { units } : {}) },
    onPrepare: (done, total) => process.stderr.isTTY && process.stderr.write(`\rpreparing crops ${done}/${total}`),
    onEpoch: (r, improved) =>
      console.log(
        `epoch ${String(r.epoch).padStart(2)}: loss ${r.loss?.toFixed(3) ?? '-'}  val loss ${r.valLoss?.toFixed(3)}  val CER ${((r.cer ?? 0) * 100).toFixed(2)} %  lines ${((r.lineAccuracy ?? 0) * 100).toFixed(1)} %  lr ${r.learningRate.toExponential(1)}  ${r.samplesPerSec?.toFixed(1) ?? '-'} lines/s  ${(r.elapsedMs / 1000).toFixed(0)} s${improved ? '  *' : ''}`,
      ),
  });
  const trainSeconds = (performance.now() - t0) / 1000;

  const crops: Uint8Array[] = [];
  const refs: string[] = [];
  for (const card of testSet.cards) {
    crops.push(...(await cropLines(card.image, card.lines.map((l) => l.box), result.geometry)).map((c) => c.pixels));
    refs.push(...card.lines.map((l) => l.text));
  }
  t0 = performance.now();
  const got = recognizeCrops(result.model, result.charset, crops, result.geometry);
  const predictMs = (performance.now() - t0) / crops.length;
  const scores = recognitionScores(refs, got.map((g) => g.text));

  const modelDir = join(work.dir, 'model');
  await result.model.save(folderIO(modelDir));
  let bytes = 0;
  for (const f of await readdir(modelDir)) bytes += (await stat(join(modelDir, f))).size;

  const wrong = refs.map((r, i) => [r, got[i]!.text] as const).filter(([r, h]) => r !== h);
  for (const [r, h] of wrong.slice(0, 12)) console.log(`  ${JSON.stringify(r)} → ${JSON.stringify(h)}`);
  console.log('');
  console.log(`OCR recognition: ${train.length} training lines, ${val.length} validation lines, ${refs.length} held-out lines (${testCards} cards), ${result.charset.chars.length} characters`);
  console.log(`  network: ${result.config.width}×${result.config.height}, ${result.config.sequence} (${result.config.units} units, ${result.config.group} frames/step), filters ${result.config.filters.join('/')}`);
  console.log(`  held-out CER ${(scores.cer * 100).toFixed(2)} % (target < 5 %), exact lines ${(scores.lineAccuracy * 100).toFixed(1)} %`);
  console.log(`  best epoch ${result.bestEpoch} of ${result.epochs} (${result.stopReason}); training ${trainSeconds.toFixed(0)} s; prediction ${predictMs.toFixed(1)} ms/line`);
  console.log(`  model_size ${(bytes / 1024).toFixed(0)} KiB; backend ${backend.detail} (${tf.getBackend()})`);
  result.model.dispose();
} finally {
  work.cleanup();
}
