// A model version on disk: a tfjs layers model (model.json + weights) and metadata.json with what
// a runtime needs to use it (labels, input size, preprocessing) and where it came from. This is
// the Node side's ModelStore; a browser training host reaches it through the app.

import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { folderIO } from './backbones/folder-io';
import { loadModel as loadFrom, type MetadataToSave, type ModelStore } from './host-io';
import { METADATA_FILE, readMetadata, type ModelMetadata } from './model-metadata';

export type { MetadataToSave };

export const diskModels: ModelStore = {
  dir: (parent, name) => join(parent, name),
  read: (dir) => folderIO(dir).load!(),
  readMetadata,
  async write(dir: string, artifacts: tf.io.ModelArtifacts, meta: MetadataToSave): Promise<number> {
    // Written beside and renamed over, so a crash never leaves half a model.
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await folderIO(tmp).save!(artifacts);
    const size = await modelBytes(tmp);
    const metrics = meta.metrics ? { ...meta.metrics, model_size: size } : null;
    const full = { format: 'autolearn-model', version: 1, ...meta, metrics };
    await writeFile(join(tmp, METADATA_FILE), JSON.stringify(full, null, 2));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return size;
  },
};

export function loadModel(dir: string): Promise<{ model: tfl.LayersModel; meta: ModelMetadata }> {
  return loadFrom(diskModels, dir);
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
