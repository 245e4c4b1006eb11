// What a saved model is (metadata.json beside its model.json), readable without loading TensorFlow.js.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError } from '../../shared/api';
import { METADATA_FILE, type ModelMetadata } from './model-format';

export { METADATA_FILE, type ModelMetadata } from './model-format';

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
