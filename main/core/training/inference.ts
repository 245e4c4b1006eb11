// Running a saved model in the app's process: "try the model" (predict) and scoring it on a
// labeled folder (evaluate). Both go through the serving runtime (../serving/runtime.ts), the same
// code the EAS service and the exported processor run, so outputs are the EAS response of seed 004.

import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { StudioError, type ModelEvaluation, type ModelVersion, type PathIssue, type Prediction, type PredictInput } from '../../shared/api';
import type { GroundTruthBox } from '../evaluation/detection';
import { parseVoc } from '../interchange/voc';
import type { JobContext } from '../jobs/jobs';
import { EasError } from '../serving/protocol';
import { ModelRuntime, type DecodedImage } from '../serving/runtime';
import { scoreDetector } from './detection/predict';
import { scoreProbabilities } from './metrics';

export { easResult } from '../serving/runtime';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp']);
const CACHED_MODELS = 3;
const BATCH = 8;

export class Inference {
  private readonly cache = new Map<number, Promise<ModelRuntime>>();

  async predict(version: ModelVersion, images: PredictInput['images']): Promise<Prediction[]> {
    const runtime = await this.load(version);
    const sources = images.map((img, i) => ('path' in img ? { source: img.path, name: img.path } : { source: Buffer.from(img.base64, 'base64'), name: img.name ?? `image ${i + 1}` }));
    const outcomes = await runtime.predict(sources);
    return outcomes.map((o, i): Prediction => {
      if (!o.ok) throw asStudioError(o.error);
      return { image: sources[i]!.name, result: o.result };
    });
  }

  async evaluate(version: ModelVersion, root: string, ctx: JobContext): Promise<ModelEvaluation> {
    const runtime = await this.load(version);
    return runtime.meta.type === 'detection' ? this.evaluateDetector(version, runtime, root, ctx) : this.evaluateClassifier(version, runtime, root, ctx);
  }

  /** mAP of a detector on a flat folder of images with VOC sidecars (images without one are skipped). */
  private async evaluateDetector(version: ModelVersion, runtime: ModelRuntime, root: string, ctx: JobContext): Promise<ModelEvaluation> {
    const started = performance.now();
    const skipped: PathIssue[] = [];
    const samples: Array<{ path: string; boxes: GroundTruthBox[] }> = [];
    for (const file of (await listFolder(root)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort()) {
      const xml = join(root, file.slice(0, -extname(file).length) + '.xml');
      let text: string;
      try {
        text = await readFile(xml, 'utf8');
      } catch {
        skipped.push({ path: file, reason: 'no VOC annotation file beside it' });
        continue;
      }
      try {
        samples.push({ path: join(root, file), boxes: parseVoc(text).boxes });
      } catch (err) {
        skipped.push({ path: file, reason: `${basename(xml)}: ${(err as Error).message}` });
      }
    }
    if (samples.length === 0) throw new StudioError('invalid_input', `${root} has no images with VOC annotation files (NAME.jpg + NAME.xml)`, 'path');
    const score = await scoreDetector(runtime.detector(), samples, (done, total) => {
      if (ctx.signal.aborted) throw new StudioError('cancelled', 'evaluation cancelled');
      ctx.progress(done, total, `Evaluating ${done}/${total}`);
    });
    const { evaluation: _evaluation, ...metrics } = score;
    return { modelId: version.id, path: root, metrics, skipped, durationMs: Math.round(performance.now() - started) };
  }

  private async evaluateClassifier(version: ModelVersion, runtime: ModelRuntime, root: string, ctx: JobContext): Promise<ModelEvaluation> {
    const started = performance.now();
    const classifier = runtime.classifier();
    const { meta } = runtime;
    const skipped: PathIssue[] = [];
    const samples: Array<{ path: string; label: string }> = [];
    const entries = await listFolder(root, true);
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
      const batch: Array<{ label: string; image: DecodedImage }> = [];
      for (const s of samples.slice(start, start + BATCH)) {
        try {
          batch.push({ label: s.label, image: await runtime.decode(join(root, s.path), s.path) });
        } catch (err) {
          skipped.push({ path: s.path, reason: err instanceof EasError ? err.detail : StudioError.wrap(err).message });
        }
      }
      const probs = await classifier.probabilities(batch.map((b) => b.image)).catch((err: unknown) => {
        throw asStudioError(err);
      });
      batch.forEach((b) => truth.push(meta.labels.indexOf(b.label)));
      probabilities.push(...probs);
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
    void entry?.then((r) => r.dispose(), () => {});
  }

  private load(version: ModelVersion): Promise<ModelRuntime> {
    let entry = this.cache.get(version.id);
    if (!entry) {
      entry = ModelRuntime.load(version.dir);
      entry.catch(() => this.cache.delete(version.id));
      this.cache.set(version.id, entry);
      while (this.cache.size > CACHED_MODELS) this.forget(this.cache.keys().next().value!);
    }
    return entry;
  }
}

async function listFolder(root: string): Promise<string[]>;
async function listFolder(root: string, withTypes: true): Promise<Dirent[]>;
async function listFolder(root: string, withTypes = false): Promise<string[] | Dirent[]> {
  try {
    return withTypes ? await readdir(root, { withFileTypes: true }) : await readdir(root);
  } catch (err) {
    throw new StudioError('invalid_input', `cannot read folder ${root}: ${(err as Error).message}`, 'path');
  }
}

/** A runtime error as the API reports it: an unreadable image is the caller's input, a failed forward is internal. */
function asStudioError(err: unknown): StudioError {
  if (!(err instanceof EasError)) return StudioError.wrap(err);
  return err.code === '1002' ? new StudioError('invalid_input', err.detail, 'image') : new StudioError('internal', err.detail);
}
