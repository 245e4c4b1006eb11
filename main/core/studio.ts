import { mkdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  StudioError,
  type Annotation,
  type AnnotationConflict,
  type CreateDatasetInput,
  type CreateInstanceInput,
  type DeviceInfo,
  type ExportInput,
  type FormatInfo,
  type ImportInput,
  type Dataset,
  type ImageDetail,
  type ImagePage,
  type Instance,
  type InstanceType,
  type JobInfo,
  type LabelChange,
  type LabelInfo,
  type SubmitImageInput,
  type UpdateDatasetInput,
  type ListImagesQuery,
  type MediaKind,
  type SaveAnnotationInput,
  type StudioApi,
  type StudioEvent,
  type WorkspaceInfo,
  type BackboneInfo,
  type EvaluateInput,
  type ModelVersion,
  type Prediction,
  type PredictInput,
  type RunLogLine,
  type TrainInput,
  type TrainingRun,
  type ExportEasInput,
  type ServiceInfo,
  type StartServiceInput,
  type AcceptSuggestionInput,
  type AcceptedSuggestion,
  type PrelabelInput,
  type RejectSuggestionInput,
  type Suggestion,
  type SuggestionPage,
  type SuggestionQuery,
} from '../shared/api';
import { Assist } from './assist/assist';
import { indexFolder } from './datasets/indexer';
import { declareLabel, imagesUsing, listLabels } from './datasets/labels';
import { datasetStats } from './datasets/stats';
import { getImageRow, listConflicts, listImages, readAnnotation, toDetail, writeAnnotation } from './datasets/store';
import { checkExport, exportDataset, type DatasetRef } from './interchange/exporter';
import { checkImportSource, importAnnotations } from './interchange/importer';
import { writeSidecar } from './interchange/writeback';
import { formatFor, listFormats } from './interchange/registry';
import { JobRunner } from './jobs/jobs';
import { readMedia, type MediaFile } from './media/media';
import { parse, schemas } from './validate';
import { openDb, schemaVersion, sql, type Db } from './workspace/db';
import type { Inference } from './training/inference';
import type { ServiceManager } from './serving/manager';
import type { BrowserHosts } from './training/browser/hosts';
import { Training, type TrainingOptions } from './training/service';

export type { MediaFile } from './media/media';

interface InstanceRow {
  id: number;
  name: string;
  type: InstanceType;
  description: string;
  created_at: string;
  dataset_count: number;
}

interface DatasetRow {
  id: number;
  instance_id: number;
  instance_name: string;
  type: InstanceType;
  name: string;
  description: string;
  source_path: string;
  created_at: string;
  indexed_at: string | null;
  write_back: number;
}

const DATASET_SELECT = `SELECT d.*, i.name AS instance_name, i.type FROM datasets d JOIN instances i ON i.id = d.instance_id`;

export async function openStudio(opts: { workspace: string; appVersion?: string; training?: TrainingOptions }): Promise<Studio> {
  return new Studio(resolve(opts.workspace), opts.appVersion ?? '0.0.0', opts.training);
}

/** The core behind every transport: one workspace (SQLite + caches) and its long-running jobs. */
export class Studio implements StudioApi {
  private readonly db: Db;
  private readonly listeners = new Set<(e: StudioEvent) => void>();
  private readonly jobs = new JobRunner((job) => this.emit({ type: 'job', job }));
  private readonly training: Training;
  // Loaded on first use: it brings TensorFlow.js (~1 s of imports) that most commands never need.
  private inferenceModule: Promise<Inference> | null = null;
  // The local EAS services (loaded on first use, like inference).
  private servingModule: Promise<ServiceManager> | null = null;
  // Model-assisted labeling: pre-label jobs and the suggestions they leave.
  private readonly assist: Assist;
  readonly cacheDir: string;
  /** Runs found interrupted (the app died while they trained), marked failed at open. */
  readonly recovered: TrainingRun[];

  constructor(
    readonly workspace: string,
    private readonly appVersion: string,
    trainingOptions: TrainingOptions = {},
  ) {
    this.db = openDb(workspace);
    this.cacheDir = join(workspace, 'cache');
    mkdirSync(this.cacheDir, { recursive: true });
    mkdirSync(join(workspace, 'models'), { recursive: true });
    this.training = new Training(this.db, workspace, this.jobs, (e) => this.emit(e), trainingOptions);
    this.recovered = this.training.recover();
    this.assist = new Assist({
      db: this.db,
      jobs: this.jobs,
      emit: (e) => this.emit(e),
      dataset: (id) => {
        const row = this.datasetRow(id);
        return { id: row.id, name: row.name, type: row.type, instanceId: row.instance_id, instanceName: row.instance_name, root: row.source_path };
      },
      model: (id) => this.training.model(parse(schemas.id, id, 'modelId')),
      getImage: (id) => this.getImage(id),
      saveAnnotation: (input) => this.saveAnnotation(input),
      submitImage: (input) => this.submitImage(input),
    });
  }

  subscribe(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StudioEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (e.g. a closed socket) must not break the core.
      }
    }
  }

  /** Pages and headless browsers that train on their GPU (the browser-mode server serves their routes). */
  get trainingHosts(): BrowserHosts {
    return this.training.browserHosts;
  }

  async close(): Promise<void> {
    if (this.servingModule) await (await this.servingModule).stopAll();
    await this.jobs.shutdown();
    await this.training.browserHosts.close();
    this.db.close();
  }

  async workspaceInfo(): Promise<WorkspaceInfo> {
    return {
      path: this.workspace,
      schemaVersion: schemaVersion(this.db),
      appVersion: this.appVersion,
      recovered: this.recovered.map((r) => ({ runId: r.id, name: r.name, instanceId: r.instanceId, modelId: r.modelId })),
    };
  }

  // ---- instances

  async listInstances(): Promise<Instance[]> {
    const rows = sql(this.db, `SELECT i.*, (SELECT COUNT(*) FROM datasets d WHERE d.instance_id = i.id) AS dataset_count FROM instances i ORDER BY i.created_at DESC, i.id DESC`)
      .all() as InstanceRow[];
    return rows.map(toInstance);
  }

  async createInstance(input: CreateInstanceInput): Promise<Instance> {
    const v = parse(schemas.createInstance, input, 'createInstance');
    if (sql(this.db, 'SELECT 1 FROM instances WHERE name = ?').get(v.name)) {
      throw new StudioError('conflict', `an instance named "${v.name}" already exists`, 'name');
    }
    const { id } = sql(this.db, 'INSERT INTO instances (name, type, description, created_at) VALUES (?, ?, ?, ?) RETURNING id')
      .get(v.name, v.type, v.description, new Date().toISOString()) as { id: number };
    this.emit({ type: 'instances-changed' });
    return this.instance(id);
  }

  async listDevices(): Promise<DeviceInfo[]> {
    return (await import('./training/devices')).listDevices(this.training.browserHosts);
  }

  async createFromTemplate(input: CreateInstanceInput): Promise<{ instance: Instance; dataset: Dataset; job: JobInfo }> {
    const v = parse(schemas.createInstance, input, 'createFromTemplate');
    const instance = await this.createInstance(v);
    const dir = join(this.workspace, 'templates', `${v.type}-${instance.id}`);
    try {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const { writeTemplateData } = await import('./templates/index');
      await writeTemplateData(v.type, dir);
    } catch (err) {
      await this.deleteInstance(instance.id);
      throw new StudioError('io_error', `could not write the demo data to ${dir}: ${StudioError.wrap(err).message}`);
    }
    const { dataset, job } = await this.createDataset({ instanceId: instance.id, name: 'demo', path: dir, description: 'Demo data from the template' });
    return { instance: this.instance(instance.id), dataset, job };
  }

  async deleteInstance(id: number): Promise<void> {
    this.instance(parse(schemas.id, id, 'id'));
    const datasets = sql(this.db, 'SELECT id FROM datasets WHERE instance_id = ?').all(id) as Array<{ id: number }>;
    for (const d of datasets) await this.jobs.cancelFor(d.id);
    sql(this.db, 'DELETE FROM instances WHERE id = ?').run(id);
    await Promise.all(datasets.map((d) => this.dropCaches(d.id)));
    this.emit({ type: 'instances-changed' });
    this.emit({ type: 'datasets-changed', datasetId: null });
  }

  private instance(id: number): Instance {
    const row = sql(this.db, `SELECT i.*, (SELECT COUNT(*) FROM datasets d WHERE d.instance_id = i.id) AS dataset_count FROM instances i WHERE i.id = ?`)
      .get(id) as InstanceRow | undefined;
    if (!row) throw new StudioError('not_found', `no instance with id ${id}`, 'instanceId');
    return toInstance(row);
  }

  // ---- datasets

  async listDatasets(instanceId?: number): Promise<Dataset[]> {
    const rows = (
      instanceId === undefined
        ? sql(this.db, `${DATASET_SELECT} ORDER BY d.id`).all()
        : sql(this.db, `${DATASET_SELECT} WHERE d.instance_id = ? ORDER BY d.id`).all(parse(schemas.id, instanceId, 'instanceId'))
    ) as DatasetRow[];
    return rows.map((r) => this.toDataset(r));
  }

  async getDataset(id: number): Promise<Dataset> {
    return this.toDataset(this.datasetRow(id));
  }

  async createDataset(input: CreateDatasetInput): Promise<{ dataset: Dataset; job: JobInfo }> {
    const v = parse(schemas.createDataset, input, 'createDataset');
    this.instance(v.instanceId);
    const path = resolve(v.path);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new StudioError('invalid_input', `folder not found: ${path}`, 'path');
    if (!st.isDirectory()) throw new StudioError('invalid_input', `not a folder: ${path}`, 'path');
    if (sql(this.db, 'SELECT 1 FROM datasets WHERE instance_id = ? AND name = ?').get(v.instanceId, v.name)) {
      throw new StudioError('conflict', `this instance already has a dataset named "${v.name}"`, 'name');
    }
    const { id } = sql(this.db, 'INSERT INTO datasets (instance_id, name, description, source_path, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id')
      .get(v.instanceId, v.name, v.description, path, new Date().toISOString()) as { id: number };
    this.emit({ type: 'datasets-changed', datasetId: id });
    this.emit({ type: 'instances-changed' });
    const job = this.startIndex(this.datasetRow(id));
    return { dataset: await this.getDataset(id), job };
  }

  async reindexDataset(id: number): Promise<JobInfo> {
    const row = this.datasetRow(id);
    const running = this.jobs.activeFor(row.id, ['index']);
    if (running) return running;
    if (this.jobs.activeFor(row.id, ['import'])) throw new StudioError('conflict', `dataset "${row.name}" is importing annotations; re-index when it ends`, 'datasetId');
    return this.startIndex(row);
  }

  async deleteDataset(id: number): Promise<void> {
    const row = this.datasetRow(id);
    await this.jobs.cancelFor(row.id);
    sql(this.db, 'DELETE FROM datasets WHERE id = ?').run(row.id);
    await this.dropCaches(row.id);
    this.emit({ type: 'datasets-changed', datasetId: row.id });
    this.emit({ type: 'instances-changed' });
  }

  async updateDataset(input: UpdateDatasetInput): Promise<Dataset> {
    const v = parse(schemas.updateDataset, input, 'updateDataset');
    const row = this.datasetRow(v.id);
    if (v.writeBack && row.type === 'classification') {
      throw new StudioError('invalid_input', 'classification labels live in folder names; there are no sidecar files to write', 'writeBack');
    }
    sql(this.db, 'UPDATE datasets SET description = COALESCE(?, description), write_back = COALESCE(?, write_back) WHERE id = ?').run(
      v.description ?? null,
      v.writeBack === undefined ? null : Number(v.writeBack),
      row.id,
    );
    this.emit({ type: 'datasets-changed', datasetId: row.id });
    return this.getDataset(row.id);
  }

  // ---- labels

  async listLabels(datasetId: number): Promise<LabelInfo[]> {
    const ds = this.datasetRow(datasetId);
    return listLabels(this.db, ds.id, ds.type);
  }

  async addLabel(input: { datasetId: number; name: string }): Promise<LabelInfo[]> {
    const v = parse(schemas.addLabel, input, 'addLabel');
    const ds = this.datasetRow(v.datasetId);
    declareLabel(this.db, ds.id, v.name);
    this.emit({ type: 'datasets-changed', datasetId: ds.id });
    return listLabels(this.db, ds.id, ds.type);
  }

  async renameLabel(input: { datasetId: number; from: string; to: string }): Promise<LabelChange> {
    const v = parse(schemas.renameLabel, input, 'renameLabel');
    return this.changeLabel(v.datasetId, v.from, (ann) => ({
      label: ann.label === v.from ? v.to : ann.label,
      boxes: ann.boxes.map((b) => (b.label === v.from ? { ...b, label: v.to } : b)),
    }), v.to);
  }

  async deleteLabel(input: { datasetId: number; name: string }): Promise<LabelChange> {
    const v = parse(schemas.deleteLabel, input, 'deleteLabel');
    return this.changeLabel(v.datasetId, v.name, (ann) => ({
      label: ann.label === v.name ? null : ann.label,
      boxes: ann.boxes.filter((b) => b.label !== v.name),
    }), null);
  }

  /** Rewrites every annotation that uses `name` (as studio edits, so a re-index keeps them). */
  private changeLabel(datasetId: number, name: string, change: (a: Annotation) => Annotation, renamedTo: string | null): LabelChange {
    const ds = this.datasetRow(datasetId);
    const known = listLabels(this.db, ds.id, ds.type).some((l) => l.name === name);
    if (!known) throw new StudioError('not_found', `dataset "${ds.name}" has no label "${name}"`, 'name');
    const now = new Date().toISOString();
    let affected = 0;
    this.db.transaction(() => {
      for (const imageId of imagesUsing(this.db, ds.id, ds.type, name)) {
        writeAnnotation(this.db, imageId, change(readAnnotation(this.db, imageId)), 'studio', now);
        affected++;
      }
      const declared = sql(this.db, 'SELECT 1 FROM labels WHERE dataset_id = ? AND name = ?').get(ds.id, name);
      sql(this.db, 'DELETE FROM labels WHERE dataset_id = ? AND name = ?').run(ds.id, name);
      if (declared && renamedTo !== null) declareLabel(this.db, ds.id, renamedTo);
    })();
    this.emit({ type: 'datasets-changed', datasetId: ds.id });
    return { affected, labels: listLabels(this.db, ds.id, ds.type) };
  }

  private startIndex(row: DatasetRow): JobInfo {
    return this.jobs.start('index', `Index ${row.name}`, row.id, async ({ signal, progress }) => {
      const started = performance.now();
      const outcome = await indexFolder({ db: this.db, datasetId: row.id, root: row.source_path, type: row.type, signal, progress });
      this.emit({ type: 'datasets-changed', datasetId: row.id });
      return { ...outcome, dataset: await this.getDataset(row.id), durationMs: Math.round(performance.now() - started) };
    });
  }

  private async dropCaches(datasetId: number): Promise<void> {
    await rm(join(this.cacheDir, 'thumbs', String(datasetId)), { recursive: true, force: true });
  }

  private datasetRow(id: number): DatasetRow {
    const row = sql(this.db, `${DATASET_SELECT} WHERE d.id = ?`).get(parse(schemas.id, id, 'datasetId')) as DatasetRow | undefined;
    if (!row) throw new StudioError('not_found', `no dataset with id ${id}`, 'datasetId');
    return row;
  }

  private toDataset(r: DatasetRow): Dataset {
    return {
      id: r.id,
      instanceId: r.instance_id,
      instanceName: r.instance_name,
      type: r.type,
      name: r.name,
      description: r.description,
      path: r.source_path,
      createdAt: r.created_at,
      indexedAt: r.indexed_at,
      writeBack: r.write_back === 1,
      stats: datasetStats(this.db, r.id, r.type),
    };
  }

  // ---- images and annotations

  async listImages(query: ListImagesQuery): Promise<ImagePage> {
    const q = parse(schemas.listImages, query, 'listImages');
    const ds = this.datasetRow(q.datasetId);
    return listImages(this.db, { ...q, type: ds.type });
  }

  async getImage(id: number): Promise<ImageDetail> {
    const row = this.imageRow(id);
    return toDetail(this.db, row, this.datasetRow(row.dataset_id).type);
  }

  private imageRow(id: number): NonNullable<ReturnType<typeof getImageRow>> {
    const row = getImageRow(this.db, parse(schemas.id, id, 'imageId'));
    if (!row) throw new StudioError('not_found', `no image with id ${id}`, 'imageId');
    return row;
  }

  /** An image that can be labeled: indexed and not invalid. */
  private async usableImage(id: number): Promise<ImageDetail> {
    const image = await this.getImage(id);
    if (image.status === 'invalid') throw new StudioError('invalid_input', `${image.path} is not a usable image: ${image.reason}`, 'imageId');
    return image;
  }

  async saveAnnotation(input: SaveAnnotationInput): Promise<ImageDetail> {
    const v = parse(schemas.saveAnnotation, input, 'saveAnnotation');
    const image = await this.usableImage(v.imageId);
    const ds = this.datasetRow(image.datasetId);
    const { label, boxes } = v.annotation;
    if (ds.type === 'classification' && boxes.length > 0) {
      throw new StudioError('invalid_input', 'classification images take a label, not boxes', 'annotation.boxes');
    }
    if (ds.type !== 'classification' && label !== null) {
      throw new StudioError('invalid_input', `${ds.type} images take boxes, not an image label`, 'annotation.label');
    }
    boxes.forEach((b, i) => {
      if (b.xmin < 0 || b.ymin < 0 || b.xmax > image.width! || b.ymax > image.height!) {
        throw new StudioError('invalid_input', `box ${i + 1} lies outside the ${image.width}×${image.height} image`, `annotation.boxes.${i}`);
      }
    });
    this.db.transaction(() => {
      this.checkRevision(image.id, v.baseRevision);
      writeAnnotation(this.db, image.id, { label, boxes }, 'studio', new Date().toISOString());
    })();
    this.emit({ type: 'annotation-changed', imageId: image.id, datasetId: image.datasetId });
    return this.getImage(image.id);
  }

  async submitImage(input: SubmitImageInput): Promise<ImageDetail> {
    const v = parse(schemas.submitImage, input, 'submitImage');
    const image = await this.usableImage(v.imageId);
    const ds = this.datasetRow(image.datasetId);
    if (ds.type === 'classification' && image.label === null) {
      throw new StudioError('invalid_input', `choose a label for ${image.path} before submitting it (or skip it)`, 'imageId');
    }
    this.db.transaction(() => {
      this.checkRevision(image.id, v.baseRevision);
      // Submitting an image with no boxes says "nothing to find here": that is a label too.
      if (image.source === 'none') writeAnnotation(this.db, image.id, readAnnotation(this.db, image.id), 'studio', new Date().toISOString());
      sql(this.db, 'UPDATE images SET reviewed_at = ? WHERE id = ?').run(new Date().toISOString(), image.id);
    })();
    // Announced before the write-back: the image is reviewed even if its sidecar cannot be written.
    this.emit({ type: 'annotation-changed', imageId: image.id, datasetId: image.datasetId });
    const submitted = await this.getImage(image.id);
    if (ds.write_back === 1) await writeSidecar(this.db, this.datasetRef(ds.id), submitted);
    return submitted;
  }

  /** Refuses an edit based on an older revision: another window or a re-index changed the image since. */
  private checkRevision(imageId: number, base: number | undefined): void {
    if (base === undefined) return;
    const { revision } = sql(this.db, 'SELECT revision FROM images WHERE id = ?').get(imageId) as { revision: number };
    if (revision !== base) {
      throw new StudioError('conflict', `this image was changed elsewhere (another window or a re-index) since you opened it; reload it to see the current labels`, 'revision');
    }
  }

  async listConflicts(datasetId: number): Promise<AnnotationConflict[]> {
    return listConflicts(this.db, this.datasetRow(datasetId).id);
  }

  // ---- interchange

  async listFormats(): Promise<FormatInfo[]> {
    return listFormats();
  }

  async exportDataset(input: ExportInput): Promise<JobInfo> {
    const v = parse(schemas.exportDataset, input, 'exportDataset');
    const ds = this.datasetRef(v.datasetId);
    const provider = formatFor(v.format, ds.type);
    const outDir = await checkExport(this.db, ds, v.outDir);
    return this.jobs.start('export', `Export ${ds.name} as ${v.format}`, ds.id, (ctx) => exportDataset(this.db, ds, provider, v, outDir, ctx));
  }

  async importAnnotations(input: ImportInput): Promise<JobInfo> {
    const v = parse(schemas.importAnnotations, input, 'importAnnotations');
    const ds = this.datasetRef(v.datasetId);
    const provider = formatFor(v.format, ds.type);
    const from = await checkImportSource(v.from);
    if (this.jobs.activeFor(ds.id, ['index', 'import'])) throw new StudioError('conflict', `dataset "${ds.name}" is busy with another job; try again when it ends`, 'datasetId');
    return this.jobs.start('import', `Import ${v.format} into ${ds.name}`, ds.id, async (ctx) => {
      const report = await importAnnotations(this.db, ds, provider, v, from, ctx);
      this.emit({ type: 'datasets-changed', datasetId: ds.id });
      return report;
    });
  }

  private datasetRef(id: number): DatasetRef {
    const row = this.datasetRow(id);
    return { id: row.id, name: row.name, type: row.type, root: row.source_path };
  }

  /** Thumbnail or full image bytes for an indexed image (transports turn this into URLs). */
  async readMedia(kind: MediaKind, imageId: number): Promise<MediaFile> {
    // Every grid tile asks for one: read the row only, not the image's boxes.
    const row = this.imageRow(imageId);
    if (row.invalid_reason !== null) throw new StudioError('not_found', `${row.path} is not a usable image: ${row.invalid_reason}`);
    const root = this.datasetRow(row.dataset_id).source_path;
    return readMedia(this.cacheDir, kind, { datasetId: row.dataset_id, imageId: row.id, root, path: row.path, size: row.size, mtimeMs: row.mtime_ms, format: row.format });
  }

  // ---- training and models

  async startTraining(input: TrainInput): Promise<{ run: TrainingRun; job: JobInfo }> {
    return this.training.start(input);
  }

  async listRuns(instanceId?: number): Promise<TrainingRun[]> {
    return this.training.list(instanceId === undefined ? undefined : parse(schemas.id, instanceId, 'instanceId'));
  }

  async getRun(id: number): Promise<TrainingRun> {
    return this.training.run(parse(schemas.id, id, 'id'));
  }

  async runLogs(input: { runId: number; after?: number }): Promise<RunLogLine[]> {
    const v = parse(schemas.runLogs, input, 'runLogs');
    return this.training.logs(v.runId, v.after);
  }

  async stopRun(id: number): Promise<TrainingRun> {
    return this.training.stop(parse(schemas.id, id, 'id'));
  }

  async listModels(instanceId?: number): Promise<ModelVersion[]> {
    return this.training.models(instanceId === undefined ? undefined : parse(schemas.id, instanceId, 'instanceId'));
  }

  async getModel(id: number): Promise<ModelVersion> {
    return this.training.model(parse(schemas.id, id, 'modelId'));
  }

  async deleteModel(id: number): Promise<void> {
    const modelId = parse(schemas.id, id, 'modelId');
    void this.inferenceModule?.then((inference) => inference.forget(modelId));
    await this.training.deleteModel(modelId);
  }

  async predict(input: PredictInput): Promise<Prediction[]> {
    const v = parse(schemas.predict, input, 'predict');
    return (await this.inference()).predict(this.training.model(v.modelId), v.images);
  }

  async evaluateModel(input: EvaluateInput): Promise<JobInfo> {
    const v = parse(schemas.evaluateModel, input, 'evaluateModel');
    const model = this.training.model(v.modelId);
    return this.jobs.start('evaluate', `Evaluate ${model.name} on ${v.path}`, null, async (ctx) => (await this.inference()).evaluate(model, resolve(v.path), ctx));
  }

  private inference(): Promise<Inference> {
    this.inferenceModule ??= import('./training/inference').then(({ Inference }) => new Inference());
    return this.inferenceModule;
  }

  async listBackbones(): Promise<BackboneInfo[]> {
    return this.training.listBackbones();
  }

  async fetchBackbone(ref: string): Promise<JobInfo> {
    const v = parse(schemas.backboneRef, ref, 'ref');
    return this.jobs.start('backbone', `Fetch backbone ${v}`, null, (ctx) => this.training.fetchBackbone(v, ctx));
  }

  // ---- serving and EAS export

  async exportEas(input: ExportEasInput): Promise<JobInfo> {
    const { parseExportEas, checkOutDir, exportEas } = await import('./serving/export-eas');
    const v = parseExportEas(input);
    const model = this.training.model(v.modelId);
    const run = this.training.run(model.runId);
    await checkOutDir(v.outDir, model.dir);
    return this.jobs.start('export-eas', `Export ${model.name} for EAS`, null, (ctx) => exportEas(this.db, model, run, v, ctx));
  }

  async startService(input: StartServiceInput): Promise<ServiceInfo> {
    const model = this.training.model(parse(schemas.id, input?.modelId, 'modelId'));
    return (await this.serving()).start(model, input);
  }

  async stopService(name: string): Promise<void> {
    return (await this.serving()).stop(parse(schemas.jobId, name, 'name'));
  }

  async listServices(): Promise<ServiceInfo[]> {
    return this.servingModule ? (await this.servingModule).list() : [];
  }

  /** The services, for callers in this process (the CLI's serve, benchmarks). */
  serving(): Promise<ServiceManager> {
    this.servingModule ??= import('./serving/manager').then(({ ServiceManager }) => new ServiceManager());
    return this.servingModule;
  }

  // ---- model-assisted labeling

  async prelabel(input: PrelabelInput): Promise<JobInfo> {
    return this.assist.prelabel(input);
  }

  async listSuggestions(query: SuggestionQuery): Promise<SuggestionPage> {
    return this.assist.list(query);
  }

  async acceptSuggestion(input: AcceptSuggestionInput): Promise<AcceptedSuggestion> {
    return this.assist.accept(input);
  }

  async rejectSuggestion(input: RejectSuggestionInput): Promise<Suggestion | null> {
    return this.assist.reject(input);
  }

  async clearSuggestions(datasetId: number): Promise<number> {
    return this.assist.clear(datasetId);
  }

  // ---- jobs

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async getJob(id: string): Promise<JobInfo> {
    return this.jobs.get(parse(schemas.jobId, id, 'id'));
  }

  async waitJob(id: string): Promise<JobInfo> {
    return this.jobs.wait(parse(schemas.jobId, id, 'id'));
  }

  async cancelJob(id: string): Promise<JobInfo> {
    return this.jobs.cancel(parse(schemas.jobId, id, 'id'));
  }
}

function toInstance(r: InstanceRow): Instance {
  return { id: r.id, name: r.name, type: r.type, description: r.description, createdAt: r.created_at, datasetCount: r.dataset_count };
}
