// From network outputs to boxes in the original image: heatmap peaks (a cell at least as high as
// its 8 neighbours of the same class and level) above a score threshold, the box regressed at
// that cell, mapped back through the letterbox, then per-class non-maximum suppression.
// Also the EAS result items of seed 004 ({label, conf, pos} with pos relative to width/height).

import { cellGeometry, levelOffsets, type Layout } from './layout';

/** How an original image was fitted into the network input: scaled by scaleX/scaleY, placed at the top-left corner. */
export interface Frame {
  width: number;
  height: number;
  scaleX: number;
  scaleY: number;
}

export interface DecodeOptions {
  /** Minimum heatmap score (sigmoid) of a detection. Default 0.05. */
  scoreThreshold?: number;
  /** IoU above which a lower-scored box of the same class is suppressed. Default 0.5. */
  nmsIoU?: number;
  /** At most this many detections per image, highest scores first. Default 100. */
  maxDetections?: number;
}

/** A detection in original-image pixels. */
export interface DetectedBox {
  cls: number;
  label: string;
  score: number;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** One item of the EAS detection result: pos = 4 corners TL, TR, BR, BL, relative to width/height. */
export interface EasDetection {
  label: string;
  conf: number;
  pos: [[number, number], [number, number], [number, number], [number, number]];
}

const MAX_LOG_DISTANCE = 10;
const geometryCache = new WeakMap<Layout, ReturnType<typeof cellGeometry>>();

/**
 * Decodes one image's output ([cells × (classes + 4)], as the model emits it) into detections,
 * highest score first.
 */
export function decodeOutput(output: ArrayLike<number>, layout: Layout, frame: Frame, labels: readonly string[], options: DecodeOptions = {}): DetectedBox[] {
  const threshold = options.scoreThreshold ?? 0.05;
  const C = layout.classes;
  const D = C + 4;
  let geo = geometryCache.get(layout);
  if (!geo) geometryCache.set(layout, (geo = cellGeometry(layout)));
  const offsets = levelOffsets(layout);
  const logitThreshold = Math.log(threshold / (1 - threshold));
  const candidates: DetectedBox[] = [];
  layout.levels.forEach(({ size }, l) => {
    const base = offsets[l]!;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const k = base + i * size + j;
        for (let c = 0; c < C; c++) {
          // sigmoid is monotonic: compare logits.
          const v = output[k * D + c]!;
          if (!(v >= logitThreshold)) continue;
          let peak = true;
          for (let di = -1; di <= 1 && peak; di++) {
            for (let dj = -1; dj <= 1; dj++) {
              if ((di === 0 && dj === 0) || i + di < 0 || i + di >= size || j + dj < 0 || j + dj >= size) continue;
              if (output[(base + (i + di) * size + j + dj) * D + c]! > v) {
                peak = false;
                break;
              }
            }
          }
          if (!peak) continue;
          const s = geo!.stride[k]!;
          const dist = (q: number) => s * Math.exp(Math.max(-MAX_LOG_DISTANCE, Math.min(MAX_LOG_DISTANCE, output[k * D + C + q]!)));
          const x = geo!.cx[k]!;
          const y = geo!.cy[k]!;
          candidates.push({
            cls: c,
            label: labels[c] ?? String(c),
            score: 1 / (1 + Math.exp(-v)),
            xmin: clamp((x - dist(0)) / frame.scaleX, frame.width),
            ymin: clamp((y - dist(1)) / frame.scaleY, frame.height),
            xmax: clamp((x + dist(2)) / frame.scaleX, frame.width),
            ymax: clamp((y + dist(3)) / frame.scaleY, frame.height),
          });
        }
      }
    }
  });
  const kept: DetectedBox[] = [];
  for (let c = 0; c < C; c++) {
    const mine = candidates.filter((d) => d.cls === c);
    for (const i of nonMaxSuppression(mine, options.nmsIoU ?? 0.5, options.maxDetections ?? 100)) kept.push(mine[i]!);
  }
  return kept.sort((a, b) => b.score - a.score).slice(0, options.maxDetections ?? 100);
}

function clamp(v: number, max: number): number {
  return Math.max(0, Math.min(max, v));
}

type Rect = { xmin: number; ymin: number; xmax: number; ymax: number };

/** IoU of two boxes in continuous coordinates (0 for empty boxes). */
export function iou(a: Rect, b: Rect): number {
  const w = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const h = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.xmax - a.xmin) * (a.ymax - a.ymin) + (b.xmax - b.xmin) * (b.ymax - b.ymin) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS, as tf.image.nonMaxSuppression: indices of the kept boxes, highest score first; a
 * box is dropped when its IoU with a kept one is above `iouThreshold`. Equal scores keep input order.
 */
export function nonMaxSuppression(boxes: ReadonlyArray<Rect & { score: number }>, iouThreshold: number, maxOutput: number): number[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b]!.score - boxes[a]!.score || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxOutput) break;
    if (kept.every((k) => iou(boxes[k]!, boxes[i]!) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/** Seed 004's detection items: corners TL, TR, BR, BL as fractions of the image's width and height. */
export function easItems(detections: readonly DetectedBox[], width: number, height: number): EasDetection[] {
  return detections.map((d) => {
    const x0 = d.xmin / width;
    const y0 = d.ymin / height;
    const x1 = d.xmax / width;
    const y1 = d.ymax / height;
    return { label: d.label, conf: d.score, pos: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] };
  });
}
