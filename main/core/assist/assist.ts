// Model-assisted labeling: run a model version over a dataset's unlabeled (or chosen) images as a
// job, keep what it suggests per image (store.ts), and let the user accept — through the studio's
// own saveAnnotation/submitImage, so revision checks, write-back and events all apply — or reject.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  StudioError,
  type AcceptSuggestionInput,
  type AcceptedSuggestion,
  type ImageDetail,
  type InstanceType,
  type ModelVersion,
  type PathIssue,
  type PrelabelInput,
  type PrelabelReport,
  type RejectSuggestionInput,
  type SaveAnnotationInput,
  type StudioEvent,
  type SubmitImageInput,
  type Suggestion,
  type SuggestionPage,
  type SuggestionQuery,
  type JobInfo,
} from '../../shared/api';
import { statusCondition } from '../datasets/store';
import type { JobContext, JobRunner } from '../jobs/jobs';
import { parse, schemas } from '../validate';
import { sql, type Db } from '../workspace/db';
import { DEFAULT_MIN_CONFIDENCE, score } from './scoring';
import * as store from './store';

/** Images per forward pass (the runtime chunks further on CPU backends). */
const BATCH = 8;

export interface AssistDataset {
  id: number;
  name: string;
  type: InstanceType;
  instanceId: number;
  instanceName: string;
  root: string;
}

/** What the assistant needs from the studio around it. */
export interface AssistDeps {
  db: Db;
  jobs: JobRunner;
  emit(event: StudioEvent): void;
  dataset(id: number): AssistDataset;
  model(id: number): ModelVersion;
  getImage(id: number): Promise<ImageDetail>;
  saveAnnotation(input: SaveAnnotationInput): Promise<ImageDetail>;
  submitImage(input: SubmitImageInput): Promise<ImageDetail>;
}

interface Target {
  id: number;
  path: string;
  width: number;
  height: number;
}

export class Assist {
  constructor(private readonly deps: AssistDeps) {}

  /** Checks the request, then starts the pre-label job. */
  prelabel(input: PrelabelInput): JobInfo {
    const v = parse(schemas.prelabel, input, 'prelabel');
    const { db, jobs } = this.deps;
    const ds = this.deps.dataset(v.datasetId);
    const model = this.deps.model(v.modelId);
    if (model.type !== ds.type) {
      throw new StudioError('invalid_input', `model "${model.name}" is a ${model.type} model; dataset "${ds.name}" needs a ${ds.type} model`, 'modelId');
    }
    if (model.instanceId !== ds.instanceId) {
      throw new StudioError('invalid_input', `model "${model.name}" belongs to another instance; pre-label "${ds.name}" with a model version of instance "${ds.instanceName}"`, 'modelId');
    }
    const targets = v.imageIds ? this.chosen(ds, v.imageIds) : this.unlabeled(ds);
    if (targets.length === 0) throw new StudioError('invalid_input', `dataset "${ds.name}" has no unlabeled images to pre-label`, 'datasetId');
    if (jobs.activeFor(ds.id, ['prelabel'])) throw new StudioError('conflict', `dataset "${ds.name}" is already being pre-labeled; wait for it or cancel it`, 'datasetId');
    if (jobs.activeFor(ds.id, ['index', 'import'])) throw new StudioError('conflict', `dataset "${ds.name}" is busy with another job; pre-label it when that ends`, 'datasetId');
    const full = v.imageIds === undefined;
    const minConfidence = v.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    return jobs.start('prelabel', `Pre-label ${ds.name} with ${model.name}`, ds.id, (ctx) => this.run(ds, model, targets, { full, minConfidence }, ctx));
  }

  private unlabeled(ds: AssistDataset): Target[] {
    return sql(this.deps.db, `SELECT id, path, width, height FROM images WHERE dataset_id = ? AND ${statusCondition('unlabeled', ds.type)} ORDER BY path`).all(ds.id) as Target[];
  }

  private chosen(ds: AssistDataset, ids: readonly number[]): Target[] {
    const unique = [...new Set(ids)];
    return unique.map((id) => {
      const row = sql(this.deps.db, 'SELECT id, dataset_id, path, width, height, invalid_reason FROM images WHERE id = ?').get(id) as
        | (Target & { dataset_id: number; invalid_reason: string | null })
        | undefined;
      const field = `imageIds.${ids.indexOf(id)}`;
      if (!row || row.dataset_id !== ds.id) throw new StudioError('invalid_input', `image ${id} is not in dataset "${ds.name}"`, field);
      if (row.invalid_reason !== null) throw new StudioError('invalid_input', `${row.path} is not a usable image: ${row.invalid_reason}`, field);
      return { id: row.id, path: row.path, width: row.width!, height: row.height! };
    });
  }

  private async run(ds: AssistDataset, model: ModelVersion, targets: Target[], opts: { full: boolean; minConfidence: number }, ctx: JobContext): Promise<PrelabelReport> {
    const started = performance.now();
    const { db, emit } = this.deps;
    const jobId = randomUUID();
    const skipped: PathIssue[] = [];
    let suggested = 0;
    let boxes = 0;
    ctx.progress(0, targets.length, `Loading ${model.name}`);
    // Loaded here, not at startup: it brings TensorFlow.js.
    const { ModelRuntime } = await import('../serving/runtime');
    const runtime = await ModelRuntime.load(model.dir);
    try {
      for (let start = 0; start < targets.length; start += BATCH) {
        if (ctx.signal.aborted) throw new StudioError('cancelled', 'pre-labeling cancelled');
        const batch = targets.slice(start, start + BATCH);
        const outcomes = await runtime.predict(batch.map((t) => ({ source: join(ds.root, t.path), name: t.path })));
        const stored: number[] = [];
        db.transaction(() => {
          outcomes.forEach((outcome, i) => {
            const target = batch[i]!;
            if (!outcome.ok) {
              skipped.push({ path: target.path, reason: outcome.error.detail });
              return;
            }
            // The image may have been removed by a re-index meanwhile.
            if (!sql(db, 'SELECT 1 FROM images WHERE id = ?').get(target.id)) return;
            const scored = score(ds.type, outcome.result, target, opts.minConfidence);
            store.putSuggestion(db, { imageId: target.id, datasetId: ds.id, modelId: model.id, modelName: model.name, jobId, scored });
            stored.push(target.id);
            boxes += scored.boxes.length;
          });
        })();
        suggested += stored.length;
        if (stored.length > 0) emit({ type: 'suggestions-changed', datasetId: ds.id, imageIds: stored });
        const done = Math.min(targets.length, start + BATCH);
        ctx.progress(done, targets.length, `Pre-labeled ${done} of ${targets.length} images`);
      }
      if (opts.full) store.dropOtherRuns(db, ds.id, jobId);
    } finally {
      runtime.dispose();
      emit({ type: 'suggestions-changed', datasetId: ds.id, imageIds: null });
    }
    return { datasetId: ds.id, modelId: model.id, images: targets.length, suggested, boxes, skipped, durationMs: Math.round(performance.now() - started) };
  }

  list(query: SuggestionQuery): SuggestionPage {
    const q = parse(schemas.listSuggestions, query, 'listSuggestions');
    const ds = this.deps.dataset(q.datasetId);
    const { total, items } = store.listSuggestions(this.deps.db, { ...q, type: ds.type });
    return { total, offset: q.offset, items };
  }

  async accept(input: AcceptSuggestionInput): Promise<AcceptedSuggestion> {
    const v = parse(schemas.acceptSuggestion, input, 'acceptSuggestion');
    const { suggestion, ds } = this.pending(v.imageId);
    const image = await this.deps.getImage(v.imageId);
    let accepted: ReadonlySet<number> = new Set();
    let annotation;
    if (ds.type === 'classification') {
      if (v.boxes !== undefined) throw new StudioError('invalid_input', 'a classification suggestion is one label: accept it whole', 'boxes');
      if (suggestion.label === null) throw new StudioError('invalid_input', `the model suggested no label for ${image.path}`, 'imageId');
      annotation = { label: suggestion.label, boxes: [] };
    } else {
      accepted = this.indices(v.boxes, suggestion);
      const picked = suggestion.boxes.filter((_, i) => accepted.has(i)).map(({ conf: _conf, ...box }) => box);
      annotation = { label: null, boxes: [...image.boxes, ...picked] };
    }
    // The studio's own save: the revision check, the bounds check and the annotation-changed event.
    let saved = await this.deps.saveAnnotation({ imageId: image.id, annotation, baseRevision: v.baseRevision ?? image.revision });
    if (ds.type === 'classification') store.dropSuggestion(this.deps.db, image.id);
    else store.keepBoxes(this.deps.db, image.id, suggestion.boxes, new Set(suggestion.boxes.map((_, i) => i).filter((i) => !accepted.has(i))));
    this.deps.emit({ type: 'suggestions-changed', datasetId: ds.id, imageIds: [image.id] });
    if (v.submit) saved = await this.deps.submitImage({ imageId: image.id, baseRevision: saved.revision });
    return { image: saved, suggestion: store.getSuggestion(this.deps.db, image.id, ds.type) };
  }

  reject(input: RejectSuggestionInput): Suggestion | null {
    const v = parse(schemas.rejectSuggestion, input, 'rejectSuggestion');
    const { suggestion, ds } = this.pending(v.imageId);
    if (ds.type === 'classification' && v.boxes !== undefined) throw new StudioError('invalid_input', 'a classification suggestion is one label: reject it whole', 'boxes');
    if (v.boxes === undefined) store.dropSuggestion(this.deps.db, v.imageId);
    else {
      const rejected = this.indices(v.boxes, suggestion);
      store.keepBoxes(this.deps.db, v.imageId, suggestion.boxes, new Set(suggestion.boxes.map((_, i) => i).filter((i) => !rejected.has(i))));
    }
    this.deps.emit({ type: 'suggestions-changed', datasetId: ds.id, imageIds: [v.imageId] });
    return store.getSuggestion(this.deps.db, v.imageId, ds.type);
  }

  clear(datasetId: number): number {
    const ds = this.deps.dataset(datasetId);
    const n = store.clearSuggestions(this.deps.db, ds.id);
    this.deps.emit({ type: 'suggestions-changed', datasetId: ds.id, imageIds: null });
    return n;
  }

  private pending(imageId: number): { suggestion: Suggestion; ds: AssistDataset } {
    const row = sql(this.deps.db, 'SELECT dataset_id FROM images WHERE id = ?').get(imageId) as { dataset_id: number } | undefined;
    if (!row) throw new StudioError('not_found', `no image with id ${imageId}`, 'imageId');
    const ds = this.deps.dataset(row.dataset_id);
    const suggestion = store.getSuggestion(this.deps.db, imageId, ds.type);
    if (!suggestion) throw new StudioError('not_found', `image ${imageId} has no pending suggestion (accepted, rejected, or labeled since)`, 'imageId');
    return { suggestion, ds };
  }

  /** Box indices of a suggestion (all of them when none are given); out-of-range ones name their field. */
  private indices(boxes: number[] | undefined, suggestion: Suggestion): Set<number> {
    if (boxes === undefined) return new Set(suggestion.boxes.map((_, i) => i));
    boxes.forEach((b, i) => {
      if (b >= suggestion.boxes.length) throw new StudioError('invalid_input', `the suggestion has ${suggestion.boxes.length} boxes; there is no box ${b}`, `boxes.${i}`);
    });
    return new Set(boxes);
  }
}
