// Messages between the app and the training process. Plain JSON: they cross child_process IPC
// under Node and Electron's utilityProcess MessagePort alike.

import type { Algorithm, BackendReport, ClassificationMetrics, DeviceChoice, EpochRecord, HpoTrial, StopReason } from '../../shared/api';
import type { Preprocessing } from './images';

export interface TrainImage {
  path: string;
  label: string;
  split: 'train' | 'val';
}

/** A backbone ready on disk (downloaded or imported into the workspace). */
export interface BackboneSpec {
  id: string;
  dir: string;
  preprocessing: Preprocessing;
  featureLayer: string | null;
}

export interface WorkerSpec {
  runId: number;
  /** Folder of the run: checkpoints and the final model go here. */
  runDir: string;
  algorithm: Algorithm;
  device: DeviceChoice;
  seed: number;
  /** Wall-clock budget of the whole run, feature extraction included. */
  budgetMs: number;
  hpo: boolean;
  labels: string[];
  images: TrainImage[];
  /** null: train a small network from scratch. */
  backbone: BackboneSpec | null;
  /** Incremental training: the base model version's folder. */
  baseModel: { id: number; dir: string } | null;
  /** Overrides of the algorithm's defaults (tests make runs short with them). */
  limits?: { maxEpochs?: number; patience?: number; trials?: number; trialEpochs?: number };
}

export type WorkerPhase = 'prepare' | 'search' | 'train' | 'evaluate' | 'save';

export interface TrainOutcome {
  stopReason: StopReason;
  /** The saved model (best epoch), or null when no epoch finished. */
  modelDir: string | null;
  metrics: ClassificationMetrics | null;
  /** Epochs of the final training. */
  epochs: number;
  /** What the engine chose: backbone, input size, learning rate, head... */
  params: Record<string, unknown>;
  inputSize: number;
  backbone: string | null;
}

export type WorkerEvent =
  | { type: 'backend'; backend: BackendReport }
  | { type: 'progress'; phase: WorkerPhase; done: number; total: number | null; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'trial'; trial: HpoTrial }
  | { type: 'checkpoint'; dir: string; metrics: ClassificationMetrics }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; message: string };

export type HostMessage = { type: 'start'; spec: WorkerSpec } | { type: 'stop' };

/** What the trainer needs from its host: a way to report, and whether the user asked to stop. */
export interface TrainerIO {
  emit(event: WorkerEvent): void;
  stopRequested(): boolean;
}
