import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../../main/shared/api';
import { folderIO } from '../../../../main/core/training/backbones/folder-io';
import { tempDir } from '../../../helpers/fixtures';
import { saveTinyBackbone } from '../../../helpers/tiny-backbone';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function tmp(): string {
  const t = tempDir('backbone-io-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function expectStudioError(p: Promise<unknown>, code: string, ...fragments: string[]): Promise<StudioError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  const se = err as StudioError;
  expect(se.code).toBe(code);
  for (const f of fragments) expect(se.message).toContain(f);
  return se;
}

describe('folderIO', () => {
  it.each(['v1', 'v2'] as const)('round-trips the tiny %s backbone with identical predictions', async (kind) => {
    const dir = join(tmp(), 'nested', 'model'); // save creates missing folders
    const model = await saveTinyBackbone(dir, kind);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);

    const loaded = await tfl.loadLayersModel(folderIO(dir));
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const x = tf.randomUniform([3, 32, 32, 3], -1, 1, 'float32', 7);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);

    // Saving the loaded model again gives the same bytes of weights.
    const again = tmp();
    const result = await loaded.save(folderIO(again));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(readFileSync(join(dir, 'weights.bin')).byteLength);
    expect(readFileSync(join(again, 'weights.bin'))).toEqual(readFileSync(join(dir, 'weights.bin')));
  });

  it('concatenates weights split over several files and groups', async () => {
    const dir = tmp();
    const model = await saveTinyBackbone(dir, 'v2');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    // Two groups: the first weight alone, the rest split over two shards at an arbitrary byte.
    const specs = json.weightsManifest[0].weights;
    const firstBytes = specs[0].shape.reduce((a: number, b: number) => a * b, 1) * 4;
    writeFileSync(join(dir, 'g1.bin'), bin.subarray(0, firstBytes));
    const cut = firstBytes + 1001;
    writeFileSync(join(dir, 'g2-1.bin'), bin.subarray(firstBytes, cut));
    writeFileSync(join(dir, 'g2-2.bin'), bin.subarray(cut));
    json.weightsManifest = [
      { paths: ['g1.bin'], weights: specs.slice(0, 1) },
      { paths: ['g2-1.bin', 'g2-2.bin'], weights: specs.slice(1) },
    ];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await tfl.loadLayersModel(folderIO(dir));
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 8);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it('loads uint8-quantized weights (dequantized by tfjs from the manifest)', async () => {
    const dir = tmp();
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    await model.save(folderIO(dir));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    // kernel [3,2] and bias [2] as uint8 codes: value = min + scale * code.
    const kernelCodes = [0, 10, 20, 30, 40, 255];
    const biasCodes = [100, 200];
    writeFileSync(join(dir, 'weights.bin'), Buffer.from([...kernelCodes, ...biasCodes]));
    json.weightsManifest[0].weights = json.weightsManifest[0].weights.map((w: { name: string }) => ({
      ...w,
      quantization: { dtype: 'uint8', min: -1, scale: 0.01 },
    }));
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await tfl.loadLayersModel(folderIO(dir));
    const [k, b] = loaded.getWeights();
    expect(Array.from(k!.dataSync())).toEqual(kernelCodes.map((c) => Math.fround(-1 + 0.01 * c)).map((v) => expect.closeTo(v, 6)));
    expect(Array.from(b!.dataSync())).toEqual(biasCodes.map((c) => expect.closeTo(-1 + 0.01 * c, 6)));
  });

  it('names a missing weight file', async () => {
    const dir = tmp();
    await saveTinyBackbone(dir, 'v1');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of1.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expectStudioError(folderIO(dir).load!(), 'not_found', 'missing weight file', join(dir, 'group1-shard1of1.bin'), join(dir, 'model.json'));
    await expectStudioError(tfl.loadLayersModel(folderIO(dir)), 'not_found', 'group1-shard1of1.bin');
  });

  it('names a short (truncated) weight file with the byte counts', async () => {
    const dir = tmp();
    await saveTinyBackbone(dir, 'v1');
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, bin.byteLength - 4));
    await expectStudioError(folderIO(dir).load!(), 'io_error', join(dir, 'weights.bin'), `${bin.byteLength - 4} bytes`, `needs ${bin.byteLength}`);
  });

  it('reports a missing or malformed model.json', async () => {
    const dir = tmp();
    await expectStudioError(folderIO(dir).load!(), 'not_found', join(dir, 'model.json'));
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {');
    await expectStudioError(folderIO(dir).load!(), 'invalid_input', join(dir, 'model.json'), 'not valid JSON');
    writeFileSync(join(dir, 'model.json'), '[1, 2]');
    await expectStudioError(folderIO(dir).load!(), 'invalid_input', 'not a tfjs model.json');
    writeFileSync(join(dir, 'model.json'), '{"weightsManifest": []}');
    await expectStudioError(folderIO(dir).load!(), 'invalid_input', 'no modelTopology');
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": "w.bin"}]}');
    await expectStudioError(folderIO(dir).load!(), 'invalid_input', 'malformed weightsManifest');
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": ["../outside.bin"], "weights": []}]}');
    await expectStudioError(folderIO(dir).load!(), 'invalid_input', '../outside.bin');
  });
});
