// What a saved detector's metadata.json holds beyond the common fields: the metrics under the
// seed's names, and how to read the network's output (levels, taps, letterbox, decoding defaults).

import type { DetectionMetrics } from '../../../shared/api';
import type { ModelMetadata } from '../model-format';
import { layoutFor, type Layout, type Level } from './layout';

/** Validation metrics of a detector under seed 004's names: defined with the API's other metrics. */
export type { DetectionMetrics };

export interface DetectionConfig {
  /** Output levels, finest first (the layout of the output tensor). */
  levels: Level[];
  /** Backbone layers the head reads (informational). */
  taps: string[];
  /** Box encoding: distances stride · exp(t) from the cell centre to the left, top, right, bottom edges. */
  regression: 'ltrb-exp';
  /** Input: the image scaled to fit, at the top-left corner, grey elsewhere (see images.ts frameFor). */
  letterbox: { align: 'top-left'; pad: number };
  /** Defaults for serving: minimum score and NMS IoU. */
  scoreThreshold: number;
  nmsIoU: number;
  /** Whether `difficult` boxes were trained on (else they were ignored regions). */
  trainDifficult: boolean;
}

export interface DetectionModelMetadata extends Omit<ModelMetadata, 'type' | 'metrics'> {
  type: 'detection';
  metrics: DetectionMetrics | null;
  detection: DetectionConfig;
}

export function isDetectionMetadata(meta: { type: string }): meta is DetectionModelMetadata {
  return meta.type === 'detection' && typeof (meta as Partial<DetectionModelMetadata>).detection === 'object';
}

export function layoutOf(meta: Pick<DetectionModelMetadata, 'preprocessing' | 'labels' | 'detection'>): Layout {
  return layoutFor(meta.preprocessing.size, meta.labels.length, meta.detection.levels.map((l) => l.stride));
}
