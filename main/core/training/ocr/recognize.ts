// Running a recognizer: crops in, text out (greedy CTC decoding).

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Charset } from './charset';
import { ctcGreedyDecode, ctcLoss } from './ctc';
import { cropLines, toLineBatch, type BoxLike, type LineGeometry, type RgbImage } from './crops';
import { recognizerGeometry } from './network';

/** Where an OCR model folder keeps its recognizer (beside the text detector's model.json). */
export const RECOGNIZER_DIR = 'recognizer';

export interface Recognized {
  text: string;
  /** Geometric mean of the emitting frames' probabilities, in [0, 1]. */
  confidence: number;
}

/**
 * Reads the text in each box of an image (second OCR stage: the boxes come from the text detector
 * or the labels). The image is decoded once (EXIF-rotated); boxes are in its displayed frame.
 */
export async function recognizeBoxes(model: tfl.LayersModel, charset: Charset, image: string | Buffer | RgbImage, boxes: readonly BoxLike[], batchSize = 32): Promise<Recognized[]> {
  if (boxes.length === 0) return [];
  const { height, width } = recognizerGeometry(model);
  const geometry = { height, width };
  const crops = await cropLines(image, boxes, geometry);
  return recognizeCrops(model, charset, crops.map((c) => c.pixels), geometry, batchSize);
}

/** Recognises crops ([height × width × 3] bytes each) in batches. */
export function recognizeCrops(model: tfl.LayersModel, charset: Charset, crops: readonly Uint8Array[], geometry: LineGeometry, batchSize = 32): Recognized[] {
  return scoreCrops(model, charset, crops, geometry, null, batchSize).recognized;
}

/**
 * Recognises crops and, with references, also returns their mean CTC loss (references are
 * encoded with unknown characters dropped; lines that cannot be aligned count IMPOSSIBLE_LOSS).
 */
export function scoreCrops(
  model: tfl.LayersModel,
  charset: Charset,
  crops: readonly Uint8Array[],
  geometry: LineGeometry,
  references: readonly string[] | null,
  batchSize = 32,
): { recognized: Recognized[]; loss: number | null } {
  const recognized: Recognized[] = [];
  let lossSum = 0;
  for (let start = 0; start < crops.length; start += batchSize) {
    const part = crops.slice(start, start + batchSize);
    const logits = tf.tidy(() => model.predict(toLineBatch(tf, part, geometry)) as tf.Tensor3D);
    for (const d of ctcGreedyDecode(logits)) recognized.push({ text: charset.decode(d.label), confidence: d.confidence });
    if (references) {
      const labels = references.slice(start, start + part.length).map((t) => charset.encode(t, true));
      const losses = tf.tidy(() => ctcLoss(logits, labels));
      for (const v of losses.dataSync()) lossSum += v;
      losses.dispose();
    }
    logits.dispose();
  }
  return { recognized, loss: references ? (crops.length ? lossSum / crops.length : 0) : null };
}
