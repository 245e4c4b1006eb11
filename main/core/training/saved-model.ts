// A model version on disk: a tfjs layers model (model.json + weights) and metadata.json with what
// a runtime needs to use it (labels, input size, preprocessing) and where it came from.

import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { StudioError, type Algorithm, type ClassificationMetrics, type InstanceType } from '../../shared/api';
import { folderIO } from './backbones/folder-io';
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
  metrics: ClassificationMetrics | null;
}

/** Writes the model into `dir` (replacing it as a whole, so a crash never leaves half a model). Returns model_size in bytes. */
export async function saveModel(dir: string, model: tfl.LayersModel, meta: Omit<ModelMetadata, 'format' | 'version'>): Promise<number> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await model.save(folderIO(tmp));
  const size = await modelBytes(tmp);
  const metrics = meta.metrics ? { ...meta.metrics, model_size: size } : null;
  const full: ModelMetadata = { format: 'autolearn-model', version: 1, ...meta, metrics };
  await writeFile(join(tmp, METADATA_FILE), JSON.stringify(full, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return size;
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

export async function loadModel(dir: string): Promise<{ model: tfl.LayersModel; meta: ModelMetadata }> {
  const meta = await readMetadata(dir);
  const model = await tfl.loadLayersModel(folderIO(dir));
  return { model, meta };
}

/** Bytes of the model files (model.json and weights; metadata not counted), the seed's model_size. */
export async function modelBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    if (name === METADATA_FILE) continue;
    total += (await stat(join(dir, name))).size;
  }
  return total;
}
