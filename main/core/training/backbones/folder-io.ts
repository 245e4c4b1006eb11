// A tf.io.IOHandler over a folder on disk (model.json + weight files), the `file://` handler that only
// tfjs-node ships. Works with tfl.loadLayersModel(folderIO(dir)) and model.save(folderIO(dir)).
// Errors are StudioErrors naming the file and the reason.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
// Types only at load time: the Studio imports this module on every start, tfjs-core costs ~1 s.
import type * as tf from '@tensorflow/tfjs-core';
import { StudioError } from '../../../shared/api';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

type Manifest = tf.io.WeightsManifestConfig;
type WeightSpec = tf.io.WeightsManifestEntry;

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes one weight takes in the weight files (quantized size where quantized), or null if unknowable (strings). */
export function weightByteLength(spec: WeightSpec): number | null {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = DTYPE_BYTES[dtype];
  if (per === undefined) return null;
  return spec.shape.reduce((a, b) => a * b, 1) * per;
}

/** Total bytes the weight specs need, or null if some size cannot be known. */
export function weightsByteLength(specs: WeightSpec[]): number | null {
  let total = 0;
  for (const s of specs) {
    const n = weightByteLength(s);
    if (n === null) return null;
    total += n;
  }
  return total;
}

/**
 * The weight file paths listed in a parsed model.json, checked to be relative paths that stay
 * inside the model's folder (a manifest is data from elsewhere: no `..`, no absolute paths, no URLs).
 */
export function weightPaths(manifest: Manifest, where: string): string[] {
  const out: string[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const n = normalize(p);
      if (p === '' || isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p) || n === '..' || n.startsWith(`..${sep}`) || n.split(/[\\/]/).includes('..')) {
        throw new StudioError('invalid_input', `${where}: weight path "${p}" must be a file name relative to the model folder`);
      }
      out.push(p);
    }
  }
  return out;
}

/**
 * Parses and checks model.json text: an object with a modelTopology object and a weightsManifest
 * array of {paths: string[], weights: spec[]}. `where` names the file (or URL) in messages.
 */
export function parseModelJson(text: string, where: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StudioError('invalid_input', `${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new StudioError('invalid_input', `${where} is not a tfjs model.json (expected a JSON object)`);
  }
  const o = json as Record<string, unknown>;
  if (o.modelTopology === null || typeof o.modelTopology !== 'object') {
    throw new StudioError('invalid_input', `${where} is not a tfjs model.json (no modelTopology)`);
  }
  if (o.weightsManifest !== undefined) {
    const m = o.weightsManifest;
    const ok =
      Array.isArray(m) &&
      m.every(
        (g: unknown) =>
          g !== null &&
          typeof g === 'object' &&
          Array.isArray((g as Record<string, unknown>).paths) &&
          ((g as Record<string, unknown>).paths as unknown[]).every((p) => typeof p === 'string') &&
          Array.isArray((g as Record<string, unknown>).weights) &&
          ((g as Record<string, unknown>).weights as unknown[]).every(
            (w) => w !== null && typeof w === 'object' && typeof (w as Record<string, unknown>).name === 'string' && Array.isArray((w as Record<string, unknown>).shape),
          ),
      );
    if (!ok) throw new StudioError('invalid_input', `${where} has a malformed weightsManifest (expected [{paths: string[], weights: [{name, shape, dtype}]}])`);
  }
  return json as tf.io.ModelJSON;
}

/** Reads model.json and every weight file of its manifest; checks each group holds enough bytes. */
export async function readModelFolder(dir: string): Promise<{ json: tf.io.ModelJSON; specs: WeightSpec[]; data: ArrayBuffer }> {
  const jsonPath = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StudioError(code === 'ENOENT' ? 'not_found' : 'io_error', code === 'ENOENT' ? `${jsonPath} does not exist (not a tfjs model folder)` : `could not read ${jsonPath}: ${(err as Error).message}`);
  }
  const json = parseModelJson(text, jsonPath);
  const manifest: Manifest = json.weightsManifest ?? [];
  weightPaths(manifest, jsonPath);
  const specs: WeightSpec[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    const groupBuffers: Uint8Array[] = [];
    for (const p of group.paths) {
      const file = join(dir, p);
      try {
        groupBuffers.push(await readFile(file));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new StudioError(
          code === 'ENOENT' ? 'not_found' : 'io_error',
          code === 'ENOENT' ? `missing weight file ${file} (listed in ${jsonPath})` : `could not read weight file ${file}: ${(err as Error).message}`,
        );
      }
    }
    const need = weightsByteLength(group.weights);
    const have = groupBuffers.reduce((a, b) => a + b.byteLength, 0);
    if (need !== null && have < need) {
      const files = group.paths.map((p) => join(dir, p)).join(', ');
      throw new StudioError(
        'io_error',
        `weight file${group.paths.length > 1 ? 's' : ''} ${files} ${group.paths.length > 1 ? 'hold' : 'holds'} ${have} bytes but ${jsonPath} needs ${need} (truncated download or copy?)`,
      );
    }
    specs.push(...group.weights);
    buffers.push(...groupBuffers);
  }
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    data.set(b, off);
    off += b.byteLength;
  }
  return { json, specs, data: data.buffer };
}

function toArrayBuffer(core: typeof tf, data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return core.io.CompositeArrayBuffer.join(data);
}

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new StudioError('io_error', `could not write ${file}: ${(err as Error).message}`);
  }
}

/** An IOHandler reading/writing a tfjs model folder: model.json + weight files. */
export function folderIO(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const { json, specs, data } = await readModelFolder(dir);
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: data,
      };
      if (json.format !== undefined) artifacts.format = json.format;
      if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
      if (json.convertedBy !== undefined) artifacts.convertedBy = json.convertedBy;
      if (json.trainingConfig !== undefined) artifacts.trainingConfig = json.trainingConfig;
      if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
      if (json.signature !== undefined) artifacts.signature = json.signature;
      if (json.modelInitializer !== undefined) artifacts.modelInitializer = json.modelInitializer;
      if (json.initializerSignature !== undefined) artifacts.initializerSignature = json.initializerSignature;
      return artifacts;
    },

    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer) {
        throw new StudioError('invalid_input', `cannot save to ${join(dir, MODEL_JSON)}: the model has no JSON topology`);
      }
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw new StudioError('io_error', `could not create ${dir}: ${(err as Error).message}`);
      }
      const core = await import('@tensorflow/tfjs-core');
      const weights = toArrayBuffer(core, artifacts.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: topology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-core v${core.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature !== undefined) json.signature = artifacts.signature;
      if (artifacts.modelInitializer !== undefined) json.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature !== undefined) json.initializerSignature = artifacts.initializerSignature;
      // Weights first: a model.json never points at weights that are not fully written.
      await writeAtomically(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeAtomically(join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: core.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
    },
  };
}
