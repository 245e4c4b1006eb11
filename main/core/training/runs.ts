// Runs and model versions in the workspace database (seed 002's experiment runs: params, labels,
// per-epoch metrics, logs, status, times, device, artifacts; HPO trials; models with lineage).

import type { Algorithm, BackendReport, ModelMetrics, EpochRecord, HpoTrial, InstanceType, ModelVersion, RunLogLine, RunStatus, StopReason, TrainingRun } from '../../shared/api';
import { sql, type Db } from '../workspace/db';

interface RunRow {
  id: number;
  instance_id: number;
  dataset_id: number | null;
  name: string;
  description: string;
  type: InstanceType;
  algorithm: Algorithm;
  status: RunStatus;
  stop_reason: StopReason | null;
  params_json: string;
  labels_json: string;
  backend_json: string | null;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  base_model_id: number | null;
  train_images: number;
  val_images: number;
  metrics_json: string | null;
  owner_pid: number | null;
  stop_requested_at: string | null;
  dir: string;
  model_id: number | null;
}

interface ModelRow {
  id: number;
  instance_id: number;
  run_id: number;
  name: string;
  type: InstanceType;
  algorithm: Algorithm;
  labels_json: string;
  backbone: string | null;
  input_size: number;
  metrics_json: string;
  size_bytes: number;
  created_at: string;
  base_model_id: number | null;
  from_checkpoint: number;
  dir: string;
}

const RUN_SELECT = `SELECT r.*, i.type, (SELECT m.id FROM models m WHERE m.run_id = r.id ORDER BY m.id DESC LIMIT 1) AS model_id FROM runs r JOIN instances i ON i.id = r.instance_id`;

export interface NewRun {
  instanceId: number;
  datasetId: number;
  name: string;
  description: string;
  algorithm: Algorithm;
  params: Record<string, unknown>;
  labels: string[];
  baseModelId: number | null;
  trainImages: number;
  valImages: number;
  dir: (id: number) => string;
}

export function insertRun(db: Db, run: NewRun): number {
  return db.transaction(() => {
    const { id } = sql(
      db,
      `INSERT INTO runs (instance_id, dataset_id, name, description, algorithm, status, params_json, labels_json, started_at, base_model_id, train_images, val_images, owner_pid, dir)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, '') RETURNING id`,
    ).get(run.instanceId, run.datasetId, run.name, run.description, run.algorithm, JSON.stringify(run.params), JSON.stringify(run.labels), new Date().toISOString(), run.baseModelId, run.trainImages, run.valImages, process.pid) as { id: number };
    sql(db, 'UPDATE runs SET dir = ? WHERE id = ?').run(run.dir(id), id);
    return id;
  })();
}

export function runRow(db: Db, id: number): RunRow | undefined {
  return sql(db, `${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
}

export function nextRunName(db: Db, instanceId: number, prefix: string): string {
  for (let n = 1; ; n++) {
    const name = `${prefix}-${n}`;
    if (!runNameTaken(db, instanceId, name)) return name;
  }
}

export function runNameTaken(db: Db, instanceId: number, name: string): boolean {
  return sql(db, 'SELECT 1 FROM runs WHERE instance_id = ? AND name = ?').get(instanceId, name) !== undefined;
}

export function setBackend(db: Db, id: number, backend: BackendReport): void {
  sql(db, 'UPDATE runs SET backend_json = ? WHERE id = ?').run(JSON.stringify(backend), id);
}

export function setMetrics(db: Db, id: number, metrics: ModelMetrics): void {
  sql(db, 'UPDATE runs SET metrics_json = ? WHERE id = ?').run(JSON.stringify(metrics), id);
}

export function mergeParams(db: Db, id: number, params: Record<string, unknown>): void {
  const row = runRow(db, id);
  if (!row) return;
  sql(db, 'UPDATE runs SET params_json = ? WHERE id = ?').run(JSON.stringify({ ...(JSON.parse(row.params_json) as object), ...params }), id);
}

export function finishRun(db: Db, id: number, end: { status: Exclude<RunStatus, 'running'>; stopReason: StopReason; error?: string | null; metrics?: ModelMetrics | null }): void {
  sql(db, 'UPDATE runs SET status = ?, stop_reason = ?, error = ?, metrics_json = COALESCE(?, metrics_json), ended_at = ?, owner_pid = NULL WHERE id = ?').run(
    end.status,
    end.stopReason,
    end.error ?? null,
    end.metrics ? JSON.stringify(end.metrics) : null,
    new Date().toISOString(),
    id,
  );
}

export function addEpoch(db: Db, runId: number, record: EpochRecord): void {
  sql(db, 'INSERT INTO run_epochs (run_id, trial, epoch, record_json) VALUES (?, ?, ?, ?)').run(runId, record.trial, record.epoch, JSON.stringify(record));
}

export function saveTrial(db: Db, runId: number, t: HpoTrial): void {
  sql(db, `INSERT INTO run_trials (run_id, idx, params_json, status, metric, val_accuracy, epochs, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, idx) DO UPDATE SET status = excluded.status, metric = excluded.metric, val_accuracy = excluded.val_accuracy, epochs = excluded.epochs, duration_ms = excluded.duration_ms`).run(
    runId,
    t.index,
    JSON.stringify(t.params),
    t.status,
    t.metric,
    t.valAccuracy,
    t.epochs,
    t.durationMs,
  );
}

export function addLog(db: Db, runId: number, level: RunLogLine['level'], message: string): void {
  sql(db, 'INSERT INTO run_logs (run_id, at, level, message) VALUES (?, ?, ?, ?)').run(runId, new Date().toISOString(), level, message);
}

export function runLogs(db: Db, runId: number, after: number): RunLogLine[] {
  return sql(db, 'SELECT at, level, message FROM run_logs WHERE run_id = ? ORDER BY id LIMIT -1 OFFSET ?').all(runId, after) as RunLogLine[];
}

export function requestStop(db: Db, id: number): void {
  sql(db, 'UPDATE runs SET stop_requested_at = ? WHERE id = ? AND status = ?').run(new Date().toISOString(), id, 'running');
}

export function stopRequested(db: Db, id: number): boolean {
  return (sql(db, 'SELECT stop_requested_at FROM runs WHERE id = ?').get(id) as { stop_requested_at: string | null } | undefined)?.stop_requested_at != null;
}

/** Runs marked running whose driving process is gone (the app crashed or was killed). */
export function orphanedRuns(db: Db): RunRow[] {
  const rows = sql(db, `${RUN_SELECT} WHERE r.status = 'running'`).all() as RunRow[];
  return rows.filter((r) => r.owner_pid === null || r.owner_pid === process.pid || !alive(r.owner_pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listRuns(db: Db, instanceId?: number): TrainingRun[] {
  const rows = (instanceId === undefined ? sql(db, `${RUN_SELECT} ORDER BY r.id DESC`).all() : sql(db, `${RUN_SELECT} WHERE r.instance_id = ? ORDER BY r.id DESC`).all(instanceId)) as RunRow[];
  return rows.map((r) => toRun(r, [], []));
}

export function getRun(db: Db, row: RunRow): TrainingRun {
  const epochs = (sql(db, 'SELECT record_json FROM run_epochs WHERE run_id = ? ORDER BY rowid').all(row.id) as Array<{ record_json: string }>).map((e) => JSON.parse(e.record_json) as EpochRecord);
  const trials = (sql(db, 'SELECT * FROM run_trials WHERE run_id = ? ORDER BY idx').all(row.id) as Array<{ idx: number; params_json: string; status: HpoTrial['status']; metric: number | null; val_accuracy: number | null; epochs: number; duration_ms: number }>).map(
    (t): HpoTrial => ({ index: t.idx, params: JSON.parse(t.params_json) as HpoTrial['params'], status: t.status, metric: t.metric, valAccuracy: t.val_accuracy, epochs: t.epochs, durationMs: t.duration_ms }),
  );
  return toRun(row, epochs, trials);
}

function toRun(r: RunRow, epochs: EpochRecord[], trials: HpoTrial[]): TrainingRun {
  return {
    id: r.id,
    instanceId: r.instance_id,
    datasetId: r.dataset_id ?? 0,
    name: r.name,
    description: r.description,
    type: r.type,
    algorithm: r.algorithm,
    status: r.status,
    stopReason: r.stop_reason,
    params: JSON.parse(r.params_json) as Record<string, unknown>,
    labels: JSON.parse(r.labels_json) as string[],
    backend: r.backend_json ? (JSON.parse(r.backend_json) as BackendReport) : null,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    baseModelId: r.base_model_id,
    modelId: r.model_id,
    trainImages: r.train_images,
    valImages: r.val_images,
    metrics: r.metrics_json ? (JSON.parse(r.metrics_json) as ModelMetrics) : null,
    epochs,
    trials,
  };
}

export type NewModel = Omit<ModelVersion, 'id' | 'createdAt'>;

export function insertModel(db: Db, m: NewModel): number {
  const { id } = sql(
    db,
    `INSERT INTO models (instance_id, run_id, name, type, algorithm, labels_json, backbone, input_size, metrics_json, size_bytes, created_at, base_model_id, from_checkpoint, dir)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(m.instanceId, m.runId, m.name, m.type, m.algorithm, JSON.stringify(m.labels), m.backbone, m.inputSize, JSON.stringify(m.metrics), m.sizeBytes, new Date().toISOString(), m.baseModelId, Number(m.fromCheckpoint), m.dir) as { id: number };
  return id;
}

export function modelRow(db: Db, id: number): ModelVersion | undefined {
  const row = sql(db, 'SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  return row && toModel(row);
}

export function listModels(db: Db, instanceId?: number): ModelVersion[] {
  const rows = (instanceId === undefined ? sql(db, 'SELECT * FROM models ORDER BY id DESC').all() : sql(db, 'SELECT * FROM models WHERE instance_id = ? ORDER BY id DESC').all(instanceId)) as ModelRow[];
  return rows.map(toModel);
}

export function deleteModelRow(db: Db, id: number): void {
  sql(db, 'DELETE FROM models WHERE id = ?').run(id);
}

function toModel(r: ModelRow): ModelVersion {
  return {
    id: r.id,
    instanceId: r.instance_id,
    runId: r.run_id,
    name: r.name,
    type: r.type,
    algorithm: r.algorithm,
    labels: JSON.parse(r.labels_json) as string[],
    backbone: r.backbone,
    inputSize: r.input_size,
    metrics: JSON.parse(r.metrics_json) as ModelMetrics,
    sizeBytes: r.size_bytes,
    createdAt: r.created_at,
    baseModelId: r.base_model_id,
    fromCheckpoint: r.from_checkpoint === 1,
    dir: r.dir,
  };
}

export type { RunRow };
