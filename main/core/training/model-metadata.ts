// What a saved model is (metadata.json beside its model.json), readable without loading TensorFlow.js.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError, type Algorithm, type InstanceType, type ModelMetrics } from '../../shared/api';
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

export async function readMetadata(dir: string): Promise<ModelMetadata> {
  const file = join(dir, METADATA_FILE);
  return parseMetadata(await readFile(file, 'utf8').catch((err: Error) => failRead(file, err)), file);
}

/** For start-up recovery, which must finish before the workspace is used. */
export function readMetadataSync(dir: string): ModelMetadata {
  const file = join(dir, METADATA_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    failRead(file, err as Error);
  }
  return parseMetadata(text, file);
}

function failRead(file: string, err: Error): never {
  throw new StudioError('io_error', `${file}: cannot read model metadata (${err.message})`);
}

function parseMetadata(text: string, file: string): ModelMetadata {
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(text) as ModelMetadata;
  } catch (err) {
    failRead(file, err as Error);
  }
  if (meta.format !== 'autolearn-model' || !Array.isArray(meta.labels)) throw new StudioError('io_error', `${file}: not an AutoLearn model`);
  return meta;
}
