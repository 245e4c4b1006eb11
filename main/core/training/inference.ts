// Running a saved model in the app's process: "try the model" (predict) and scoring it on a
// labeled folder (evaluate). Outputs follow the EAS response of seed 004.

import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { StudioError, type EasResult, type ModelEvaluation, type ModelVersion, type PathIssue, type Prediction, type PredictInput } from '../../shared/api';
import type { JobContext } from '../jobs/jobs';
import { decodeSquare, toBatch } from './images';
import { scoreProbabilities } from './metrics';
import type { ModelMetadata } from './model-metadata';
import { loadModel } from './saved-model';
import { initBackend } from './tf/backend';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp']);
const CACHED_MODELS = 3;
const BATCH = 8;

interface Loaded {
  model: tfl.LayersModel;
  meta: ModelMetadata;
}

export class Inference {
  private readonly cache = new Map<number, Promise<Loaded>>();

  /** Class probabilities for decoded images, in the model's label order. */
  private async probabilities(version: ModelVersion, pixels: Uint8Array[]): Promise<{ meta: ModelMetadata; probs: Float32Array }> {
    const { model, meta } = await this.load(version);
    const out = new Float32Array(pixels.length * meta.labels.length);
    for (let start = 0; start < pixels.length; start += BATCH) {
      const y = tf.tidy(() => model.predict(toBatch(tf, pixels.slice(start, start + BATCH), meta.preprocessing)) as tf.Tensor);
      out.set(await y.data(), start * meta.labels.length);
      y.dispose();
    }
    return { meta, probs: out };
  }

  async predict(version: ModelVersion, images: PredictInput['images']): Promise<Prediction[]> {
    const { meta } = await this.load(version);
    const decoded = await Promise.all(
      images.map(async (img, i) => {
        const name = 'path' in img ? img.path : (img.name ?? `image ${i + 1}`);
        const source = 'path' in img ? img.path : Buffer.from(img.base64, 'base64');
        return { name, ...(await decodeSquare(source, meta.preprocessing.size, name)) };
      }),
    );
    const { probs } = await this.probabilities(version, decoded.map((d) => d.pixels));
    const k = meta.labels.length;
    return decoded.map((d, i): Prediction => ({ image: d.name, result: easResult(meta.labels, probs.subarray(i * k, (i + 1) * k), d.width, d.height) }));
  }

  async evaluate(version: ModelVersion, root: string, ctx: JobContext): Promise<ModelEvaluation> {
    const started = performance.now();
    const { meta } = await this.load(version);
    const skipped: PathIssue[] = [];
    const samples: Array<{ path: string; label: string }> = [];
    let entries;
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch (err) {
      throw new StudioError('invalid_input', `cannot read folder ${root}: ${(err as Error).message}`, 'path');
    }
    for (const dir of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      for (const file of (await readdir(join(root, dir.name))).sort()) {
        if (!IMAGE_EXTENSIONS.has(extname(file).toLowerCase())) continue;
        const rel = `${dir.name}/${file}`;
        if (!meta.labels.includes(dir.name)) skipped.push({ path: rel, reason: `label "${dir.name}" is not one of the model's labels` });
        else samples.push({ path: rel, label: dir.name });
      }
    }
    if (samples.length === 0) throw new StudioError('invalid_input', `${root} has no images in subfolders named after the model's labels (${meta.labels.join(', ')})`, 'path');
    const k = meta.labels.length;
    const truth: number[] = [];
    const probabilities: number[] = [];
    for (let start = 0; start < samples.length; start += BATCH) {
      if (ctx.signal.aborted) throw new StudioError('cancelled', 'evaluation cancelled');
      const batch: Array<{ label: string; pixels: Uint8Array }> = [];
      for (const s of samples.slice(start, start + BATCH)) {
        try {
          batch.push({ label: s.label, pixels: (await decodeSquare(join(root, s.path), meta.preprocessing.size, s.path)).pixels });
        } catch (err) {
          skipped.push({ path: s.path, reason: StudioError.wrap(err).message });
        }
      }
      const { probs } = await this.probabilities(version, batch.map((b) => b.pixels));
      batch.forEach((b) => truth.push(meta.labels.indexOf(b.label)));
      probabilities.push(...probs.subarray(0, batch.length * k));
      ctx.progress(Math.min(samples.length, start + BATCH), samples.length, `Evaluating ${Math.min(samples.length, start + BATCH)}/${samples.length}`);
    }
    return {
      modelId: version.id,
      path: root,
      metrics: scoreProbabilities(meta.labels, truth, probabilities),
      skipped,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Forgets a model (deleted, or its files replaced). */
  forget(id: number): void {
    const entry = this.cache.get(id);
    this.cache.delete(id);
    void entry?.then((l) => l.model.dispose(), () => {});
  }

  private load(version: ModelVersion): Promise<Loaded> {
    let entry = this.cache.get(version.id);
    if (!entry) {
      entry = initBackend('auto').then(() => loadModel(version.dir));
      entry.catch(() => this.cache.delete(version.id));
      this.cache.set(version.id, entry);
      while (this.cache.size > CACHED_MODELS) this.forget(this.cache.keys().next().value!);
    }
    return entry;
  }
}

/** Seed 004's classification result: every class, highest confidence first. */
export function easResult(labels: readonly string[], probs: ArrayLike<number>, width: number, height: number): EasResult {
  const body = labels.map((label, i) => ({ label, conf: probs[i]! })).sort((a, b) => b.conf - a.conf);
  return { output: [{ type: 'cv_common', body }], meta: { height, width } };
}
