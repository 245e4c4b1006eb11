// What a saved model folder is: metadata.json beside the tfjs model, describing it. Types only (and
// the file name), so browser-side trainer code can name them.

import type { Algorithm, InstanceType, ModelMetrics } from '../../shared/api';
import type { Preprocessing } from './images';

export const METADATA_FILE = 'metadata.json';

export interface ModelMetadata {
  format: 'autolearn-model';
  version: 1;
  type: InstanceType;
  labels: string[];
  preprocessing: Preprocessing;
  algorithm: Algorithm;
  /** Backbone id (zoo or imported), or null for a network trained from scratch. */
  backbone: string | null;
  /** Units of the head's hidden layer (0: linear head). */
  headUnits: number;
  runId: number;
  baseModelId: number | null;
  createdAt: string;
  metrics: ModelMetrics | null;
}
