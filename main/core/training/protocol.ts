// Messages between the app and the training process. Plain JSON: they cross child_process IPC
// under Node and Electron's utilityProcess MessagePort alike.

import type { Algorithm, BackendReport, DeviceChoice, EpochRecord, HpoTrial, InstanceType, ModelMetrics, StopReason } from '../../shared/api';
import type { HostIO } from './host-io';
import type { Preprocessing } from './images';

export interface TrainImage {
  path: string;
  label: string;
  split: 'train' | 'val';
  /** Detection/OCR: the image's boxes, in the displayed (EXIF-oriented) pixel frame. */
  boxes?: TrainBox[];
  /** Displayed size the boxes refer to (if it differs from the decoded image, boxes are rescaled). */
  width?: number;
  height?: number;
}

/** A labeled box of a training image (VOC coordinates). */
export interface TrainBox {
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  difficult?: boolean;
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
  /** What is trained: the instance's type (default classification). */
  type?: InstanceType;
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
  limits?: { maxEpochs?: number; patience?: number; trials?: number; trialEpochs?: number; inputSize?: number };
  /** Detection: train on `difficult` boxes (default true); false makes them ignored regions. AP ignores them either way. */
  trainDifficult?: boolean;
}

export type WorkerPhase = 'prepare' | 'search' | 'train' | 'evaluate' | 'save';

export interface TrainOutcome {
  stopReason: StopReason;
  /** The saved model (best epoch), or null when no epoch finished. */
  modelDir: string | null;
  metrics: ModelMetrics | null;
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
  | { type: 'checkpoint'; dir: string; metrics: ModelMetrics }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; message: string };

export type HostMessage = { type: 'start'; spec: WorkerSpec } | { type: 'stop' };

/** What the trainer needs from its host: a way to report, whether the user asked to stop, and the host's backend, images and model folders. */
export interface TrainerIO extends HostIO {
  emit(event: WorkerEvent): void;
  stopRequested(): boolean;
}
