// Keras' MobileNetV2 architecture (no top) built in tfjs-layers with random weights, for benchmarks
// that measure speed only: the product's default backbone is MobileNetV2 α 0.35 at 224, whose
// pretrained weights cannot be downloaded here, and compute time does not depend on the weights.
// Layer names follow Keras (block_N_expand/_depthwise/_project/_add, out_relu), as the zoo's models do.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { folderIO } from '../../main/core/training/backbones/folder-io';
import { initBackend } from '../../main/core/training/tf/backend';

type Sym = tfl.SymbolicTensor;

/** Keras' _make_divisible: channels rounded to a multiple of 8, never more than 10 % down. */
function divisible(v: number, d = 8): number {
  const n = Math.max(d, Math.floor((v + d / 2) / d) * d);
  return n < 0.9 * v ? n + d : n;
}

const BLOCKS: Array<[expansion: number, channels: number, repeats: number, stride: number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export function mobileNetV2(alpha: number, size = 224): tfl.LayersModel {
  const relu6 = (x: Sym, name: string) => tfl.layers.reLU({ maxValue: 6, name }).apply(x) as Sym;
  const bn = (x: Sym, name: string) => tfl.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name }).apply(x) as Sym;
  const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string) =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name }).apply(x) as Sym;

  const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  let x = relu6(bn(conv(input, divisible(32 * alpha), 3, 2, 'Conv1'), 'bn_Conv1'), 'Conv1_relu');
  let channels = divisible(32 * alpha);
  let block = 0;
  for (const [expansion, c, repeats, stride] of BLOCKS) {
    const out = divisible(c * alpha);
    for (let r = 0; r < repeats; r++) {
      const s = r === 0 ? stride : 1;
      const prefix = block === 0 ? 'expanded_conv_' : `block_${block}_`;
      let y = x;
      if (expansion !== 1) y = relu6(bn(conv(y, channels * expansion, 1, 1, `${prefix}expand`), `${prefix}expand_BN`), `${prefix}expand_relu`);
      y = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: s, padding: 'same', useBias: false, name: `${prefix}depthwise` }).apply(y) as Sym;
      y = relu6(bn(y, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
      y = bn(conv(y, out, 1, 1, `${prefix}project`), `${prefix}project_BN`);
      x = s === 1 && channels === out ? (tfl.layers.add({ name: `${prefix}add` }).apply([x, y]) as Sym) : y;
      channels = out;
      block++;
    }
  }
  const last = alpha > 1 ? divisible(1280 * alpha) : 1280;
  x = relu6(bn(conv(x, last, 1, 1, 'Conv_1'), 'Conv_1_bn'), 'out_relu');
  return tfl.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${size}` });
}

/** Saves the random-weight MobileNetV2 as a backbone folder (model.json + weights + backbone.json). */
export async function saveMobileNetV2(dir: string, alpha: number, size = 224): Promise<string> {
  await initBackend('cpu');
  const model = mobileNetV2(alpha, size);
  await model.save(folderIO(dir));
  model.dispose();
  // The zoo's MobileNets take pixels scaled to [-1, 1].
  await writeFile(join(dir, 'backbone.json'), JSON.stringify({ preprocessing: { size, scale: 1 / 127.5, offset: -1 }, featureLayer: 'out_relu' }, null, 2));
  return dir;
}
