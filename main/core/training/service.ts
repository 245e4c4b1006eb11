// Training, models and inference for the Studio: validates a task, prepares its data and split,
// drives the training process, and records everything as runs and model versions.

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MAX_MINUTES_RANGE,
  StudioError,
  type BackboneInfo,
  type InstanceType,
  type JobInfo,
  type ModelVersion,
  type RunLogLine,
  type StudioEvent,
  type TrainInput,
  type TrainingRun,
} from '../../shared/api';
import { splitTrainVal } from '../datasets/split';
import type { JobContext, JobRunner } from '../jobs/jobs';
import { parse, schemas } from '../validate';
import { sql, type Db } from '../workspace/db';
import { BackboneStore } from './backbones/store';
import { DEFAULT_BACKBONE, type BackboneEntry } from './backbones/zoo';
import { BrowserHosts } from './browser/hosts';
import { routeFor } from './devices';
import { forkWorker, startWorker, type RunningWorker, type SpawnWorker } from './host';
import type { BackboneSpec, TrainBox, TrainImage, WorkerEvent, WorkerSpec } from './protocol';
import * as runs from './runs';
import { readMetadata, readMetadataSync } from './model-metadata';

export interface TrainingOptions {
  /** How training processes are made (Electron passes a utilityProcess spawner). */
  spawn?: SpawnWorker;
  /** Model zoo entries and fetch (tests point them at a local server). */
  catalog?: BackboneEntry[];
  fetch?: typeof fetch;
  /** Caps on every run's epochs, trials and input size (tests and benchmarks keep runs short with them). */
  limits?: WorkerSpec['limits'];
  /** Browser training hosts (WebGPU/WebGL); default: pages that offer, else a headless Chromium. */
  browserHosts?: BrowserHosts;
}

interface DatasetInfo {
  id: number;
  instance_id: number;
  name: string;
  type: string;
  source_path: string;
}

const STOP_POLL_MS = 1000;

export class Training {
  private readonly active = new Map<number, RunningWorker>();
  private readonly spawn: SpawnWorker;
  private readonly limits: WorkerSpec['limits'];
  readonly backbones: BackboneStore;
  readonly browserHosts: BrowserHosts;

  constructor(
    private readonly db: Db,
    private readonly workspace: string,
    private readonly jobs: JobRunner,
    private readonly emit: (e: StudioEvent) => void,
    options: TrainingOptions = {},
  ) {
    this.spawn = options.spawn ?? forkWorker;
    this.limits = options.limits;
    this.browserHosts = options.browserHosts ?? new BrowserHosts();
    this.backbones = new BackboneStore(join(workspace, 'models', 'backbones'), { catalog: options.catalog, fetch: options.fetch });
  }

  /** Marks runs whose app died mid-training as failed, keeping their best checkpoint as a model. */
  recover(): TrainingRun[] {
    const recovered: TrainingRun[] = [];
    for (const row of runs.orphanedRuns(this.db)) {
      runs.addLog(this.db, row.id, 'error', 'the app stopped while this run was training (crash or kill); marked failed');
      runs.finishRun(this.db, row.id, { status: 'failed', stopReason: 'failed', error: 'the app stopped during training' });
      this.keepCheckpoint(row.id);
      recovered.push(this.run(row.id));
    }
    return recovered;
  }

  async start(input: TrainInput): Promise<{ run: TrainingRun; job: JobInfo }> {
    const v = parse(schemas.train, input, 'startTraining');
    const ds = sql(this.db, 'SELECT d.id, d.instance_id, d.name, d.source_path, i.type FROM datasets d JOIN instances i ON i.id = d.instance_id WHERE d.id = ?').get(v.datasetId) as DatasetInfo | undefined;
    if (!ds) throw new StudioError('not_found', `no dataset with id ${v.datasetId}`, 'datasetId');
    if (this.jobs.activeFor(ds.id, ['index', 'import'])) throw new StudioError('conflict', `dataset "${ds.name}" is being indexed or imported; train when that ends`, 'datasetId');
    const { chosen, labels } = ds.type === 'classification' ? this.classificationImages(ds, v.labels) : this.boxImages(ds, v.labels);

    let base: ModelVersion | null = null;
    if (v.baseModelId !== undefined) {
      base = this.model(v.baseModelId);
      if (base.instanceId !== ds.instance_id) throw new StudioError('invalid_input', `base model ${base.id} belongs to another instance`, 'baseModelId');
      await readMetadata(base.dir);
    }
    if (v.name !== undefined && runs.runNameTaken(this.db, ds.instance_id, v.name)) throw new StudioError('conflict', `a training task named "${v.name}" already exists`, 'name');

    const seed = v.seed ?? 1;
    // Stratified by label (a detection image by its first box's label), so every label is validated.
    const split = splitTrainVal(chosen.map((img) => ({ key: img.path, stratum: img.label })), 0.9, seed);
    const trainImages: TrainImage[] = chosen.map((img) => ({ ...img, path: join(ds.source_path, img.path), split: split.get(img.path)! }));
    const maxMinutes = v.maxMinutes ?? MAX_MINUTES_RANGE.default;
    const device = v.device ?? 'auto';
    const runsDir = join(this.workspace, 'runs');
    const id = runs.insertRun(this.db, {
      instanceId: ds.instance_id,
      datasetId: ds.id,
      name: v.name ?? runs.nextRunName(this.db, ds.instance_id, ds.name),
      description: v.description,
      algorithm: v.algorithm,
      params: { maxMinutes, device, seed, hpo: v.hpo, backboneRequested: v.backbone ?? null },
      labels,
      baseModelId: base?.id ?? null,
      trainImages: trainImages.filter((i) => i.split === 'train').length,
      valImages: trainImages.filter((i) => i.split === 'val').length,
      dir: (runId) => join(runsDir, String(runId)),
    });
    const run = this.run(id);
    const runDir = runs.runRow(this.db, id)!.dir;
    const job = this.jobs.start('train', `Train ${run.name}`, ds.id, async (ctx) => {
      const log = (level: RunLogLine['level'], message: string) => {
        runs.addLog(this.db, id, level, message);
        this.changed(id);
      };
      let started = false;
      try {
        await mkdir(runDir, { recursive: true });
        const backbone = base ? null : await this.backboneFor(v.backbone, ctx, log);
        const worker = await this.startHost(
          {
            runId: id,
            type: ds.type as InstanceType,
            runDir,
            algorithm: v.algorithm,
            device,
            seed,
            budgetMs: maxMinutes * 60_000,
            hpo: v.hpo,
            labels,
            images: trainImages,
            backbone,
            baseModel: base ? { id: base.id, dir: base.dir } : null,
            ...(this.limits ? { limits: this.limits } : {}),
          },
          (event) => this.onEvent(id, event, ctx.progress, log),
          log,
        );
        started = true;
        this.active.set(id, worker);
        const onAbort = () => worker.stop();
        ctx.signal.addEventListener('abort', onAbort);
        // A stop asked from another process (the CLI) arrives through the database.
        const poll = setInterval(() => runs.stopRequested(this.db, id) && worker.stop(), STOP_POLL_MS);
        try {
          const outcome = await worker.done;
          runs.mergeParams(this.db, id, { ...outcome.params, epochs: outcome.epochs });
          let modelId: number | null = null;
          if (outcome.modelDir) modelId = this.registerModel(id, outcome.modelDir, false);
          runs.finishRun(this.db, id, { status: 'finished', stopReason: outcome.stopReason, metrics: outcome.metrics });
          log('info', modelId ? `model version ${modelId} saved (${outcome.stopReason})` : `no model: the run ended (${outcome.stopReason}) before its first epoch`);
        } finally {
          clearInterval(poll);
          ctx.signal.removeEventListener('abort', onAbort);
          this.active.delete(id);
        }
      } catch (err) {
        if (ctx.signal.aborted && !started) {
          // Stopped while the backbone was still downloading: a user stop, not a failure.
          log('info', 'stopped before training started: no model');
          runs.finishRun(this.db, id, { status: 'finished', stopReason: 'user' });
        } else {
          const error = StudioError.wrap(err);
          log('error', error.message);
          runs.finishRun(this.db, id, { status: 'failed', stopReason: 'failed', error: error.message });
          this.keepCheckpoint(id);
          throw error;
        }
      }
      this.changed(id);
      const finished = this.run(id);
      return { run: finished, model: finished.modelId === null ? null : this.model(finished.modelId) };
    });
    this.changed(id);
    return { run: this.run(id), job };
  }

  /**
   * Starts the run where its device says: a Node training process, or a browser host (WebGPU/WebGL)
   * that falls back to a Node process on the CPU when no GPU backend passes its self-test.
   */
  private async startHost(spec: WorkerSpec, onEvent: (e: WorkerEvent) => void, log: (level: RunLogLine['level'], message: string) => void): Promise<RunningWorker> {
    const route = await routeFor(spec.device);
    const node = (device: 'auto' | 'gpu' | 'cpu') => startWorker(this.spawn, { ...spec, device }, onEvent);
    if (route.host === 'node') return node(route.device);
    if (spec.type === 'ocr') {
      log('warn', `OCR trains in the app's own training process (its recognizer stage needs sharp); the ${spec.device} device is not used`);
      return node('auto');
    }
    return this.browserHosts.start(spec, route.backends, onEvent, () => node('cpu'));
  }

  /** Images with a label, ordered by path so the same seed gives the same run however the folder was indexed. */
  private classificationImages(ds: DatasetInfo, wanted: string[] | undefined): { chosen: Array<Omit<TrainImage, 'split'>>; labels: string[] } {
    const images = sql(this.db, 'SELECT path, label FROM images WHERE dataset_id = ? AND invalid_reason IS NULL AND label IS NOT NULL ORDER BY path').all(ds.id) as Array<{ path: string; label: string }>;
    const counts = new Map<string, number>();
    for (const img of images) counts.set(img.label, (counts.get(img.label) ?? 0) + 1);
    const labels = [...(wanted ?? [...counts.keys()])].sort();
    if (labels.length < 2) throw new StudioError('invalid_input', `training needs at least two labels; dataset "${ds.name}" has ${labels.length === 0 ? 'no labeled images' : `only "${labels[0]}"`}`, 'labels');
    for (const label of labels) {
      const n = counts.get(label) ?? 0;
      if (n < 2) throw new StudioError('invalid_input', `label "${label}" has ${n} labeled image${n === 1 ? '' : 's'}; each label needs at least 2 (one goes to validation; 20+ recommended)`, 'labels');
    }
    return { chosen: images.filter((img) => labels.includes(img.label)), labels };
  }

  /**
   * Annotated images (a VOC sidecar or a studio edit) with their boxes of the chosen labels, in the
   * displayed (EXIF-oriented) frame; an annotated image without such boxes trains as a negative.
   * OCR: every box, its label being the transcription; the run's one label is "text".
   */
  private boxImages(ds: DatasetInfo, wanted: string[] | undefined): { chosen: Array<Omit<TrainImage, 'split'>>; labels: string[] } {
    const ocr = ds.type === 'ocr';
    const images = sql(this.db, "SELECT id, path, width, height, orientation FROM images WHERE dataset_id = ? AND invalid_reason IS NULL AND source IN ('xml', 'studio') ORDER BY path").all(ds.id) as Array<{ id: number; path: string; width: number | null; height: number | null; orientation: number }>;
    const boxes = sql(this.db, "SELECT b.image_id, b.label, b.xmin, b.ymin, b.xmax, b.ymax, b.difficult FROM boxes b JOIN images i ON i.id = b.image_id WHERE i.dataset_id = ? ORDER BY b.image_id, b.ord").all(ds.id) as Array<{ image_id: number; label: string; xmin: number; ymin: number; xmax: number; ymax: number; difficult: number }>;
    const counts = new Map<string, number>();
    for (const b of boxes) counts.set(b.label, (counts.get(b.label) ?? 0) + 1);
    const labels = ocr ? (boxes.length ? ['text'] : []) : [...(wanted ?? [...counts.keys()])].sort();
    if (labels.length === 0) throw new StudioError('invalid_input', `dataset "${ds.name}" has no boxes to train on; draw boxes or index a folder with VOC annotations`, 'labels');
    if (!ocr) for (const label of labels) if (!counts.get(label)) throw new StudioError('invalid_input', `label "${label}" has no boxes in dataset "${ds.name}"`, 'labels');
    const byImage = new Map<number, TrainBox[]>();
    for (const b of boxes) {
      if (!ocr && !labels.includes(b.label)) continue;
      byImage.set(b.image_id, [...(byImage.get(b.image_id) ?? []), { label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult === 1 }]);
    }
    const chosen = images.map((img) => {
      const own = byImage.get(img.id) ?? [];
      const swap = img.orientation >= 5;
      return { path: img.path, label: ocr ? (own.length ? 'text' : '(no text)') : (own[0]?.label ?? '(no objects)'), boxes: own, width: (swap ? img.height : img.width) ?? undefined, height: (swap ? img.width : img.height) ?? undefined };
    });
    const withBoxes = chosen.filter((img) => img.boxes.length > 0).length;
    if (withBoxes < 2) throw new StudioError('invalid_input', `dataset "${ds.name}" has ${withBoxes} image${withBoxes === 1 ? '' : 's'} with boxes; training needs at least 2 (one goes to validation; 50+ recommended)`, 'labels');
    return { chosen, labels };
  }

  private onEvent(id: number, event: WorkerEvent, progress: (done: number, total: number | null, message: string) => void, log: (level: RunLogLine['level'], message: string) => void): void {
    switch (event.type) {
      case 'backend':
        runs.setBackend(this.db, id, event.backend);
        break;
      case 'progress':
        progress(event.done, event.total, event.message);
        return;
      case 'log':
        log(event.level, event.message);
        return;
      case 'epoch':
        runs.addEpoch(this.db, id, event.record);
        break;
      case 'trial':
        runs.saveTrial(this.db, id, event.trial);
        break;
      case 'checkpoint':
        runs.setMetrics(this.db, id, event.metrics);
        break;
      default:
        return;
    }
    this.changed(id);
  }

  /** The backbone a run uses: the requested one, or the default (trained from scratch, said so, if it cannot be had). */
  private async backboneFor(requested: string | undefined, ctx: JobContext, log: (level: RunLogLine['level'], m: string) => void): Promise<BackboneSpec | null> {
    if (requested === 'none') return null;
    try {
      const b = await this.backbones.resolve(requested ?? DEFAULT_BACKBONE, { signal: ctx.signal, progress: (done, total, message) => ctx.progress(done, total, message) });
      return { id: b.id, dir: b.dir, preprocessing: b.preprocessing, featureLayer: b.featureLayer };
    } catch (err) {
      if (requested !== undefined || ctx.signal.aborted) throw err;
      log('warn', `the default backbone ${DEFAULT_BACKBONE} is not available (${StudioError.wrap(err).message}); training a small network from scratch instead`);
      return null;
    }
  }

  /** A run that died keeps the checkpoint of its best epoch as a model version. */
  private keepCheckpoint(id: number): void {
    const row = runs.runRow(this.db, id);
    const dir = row && join(row.dir, 'checkpoint');
    if (!row || !dir || !existsSync(join(dir, 'metadata.json')) || row.model_id !== null) return;
    try {
      this.registerModel(id, dir, true);
    } catch {
      return; // a checkpoint cut off mid-write is not worth keeping
    }
    runs.addLog(this.db, id, 'info', 'kept the checkpoint of the best epoch as a model version');
    this.changed(id);
  }

  /** Records the model saved in `dir` (its metadata.json says what it is) as a version of the run's instance. */
  private registerModel(runId: number, dir: string, fromCheckpoint: boolean): number {
    const row = runs.runRow(this.db, runId)!;
    const meta = readMetadataSync(dir);
    if (!meta.metrics) throw new StudioError('io_error', `${dir}: the model has no metrics`);
    const modelId = runs.insertModel(this.db, {
      instanceId: row.instance_id,
      runId,
      name: fromCheckpoint ? `${row.name} (checkpoint)` : row.name,
      type: meta.type,
      algorithm: meta.algorithm,
      labels: meta.labels,
      backbone: meta.backbone,
      inputSize: meta.preprocessing.size,
      metrics: meta.metrics,
      sizeBytes: meta.metrics.model_size,
      baseModelId: meta.baseModelId,
      fromCheckpoint,
      dir,
    });
    this.emit({ type: 'models-changed', instanceId: row.instance_id });
    return modelId;
  }

  async stop(id: number): Promise<TrainingRun> {
    const run = this.run(id);
    if (run.status !== 'running') throw new StudioError('conflict', `run ${run.name} is not running (${run.status})`, 'id');
    const worker = this.active.get(id);
    if (worker) worker.stop();
    else runs.requestStop(this.db, id);
    runs.addLog(this.db, id, 'info', 'stop requested: finishing the current step and keeping the best epoch');
    this.changed(id);
    return this.run(id);
  }

  run(id: number): TrainingRun {
    const row = runs.runRow(this.db, id);
    if (!row) throw new StudioError('not_found', `no training run with id ${id}`, 'id');
    return runs.getRun(this.db, row);
  }

  list(instanceId?: number): TrainingRun[] {
    return runs.listRuns(this.db, instanceId);
  }

  logs(runId: number, after: number): RunLogLine[] {
    this.run(runId);
    return runs.runLogs(this.db, runId, after);
  }

  model(id: number): ModelVersion {
    const m = runs.modelRow(this.db, id);
    if (!m) throw new StudioError('not_found', `no model with id ${id}`, 'modelId');
    return m;
  }

  models(instanceId?: number): ModelVersion[] {
    return runs.listModels(this.db, instanceId);
  }

  async deleteModel(id: number): Promise<void> {
    const m = this.model(id);
    runs.deleteModelRow(this.db, id);
    await rm(m.dir, { recursive: true, force: true });
    this.emit({ type: 'models-changed', instanceId: m.instanceId });
  }

  listBackbones(): BackboneInfo[] {
    return this.backbones.list().map((b) => ({ id: b.id, title: b.title, source: b.source, cached: b.cached, url: b.url ?? null }));
  }

  /** Downloads a zoo backbone (or imports a folder) ahead of training. */
  async fetchBackbone(ref: string, ctx: JobContext): Promise<BackboneInfo> {
    const b = await this.backbones.resolve(ref, { signal: ctx.signal, progress: (done, total, message) => ctx.progress(done, total, message) });
    return this.listBackbones().find((info) => info.id === b.id) ?? { id: b.id, title: b.title, source: b.source, cached: true, url: null };
  }

  private changed(runId: number): void {
    const row = runs.runRow(this.db, runId);
    if (row) this.emit({ type: 'run-changed', runId, instanceId: row.instance_id });
  }
}
