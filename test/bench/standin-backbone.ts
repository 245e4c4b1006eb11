// A real-sized stand-in backbone without network: nsfwjs (a devDependency) bundles a Keras
// MobileNetV2 (α=1, 224, fine-tuned for its own 5 classes, uint8-quantized weights) as two UMD
// modules: model.min.js exports the model.json object, group1-shard1of1.min.js the weights as base64.
// nsfwjsBackbone() unwraps them into a plain tfjs layers model folder + backbone.json.
//
// Run directly to check it loads and cuts, and to time a forward pass on wasm:
//   npx tsx test/bench/standin-backbone.ts [destDir]

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

export const NSFWJS_MISSING = 'skipped: the nsfwjs devDependency is not installed (npm install) — it carries the stand-in MobileNetV2';

/** node_modules/nsfwjs/dist/models/mobilenet_v2, or null when nsfwjs is not installed. */
export function nsfwjsModelDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    // The package's "exports" hide package.json: resolve its entry point and walk up to the root.
    let root = dirname(req.resolve('nsfwjs'));
    while (!existsSync(join(root, 'package.json')) || !root.endsWith('nsfwjs')) {
      const up = dirname(root);
      if (up === root) return null;
      root = up;
    }
    const dir = join(root, 'dist', 'models', 'mobilenet_v2');
    return existsSync(join(dir, 'model.min.js')) && existsSync(join(dir, 'group1-shard1of1.min.js')) ? dir : null;
  } catch {
    return null;
  }
}

/** Evaluates a UMD/browserify module in an empty sandbox (no require, no globals) and returns module.exports. */
async function umdExports(file: string): Promise<unknown> {
  const code = await readFile(file, 'utf8');
  const mod: { exports: unknown } = { exports: {} };
  vm.runInNewContext(code, { module: mod, exports: mod.exports }, { filename: file, timeout: 30_000 });
  return mod.exports;
}

/**
 * Writes nsfwjs' MobileNetV2 as destDir/model.json + group1-shard1of1.bin + backbone.json
 * (preprocessing {size 224, scale 1/255, offset 0}: nsfwjs feeds pixels / 255; featureLayer
 * block_15_add: its top layers were fine-tuned for nsfwjs' own classes. A sweep of frozen layers
 * with a logistic head on hymenoptera val: out_relu 0.77, block_16_project_BN 0.77–0.81,
 * block_15_add 0.82–0.84, block_14_add 0.81–0.84).
 * Returns destDir. Throws with NSFWJS_MISSING when nsfwjs is not installed.
 */
export async function nsfwjsBackbone(destDir: string): Promise<string> {
  const src = nsfwjsModelDir();
  if (!src) throw new Error(NSFWJS_MISSING);
  const json = (await umdExports(join(src, 'model.min.js'))) as {
    modelTopology?: unknown;
    weightsManifest?: Array<{ paths: string[]; weights: unknown[] }>;
  };
  const weights = await umdExports(join(src, 'group1-shard1of1.min.js'));
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest) || json.weightsManifest.length !== 1 || typeof weights !== 'string') {
    throw new Error(`${src}: unexpected nsfwjs model bundle layout (expected a model.json object and one base64 weight shard)`);
  }
  const bin = Buffer.from(weights, 'base64');
  await mkdir(destDir, { recursive: true });
  const shard = 'group1-shard1of1.bin';
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'nsfwjs 4.x mobilenet_v2 (unwrapped by test/bench/standin-backbone.ts)',
    convertedBy: null,
    modelTopology: json.modelTopology,
    weightsManifest: [{ paths: [shard], weights: json.weightsManifest[0]!.weights }],
  };
  const topology = JSON.stringify(json.modelTopology);
  const backbone: Record<string, unknown> = {
    title: 'nsfwjs MobileNetV2 (stand-in backbone)',
    preprocessing: { size: 224, scale: 1 / 255, offset: 0 },
  };
  if (topology.includes('"name":"block_15_add"')) backbone.featureLayer = 'block_15_add';
  await writeFile(join(destDir, shard), bin);
  await writeFile(join(destDir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(destDir, 'backbone.json'), `${JSON.stringify(backbone, null, 2)}\n`);
  return destDir;
}

async function main(): Promise<void> {
  if (!nsfwjsModelDir()) {
    console.log(NSFWJS_MISSING);
    return;
  }
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const { loadLayers, findFeatureLayer, splitForFineTune, featureExtractor, maxAbsDiff } = await import('../../main/core/training/backbones/cut');
  const { diskModels } = await import('../../main/core/training/saved-model');
  const dest = resolve(process.argv[2] ?? join(tmpdir(), 'autolearn-nsfwjs-backbone'));
  let t = performance.now();
  await nsfwjsBackbone(dest);
  console.log(`unwrapped into ${dest} in ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const model = await loadLayers(diskModels, dest);
  console.log(`loaded: ${model.layers.length} layers, ${model.countParams()} params in ${(performance.now() - t).toFixed(0)} ms`);
  console.log('last layers:', model.layers.slice(-10).map((l) => `${l.name}(${l.getClassName()}) ${JSON.stringify(l.outputShape)}`).join('\n  '));
  const auto = findFeatureLayer(model);
  const named = findFeatureLayer(model, 'out_relu');
  const feat = featureExtractor(model, named);
  const split = splitForFineTune(model, named);
  console.log(`findFeatureLayer auto: ${auto}; feature ${JSON.stringify(feat.outputs[0]!.shape)}`);
  console.log(`split cut: ${split.cut}; lower ${JSON.stringify(split.lower.outputs[0]!.shape)} (${split.lower.layers.length} layers); upper ${split.upper.layers.length} layers, ${split.upper.countParams()} params`);
  for (const name of ['block_16_project_BN', 'block_13_project_BN']) {
    const l = model.layers.find((x) => x.name === name);
    console.log(`${name}: ${l ? JSON.stringify(l.outputShape) : 'absent'}`);
  }
  const x = tf.randomUniform([8, 224, 224, 3], 0, 1, 'float32', 1);
  const warm = feat.predict(tf.slice(x, [0, 0, 0, 0], [1, 224, 224, 3])) as import('@tensorflow/tfjs-core').Tensor;
  await warm.data();
  for (let i = 0; i < 2; i++) {
    t = performance.now();
    const y = feat.predict(x) as import('@tensorflow/tfjs-core').Tensor;
    await y.data();
    console.log(`forward 8×224 to ${named} on ${tf.getBackend()}: ${(performance.now() - t).toFixed(0)} ms`);
    y.dispose();
  }
  t = performance.now();
  const low = split.lower.predict(x) as import('@tensorflow/tfjs-core').Tensor;
  await low.data();
  const tl = performance.now() - t;
  t = performance.now();
  const up = split.upper.predict(low) as import('@tensorflow/tfjs-core').Tensor;
  await up.data();
  const tu = performance.now() - t;
  const full = feat.predict(x) as import('@tensorflow/tfjs-core').Tensor;
  console.log(`lower ${tl.toFixed(0)} ms + upper ${tu.toFixed(0)} ms; max |upper(lower(x)) - features(x)| = ${maxAbsDiff(up, full)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
