import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableFonts, generateOcrCards, type GeneratedSet } from '../../../../main/core/templates/ocr-cards';
import { folderIO } from '../../../../main/core/training/backbones/folder-io';
import { Charset } from '../../../../main/core/training/ocr/charset';
import { cropLines } from '../../../../main/core/training/ocr/crops';
import { buildRecognizer, recognizerGeometry } from '../../../../main/core/training/ocr/network';
import { recognizeCrops } from '../../../../main/core/training/ocr/recognize';
import { trainRecognizer, type RecognizerSample, type TrainRecognizerResult } from '../../../../main/core/training/ocr/train-recognizer';
import { initBackend } from '../../../../main/core/training/tf/backend';

const haveFonts = availableFonts().latin.length > 0;
if (!haveFonts) console.warn('recognizer training tests skipped: fontconfig lists no font (install fonts-dejavu-core)');

// A small recognizer for digit lines of 3–8 characters: 128 px wide → 32 frames, 16 GRU steps.
const SMALL = { width: 128, filters: [16, 32, 48, 64] as [number, number, number, number], units: 64, dropout: 0 };

let dir: string;
let train: RecognizerSample[];
let val: RecognizerSample[];
let valSet: GeneratedSet;
let trained: TrainRecognizerResult;

async function samplesOf(set: GeneratedSet): Promise<RecognizerSample[]> {
  const out: RecognizerSample[] = [];
  for (const card of set.cards) {
    const image = await readFile(card.image);
    for (const line of card.lines) out.push({ image, box: line.box, text: line.text });
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocr-train-'));
  await initBackend('cpu'); // wasm (no native TensorFlow here)
  if (!haveFonts) return;
  // About 200 training lines (40 images × 4–6 lines) and 40 validation lines, digits only.
  const trainSet = await generateOcrCards({ outDir: join(dir, 'train'), count: 40, seed: 101, layout: 'digits' });
  valSet = await generateOcrCards({ outDir: join(dir, 'val'), count: 8, seed: 202, layout: 'digits' });
  train = await samplesOf(trainSet);
  val = await samplesOf(valSet);
}, 120_000);

afterAll(async () => {
  trained?.model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!haveFonts)('recognizer training (CRNN + CTC, wasm)', () => {
  it('learns to read digit lines: validation CER far below chance', async () => {
    const epochs: number[] = [];
    const started = Date.now();
    trained = await trainRecognizer({
      train,
      val,
      epochs: 8,
      batchSize: 16,
      learningRate: 3e-3,
      seed: 3,
      network: SMALL,
      onEpoch: (r) => {
        epochs.push(r.epoch);
        console.log(`epoch ${r.epoch}: loss ${r.loss?.toFixed(3) ?? '-'} val loss ${r.valLoss?.toFixed(3)} CER ${r.cer?.toFixed(3)} lines ${r.lineAccuracy?.toFixed(3)} (${r.samplesPerSec?.toFixed(0) ?? '-'} lines/s)`);
      },
    });
    console.log(`trained ${train.length} lines in ${((Date.now() - started) / 1000).toFixed(1)} s on ${tf.getBackend()}`);
    expect(train.length).toBeGreaterThan(150);
    expect(trained.skipped).toEqual([]);
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(trained.stopReason).toBe('completed');
    expect(trained.charset.chars).toEqual('0123456789'.split(''));
    // Chance: an untrained network's CER is ≥ 0.9 here (history[0]).
    expect(trained.history[0]!.cer).toBeGreaterThan(0.8);
    expect(trained.best.cer).toBeLessThan(0.3);
    expect(trained.best.lineAccuracy).toBeGreaterThan(0.3);
    // The losses went down.
    expect(trained.history.at(-1)!.loss!).toBeLessThan(trained.history[1]!.loss! / 2);
  }, 300_000);

  it('the returned model holds the best epoch, reads crops, and survives a save and load', async () => {
    const geometry = trained.geometry;
    const crops: Uint8Array[] = [];
    const refs: string[] = [];
    for (const card of valSet.cards) {
      const cs = await cropLines(card.image, card.lines.map((l) => l.box), geometry);
      crops.push(...cs.map((c) => c.pixels));
      refs.push(...card.lines.map((l) => l.text));
    }
    const got = recognizeCrops(trained.model, trained.charset, crops, geometry);
    let edits = 0;
    let chars = 0;
    got.forEach((g, i) => {
      chars += refs[i]!.length;
      for (let k = 0; k < Math.max(g.text.length, refs[i]!.length); k++) if (g.text[k] !== refs[i]![k]) edits++;
      expect(g.confidence).toBeGreaterThanOrEqual(0);
      expect(g.confidence).toBeLessThanOrEqual(1);
    });
    // Position-wise mismatches bound the edit distance from above.
    expect(edits / chars).toBeLessThan(0.5);

    const saved = join(dir, 'model');
    await trained.model.save(folderIO(saved));
    const loaded = await tfl.loadLayersModel(folderIO(saved));
    expect(recognizerGeometry(loaded)).toEqual(recognizerGeometry(trained.model));
    const again = recognizeCrops(loaded, Charset.fromJSON(JSON.parse(JSON.stringify(trained.charset))), crops, geometry);
    expect(again.map((r) => r.text)).toEqual(got.map((r) => r.text));
    loaded.dispose();
  }, 120_000);

  it('stops when asked or past its deadline, returning a usable model', async () => {
    const few = train.slice(0, 8);
    const stopped = await trainRecognizer({ train: few, val: few.slice(0, 2), epochs: 5, network: { ...SMALL, sequence: 'none' }, stopRequested: () => true });
    expect(stopped.stopReason).toBe('user');
    expect(stopped.epochs).toBe(0);
    expect(stopped.bestEpoch).toBe(0);
    expect(recognizerGeometry(stopped.model).frames).toBe(32);
    stopped.model.dispose();
    const late = await trainRecognizer({ train: few, val: [], epochs: 5, network: { ...SMALL, sequence: 'none' }, deadline: Date.now() - 1 });
    expect(late.stopReason).toBe('time_budget');
    expect(late.history[0]!.cer).toBeNull();
    late.model.dispose();
  }, 60_000);

  it('skips lines it cannot learn from, saying why', async () => {
    const base = train[0]!;
    const r = await trainRecognizer({
      train: [base, { ...base, text: '' }, { ...base, text: '1'.repeat(20) }, { ...base, box: { xmin: 5000, ymin: 0, xmax: 5100, ymax: 20 } }],
      val: [{ ...base, text: '12x' }],
      charset: Charset.fromTexts(['0123456789']),
      epochs: 1,
      network: { ...SMALL, sequence: 'none' },
    });
    expect(r.skipped.map((s) => [s.split, s.index, s.reason.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['train', 1, 'empty transcription'],
      ['train', 2, '39 frames'],
      ['train', 3, 'box [5000,'],
    ]);
    // An unknown character in validation is kept: it counts as an error.
    expect(r.history[1]!.cer).not.toBeNull();
    r.model.dispose();
  }, 60_000);

  it('continues from a base model with the same charset and geometry, and refuses another', async () => {
    const cs = Charset.fromTexts(['0123456789']);
    const base = buildRecognizer({ ...SMALL, sequence: 'none', classes: cs.classes });
    const r = await trainRecognizer({ train: train.slice(0, 8), val: [], charset: cs, base, epochs: 1 });
    expect(r.model).toBe(base);
    await expect(trainRecognizer({ train: train.slice(0, 8), val: [], charset: Charset.fromTexts(['01']), base, epochs: 1 })).rejects.toThrow(/classes/);
    base.dispose();
  }, 60_000);
});
