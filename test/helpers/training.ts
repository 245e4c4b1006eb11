import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { folderIO } from '../../main/core/training/backbones/folder-io';
import { seededRandom } from '../../main/core/datasets/split';
import { isClassificationMetrics } from '../../main/shared/api';

// Far apart in brightness as well as hue: a random (untrained) backbone barely sees hue alone.
export const COLOURS: Record<string, [number, number, number]> = {
  red: [250, 110, 110],
  green: [70, 170, 70],
  blue: [15, 15, 110],
};

/**
 * A classification folder (one subfolder per label) of small noisy images whose class is their
 * colour, so a tiny network can learn it in a few epochs. With `shuffleLabels` the folders get
 * images of random colours: nothing to learn, so validation loss plateaus.
 */
export async function colourFolder(root: string, opts: { labels?: string[]; perClass?: number; size?: number; seed?: number; shuffleLabels?: boolean } = {}): Promise<string> {
  const labels = opts.labels ?? ['red', 'blue'];
  const perClass = opts.perClass ?? 12;
  const size = opts.size ?? 40;
  const random = seededRandom(opts.seed ?? 7);
  for (const label of labels) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const colourOf = opts.shuffleLabels ? labels[Math.floor(random() * labels.length)]! : label;
      const [r, g, b] = COLOURS[colourOf] ?? [128, 128, 128];
      const pixels = Buffer.alloc(size * size * 3);
      for (let p = 0; p < size * size; p++) {
        const n = (random() - 0.5) * 90;
        pixels[p * 3] = clamp(r + n);
        pixels[p * 3 + 1] = clamp(g + n);
        pixels[p * 3 + 2] = clamp(b + n);
      }
      writeFileSync(join(root, label, `${label}_${i}.png`), await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    }
  }
  return root;
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/**
 * A small MobileNet-shaped backbone (stem, a residual depthwise block, a final block) with random
 * weights that keep colour information, saved as a tfjs layers folder. 32×32 input.
 */
export async function saveColourBackbone(dir: string): Promise<string> {
  const he = (seed: number) => tfl.initializers.heNormal({ seed });
  const input = tfl.input({ shape: [32, 32, 3], name: 'input_1' });
  const stem = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he(1), name: 'stem' }).apply(input) as tfl.SymbolicTensor;
  const dw = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: he(2), name: 'block_1_depthwise' }).apply(stem) as tfl.SymbolicTensor;
  const project = tfl.layers.conv2d({ filters: 8, kernelSize: 1, kernelInitializer: he(3), name: 'block_1_project' }).apply(dw) as tfl.SymbolicTensor;
  const added = tfl.layers.add({ name: 'block_1_add' }).apply([stem, project]) as tfl.SymbolicTensor;
  const dw2 = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthwiseInitializer: he(4), name: 'block_2_depthwise' }).apply(added) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'block_2_BN' }).apply(dw2) as tfl.SymbolicTensor;
  const pw = tfl.layers.conv2d({ filters: 16, kernelSize: 1, kernelInitializer: he(5), name: 'Conv_1' }).apply(bn) as tfl.SymbolicTensor;
  const out = tfl.layers.reLU({ name: 'out_relu' }).apply(pw) as tfl.SymbolicTensor;
  await tfl.model({ inputs: input, outputs: out }).save(folderIO(dir));
  return dir;
}

/** The metrics of a classifier (fails the test when they are another model type's). */
export function classificationOf<T extends object>(m: T): Extract<T, { accuracy: number }> {
  if (!isClassificationMetrics(m)) throw new Error(`expected classification metrics, got ${JSON.stringify(Object.keys(m))}`);
  return m;
}
