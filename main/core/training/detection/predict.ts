// Running a saved detector: image → letterboxed input → network → boxes in the image's pixels →
// the EAS result of seed 004 ({label, conf, pos} items, pos = TL, TR, BR, BL relative to width/height,
// highest confidence first, plus meta {height, width}). Used by predict/evaluate and by serving.

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { StudioError } from '../../../shared/api';
import { evaluateDetections, type DetectionEvaluation, type GroundTruthBox } from '../../evaluation/detection';
import { toBatch } from '../images';
import { compileInference, type InferenceModel } from '../tf/inference-graph';
import { loadModel } from '../saved-model';
import { decodeOutput, easItems, type DecodeOptions, type DetectedBox, type EasDetection } from './decode';
import { decodeLetterbox } from '../decode';
import { frameFor } from './images';
import type { Layout } from './layout';
import { isDetectionMetadata, layoutOf, type DetectionModelMetadata } from './metadata';

/** A decoded image ready for the detector: letterboxed pixels and the displayed size. */
export interface DetectorInput {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface DetectionEasResult {
  output: Array<{ type: 'cv_common'; body: EasDetection[] }>;
  meta: { height: number; width: number };
}

const BATCH = 8;

export class Detector {
  readonly layout: Layout;
  /** The network with BatchNormalization and activations folded into its convolutions. */
  private readonly net: InferenceModel;

  constructor(
    readonly model: tfl.LayersModel,
    readonly meta: DetectionModelMetadata,
  ) {
    this.layout = layoutOf(meta);
    const cells = this.layout.levels.reduce((n, l) => n + l.size * l.size, 0);
    const shape = model.outputs[0]?.shape ?? [];
    if (shape[1] !== cells || shape[2] !== meta.labels.length + 4) {
      throw new StudioError('io_error', `the detector's output ${JSON.stringify(shape)} does not match its metadata (${cells} cells, ${meta.labels.length} labels + 4)`);
    }
    this.net = compileInference(model);
  }

  static async load(dir: string): Promise<Detector> {
    const { model, meta } = await loadModel(dir);
    if (!isDetectionMetadata(meta)) {
      model.dispose();
      throw new StudioError('invalid_input', `${dir} is a ${meta.type} model, not a detector`, 'modelId');
    }
    return new Detector(model, meta);
  }

  get inputSize(): number {
    return this.meta.preprocessing.size;
  }

  /** A file or image bytes → the model's input (EXIF-rotated, letterboxed). */
  async decode(source: string | Buffer, name?: string): Promise<DetectorInput> {
    const { pixels, frame } = await decodeLetterbox(source, this.inputSize, name);
    return { pixels, width: frame.width, height: frame.height };
  }

  /** Detections per image, in image pixels, highest score first. Defaults: the model's serving threshold and NMS IoU. */
  async detect(images: readonly DetectorInput[], options: DecodeOptions = {}): Promise<DetectedBox[][]> {
    const opts = { scoreThreshold: this.meta.detection.scoreThreshold, nmsIoU: this.meta.detection.nmsIoU, ...options };
    const out: DetectedBox[][] = [];
    for (let start = 0; start < images.length; start += BATCH) {
      const chunk = images.slice(start, start + BATCH);
      const y = tf.tidy(() => this.net.predict(toBatch(tf, chunk.map((c) => c.pixels), this.meta.preprocessing)) as tf.Tensor);
      const data = await y.data();
      y.dispose();
      const per = data.length / chunk.length;
      chunk.forEach((img, i) => out.push(decodeOutput(data.subarray(i * per, (i + 1) * per), this.layout, frameFor(img.width, img.height, this.inputSize), this.meta.labels, opts)));
    }
    return out;
  }

  /** Seed 004's detection result per image. */
  async easResults(images: readonly DetectorInput[], options: DecodeOptions = {}): Promise<DetectionEasResult[]> {
    const dets = await this.detect(images, options);
    return dets.map((d, i) => detectionEasResult(d, images[i]!.width, images[i]!.height));
  }

  dispose(): void {
    this.net.dispose();
    this.model.dispose();
  }
}

export function detectionEasResult(detections: readonly DetectedBox[], width: number, height: number): DetectionEasResult {
  return { output: [{ type: 'cv_common', body: easItems(detections, width, height) }], meta: { height, width } };
}

export interface DetectorScore {
  /** VOC mAP@0.5 (difficult boxes ignored) and COCO mAP@[.5:.95] over the labels with ground truth. */
  'DetectionBoxes_Precision/mAP@.50IOU': number;
  'DetectionBoxes_Precision/mAP': number;
  per_class: Record<string, { ap: number | null; coco_ap: number | null; positives: number }>;
  samples: number;
  evaluation: DetectionEvaluation;
}

/**
 * Scores a detector on labeled images (boxes in the images' displayed pixels; labels the model does
 * not know count as missed objects), with the low score threshold a PR curve needs.
 */
export async function scoreDetector(
  detector: Detector,
  samples: ReadonlyArray<{ path: string; boxes: readonly GroundTruthBox[] }>,
  progress?: (done: number, total: number) => void,
): Promise<DetectorScore> {
  const truth = new Map<string, GroundTruthBox[]>();
  const detections: Parameters<typeof evaluateDetections>[1][number][] = [];
  for (let start = 0; start < samples.length; start += BATCH) {
    const chunk = samples.slice(start, start + BATCH);
    const inputs = await Promise.all(chunk.map((s) => detector.decode(s.path)));
    const dets = await detector.detect(inputs, { scoreThreshold: 0.01 });
    chunk.forEach((s, i) => {
      truth.set(s.path, [...s.boxes]);
      for (const d of dets[i]!) detections.push({ image: s.path, label: d.label, score: d.score, xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax });
    });
    progress?.(Math.min(samples.length, start + BATCH), samples.length);
  }
  const evaluation = evaluateDetections(truth, detections);
  const per_class: DetectorScore['per_class'] = {};
  for (const [label, c] of Object.entries(evaluation.classes)) per_class[label] = { ap: c.ap, coco_ap: c.cocoAP, positives: c.positives };
  return { 'DetectionBoxes_Precision/mAP@.50IOU': evaluation.mAP ?? 0, 'DetectionBoxes_Precision/mAP': evaluation.cocoMAP ?? 0, per_class, samples: samples.length, evaluation };
}
