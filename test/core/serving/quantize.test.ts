// Export-time weight quantization (float16, uint8 per-tensor min/scale) on a real trained model,
// loaded back with tf.loadLayersModel; and the service.json validator.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../../../main/shared/api';
import type { Studio } from '../../../main/core/studio';
import { folderIO } from '../../../main/core/training/backbones/folder-io';
import { modelBytes } from '../../../main/core/training/saved-model';
import { float16Bits, toUint8, writeQuantized } from '../../../main/core/serving/quantize';
import { ModelRuntime } from '../../../main/core/serving/runtime';
import { serviceJson, validateServiceJson } from '../../../main/core/serving/service-json';
import { tempDir } from '../../helpers/fixtures';
import { png, swatch, trainColourModel } from './fixture';

const work = tempDir('quantize-');
let studio: Studio;
let model: ModelVersion;

beforeAll(async () => {
  ({ studio, model } = await trainColourModel(work.dir));
}, 120_000);
afterAll(async () => {
  await studio?.close();
  work.cleanup();
});

describe('float16 and uint8 encodings', () => {
  it('float16 bits decode (with tfjs\' own decoder) to the nearest half, with subnormals, infinities and NaN', () => {
    const values = [0, -0, 1, -2.5, 0.1, 65504, 70000, -70000, 1e-5, 6e-8, 1e-9, 3.14159, Number.NaN];
    const bits = Uint16Array.from(values.map(float16Bits));
    const decoded = tf.io.decodeWeights(bits.buffer, [{ name: 'w', shape: [values.length], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const back = decoded.w!.dataSync();
    decoded.w!.dispose();
    expect(back[0]).toBe(0);
    expect(Object.is(back[1], -0)).toBe(true);
    expect(back[2]).toBe(1);
    expect(back[3]).toBe(-2.5);
    expect(back[4]).toBeCloseTo(0.1, 3);
    expect(back[5]).toBe(65504);
    expect(back[6]).toBe(Infinity);
    expect(back[7]).toBe(-Infinity);
    expect(Math.abs(back[8]! - 1e-5)).toBeLessThan(6e-8); // subnormal: steps of 2^-24
    expect(back[9]).toBeCloseTo(5.960464477539063e-8, 12); // the smallest half
    expect(back[10]).toBe(0);
    expect(back[11]).toBeCloseTo(3.140625, 6);
    expect(Number.isNaN(back[12])).toBe(true);
  });

  it('uint8 keeps 0 exact (nudged range) and turns a constant tensor into zeros with scale 1', () => {
    const q = toUint8(Float32Array.from([-1, -0.3, 0, 0.5, 2]));
    expect(q.data[2]! * q.scale + q.min).toBe(0);
    expect(Math.max(...[-1, -0.3, 0, 0.5, 2].map((v, i) => Math.abs(q.data[i]! * q.scale + q.min - v)))).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
    expect(toUint8(Float32Array.from([0.25, 0.25, 0.25]))).toEqual({ data: new Uint8Array(3), min: 0.25, scale: 1 });
  });
});

describe('quantized models', () => {
  it('float16 and uint8 folders load with tf.loadLayersModel, shrink, and predict close to float32', async () => {
    const images = await Promise.all(['red', 'blue', 'red', 'blue'].map((c, i) => png(swatch(c, 40, 40, i + 20), 40, 40)));
    const original = await ModelRuntime.load(model.dir);
    const decoded = await Promise.all(images.map((img) => original.decode(img)));
    const reference = await original.classifier().probabilities(decoded);
    original.dispose();
    const before = await modelBytes(model.dir);
    const floatWeights = readFileSync(join(model.dir, 'weights.bin')).length;
    for (const [dtype, ratio, tolerance] of [['float16', 2, 0.01], ['uint8', 4, 0.08]] as const) {
      const dir = join(work.dir, dtype);
      const size = await writeQuantized(model.dir, dir, dtype);
      expect(size).toBeLessThan(before);
      expect(size).toBe(await modelBytes(dir));
      expect(readFileSync(join(dir, 'weights.bin')).length).toBe(floatWeights / ratio);
      const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights as Array<{ dtype: string; quantization?: { dtype: string; min?: number; scale?: number } }>;
      expect(manifest.every((w) => w.dtype === 'float32' && w.quantization?.dtype === dtype)).toBe(true);
      if (dtype === 'uint8') expect(manifest.every((w) => typeof w.quantization!.min === 'number' && typeof w.quantization!.scale === 'number')).toBe(true);
      // The plain tfjs loader reads it.
      const loaded = await tfl.loadLayersModel(folderIO(dir));
      expect(loaded.getWeights().every((w) => w.dtype === 'float32')).toBe(true);
      loaded.dispose();
      // And it predicts like the original.
      const runtime = await ModelRuntime.load(dir);
      const probs = await runtime.classifier().probabilities(decoded);
      runtime.dispose();
      const maxDiff = probs.reduce((m, p, i) => Math.max(m, Math.abs(p - reference[i]!)), 0);
      expect(maxDiff, dtype).toBeLessThan(tolerance);
      for (let i = 0; i < images.length; i++) expect(probs[i * 2]! > probs[i * 2 + 1]!).toBe(reference[i * 2]! > reference[i * 2 + 1]!);
    }
  });
});

describe('service.json validator', () => {
  const generated = () => serviceJson({ serviceName: 'colours', queueSize: 64 }) as any;
  const filled = () => {
    const doc = generated();
    doc.containers[0].image = 'registry-vpc.cn-shanghai.aliyuncs.com/acme/colours:1.0';
    doc.storage[0].oss.path = 'oss://acme-models/autolearn/colours/model/';
    return doc;
  };

  it('names every placeholder left in the generated file, and passes it once filled', () => {
    const problems = validateServiceJson(generated());
    expect(problems).toEqual([
      { field: 'containers[0].image', message: 'still holds the placeholder <REGION>: replace it with your value' },
      { field: 'storage[0].oss.path', message: 'still holds the placeholder <BUCKET>: replace it with your value' },
    ]);
    expect(validateServiceJson(filled())).toEqual([]);
  });

  it('names each wrong field with the reason', () => {
    const doc = filled();
    doc.metadata.name = 'Colours-Service';
    doc.metadata.instance = 0;
    doc.metadata.memory = 512;
    doc.metadata.cpu = 1.5;
    doc.metadata.rpc.keepalive = -1;
    doc.containers[0].port = 8080;
    doc.storage[0].oss.path = 'https://acme-models/colours/';
    const fields = Object.fromEntries(validateServiceJson(doc).map((p) => [p.field, p.message]));
    expect(fields['metadata.name']).toMatch(/lowercase letters, digits or _/);
    expect(fields['metadata.instance']).toMatch(/integer ≥ 1 \(got 0\)/);
    expect(fields['metadata.memory']).toMatch(/MB, at least 1024/);
    expect(fields['metadata.cpu']).toMatch(/whole number of cores/);
    expect(fields['metadata.rpc.keepalive']).toMatch(/positive integer \(milliseconds\)/);
    expect(fields['containers[0].port']).toMatch(/8080 is reserved by the EAS engine/);
    expect(fields['storage[0].oss.path']).toMatch(/not an OSS path/);
  });

  it('checks the container against itself and the mounts', () => {
    const doc = filled();
    doc.containers[0].port = 8001;
    doc.storage[0].mount_path = '/mnt/other/';
    const fields = Object.fromEntries(validateServiceJson(doc).map((p) => [p.field, p.message]));
    expect(fields['containers[0].port']).toBe('is 8001 but the command listens on --port 8000');
    expect(fields['containers[0].command']).toMatch(/--model \/eas\/workspace\/model is not inside any storage\[\]\.mount_path \(\/mnt\/other\/\)/);
  });

  it('requires metadata, name, instance, containers, and a place to run', () => {
    expect(validateServiceJson([])).toEqual([{ field: '(root)', message: 'service.json must be a JSON object' }]);
    const fields = validateServiceJson({}).map((p) => p.field);
    expect(fields).toEqual(['metadata', 'cloud.computing.instances', 'containers']);
    const doc = filled();
    delete doc.metadata.name;
    delete doc.metadata.instance;
    delete doc.cloud;
    doc.containers[0].command = '';
    expect(validateServiceJson(doc).map((p) => p.field)).toEqual(['metadata.name', 'metadata.instance', 'cloud.computing.instances', 'containers[0].command']);
  });

  it('accepts the flat rpc keys and a dedicated resource group', () => {
    const doc = filled();
    delete doc.metadata.rpc;
    doc.metadata['rpc.keepalive'] = 5000;
    doc.metadata['rpc.max_queue_size'] = 0;
    delete doc.cloud;
    doc.metadata.resource = 'eas-r-abc123';
    expect(validateServiceJson(doc)).toEqual([{ field: 'metadata.rpc.max_queue_size', message: 'must be a positive integer (got 0)' }]);
  });
});
