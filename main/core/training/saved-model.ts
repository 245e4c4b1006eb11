// A model version on disk: a tfjs layers model (model.json + weights) and metadata.json with what
// a runtime needs to use it (labels, input size, preprocessing) and where it came from.

import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { folderIO } from './backbones/folder-io';
import { METADATA_FILE, readMetadata, type ModelMetadata } from './model-metadata';

/** What saveModel writes beside the model: any type's metadata (its own metrics and extra fields), without format/version. */
export type MetadataToSave = Omit<ModelMetadata, 'format' | 'version' | 'metrics'> & { metrics: { model_size: number } | null };

/** Writes the model into `dir` (replacing it as a whole, so a crash never leaves half a model). Returns model_size in bytes. */
export async function saveModel(dir: string, model: tfl.LayersModel, meta: MetadataToSave): Promise<number> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await model.save(folderIO(tmp));
  const size = await modelBytes(tmp);
  const metrics = meta.metrics ? { ...meta.metrics, model_size: size } : null;
  const full = { format: 'autolearn-model', version: 1, ...meta, metrics };
  await writeFile(join(tmp, METADATA_FILE), JSON.stringify(full, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return size;
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
