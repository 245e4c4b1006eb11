// What a trainer needs from the host it runs in, beyond reporting: a tfjs backend, decoded images and
// model folders. A Node training process implements these directly (sharp, the file system); a
// browser training host (WebGPU/WebGL) asks the app for them over its port. The trainers' model,
// loss, schedule and checkpoint code is the same in both.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendReport, DeviceChoice } from '../../shared/api';
import type { Letterboxed } from './detection/images';
import type { ModelMetadata } from './model-format';

/** What saveModel writes beside the model: any type's metadata (its own metrics and extra fields), without format/version. */
export type MetadataToSave = Omit<ModelMetadata, 'format' | 'version' | 'metrics'> & { metrics: { model_size: number } | null };

/** Images decoded by sharp (EXIF-rotated RGB bytes). */
export interface ImageSource {
  /** The centred square crop resized to size × size (classification). */
  square(path: string, size: number): Promise<Uint8Array>;
  /** Letterboxed into size × size with its frame (detection). */
  letterbox(path: string, size: number): Promise<Letterboxed>;
}

/** Model folders (model.json + weights + metadata.json) on the app's disk. */
export interface ModelStore {
  /** A folder inside a run folder (the host knows the platform's path rules). */
  dir(parent: string, name: string): string;
  /** The model's artifacts (topology and weights). */
  read(dir: string): Promise<tf.io.ModelArtifacts>;
  readMetadata(dir: string): Promise<ModelMetadata>;
  /** Replaces `dir` as a whole with the model and its metadata; returns model_size in bytes. */
  write(dir: string, artifacts: tf.io.ModelArtifacts, meta: MetadataToSave): Promise<number>;
}

export interface HostIO {
  /** Initialises the host's best backend for `device` and makes it current. */
  initBackend(device: DeviceChoice): Promise<BackendReport>;
  images: ImageSource;
  models: ModelStore;
}

/** An IOHandler that loads `dir` through the store (tfl.loadLayersModel takes it). */
export function storeHandler(store: ModelStore, dir: string): tf.io.IOHandler {
  return { load: () => store.read(dir) };
}

/** Saves a layers model and its metadata into `dir`; returns model_size in bytes. */
export async function saveModel(store: ModelStore, dir: string, model: tfl.LayersModel, meta: MetadataToSave): Promise<number> {
  let size = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      size = await store.write(dir, artifacts, meta);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return size;
}

export async function loadModel(store: ModelStore, dir: string): Promise<{ model: tfl.LayersModel; meta: ModelMetadata }> {
  const meta = await store.readMetadata(dir);
  const model = await tfl.loadLayersModel(storeHandler(store, dir));
  return { model, meta };
}
