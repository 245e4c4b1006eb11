// Object-detection metrics, written to reproduce the reference tools number for number:
//  - PASCAL VOC AP as the devkit computes it (VOCevaldet.m, VOCap.m);
//  - COCO AP@[.5:.95] as pycocotools computes it (COCOeval, iouType 'bbox', area range 'all', 100 detections).
// Pure functions: the caller supplies ground truth and detections.

import { StudioError, type Box } from '../../shared/api';
import { compareLabels } from './classification';

/** A ground-truth object; a `Box` from a VOC file fits. */
export type GroundTruthBox = Pick<Box, 'label' | 'xmin' | 'ymin' | 'xmax' | 'ymax'> & { difficult?: boolean };

/** One predicted box; `image` is the ground-truth key of its image. */
export interface Detection {
  image: string;
  label: string;
  score: number;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

type Coords = Pick<Box, 'xmin' | 'ymin' | 'xmax' | 'ymax'>;

/** 'all': all-point interpolation (VOC2010 and later). '11': eleven recall points (VOC2007). */
export type Interpolation = 'all' | '11';

export interface DetectionOptions {
  /** VOC IoU threshold, 0 < iou <= 1; a detection matches at IoU >= this (the devkit's test). Default 0.5. */
  iou?: number;
  /** Default 'all'. */
  interp?: Interpolation;
}

export interface ClassDetectionResult {
  /** VOC AP; null when the class has no non-difficult ground truth (such a class is not in mAP). */
  ap: number | null;
  tp: number;
  fp: number;
  /** Detections whose best match is a difficult object: neither TP nor FP. */
  ignored: number;
  /** Non-difficult ground-truth objects. */
  positives: number;
  /** Difficult ground-truth objects (not counted as positives). */
  difficult: number;
  detections: number;
  /**
   * The PR curve, one point per TP or FP detection in ranked order (ignored detections leave the
   * curve where it was, so they have no point). recall is 0 throughout when there are no positives.
   */
  precision: number[];
  recall: number[];
  /** The score at each point: the threshold that gives that precision and recall. */
  scores: number[];
  /** COCO AP@[.5:.95]; null when the class has no non-difficult ground truth. */
  cocoAP: number | null;
}

export interface DetectionEvaluation {
  /** Mean VOC AP over the classes with at least one non-difficult ground truth; null when there are none. */
  mAP: number | null;
  /** Mean COCO AP@[.5:.95] over the same classes. */
  cocoMAP: number | null;
  iou: number;
  interp: Interpolation;
  /** Images in the ground truth. */
  images: number;
  detections: number;
  /** Detections on images missing from the ground truth: they are counted as false positives. */
  unknownImages: { images: number; detections: number };
  /** Every class that has ground truth or detections, in code-point order of the label. */
  classes: Record<string, ClassDetectionResult>;
}

/**
 * VOC IoU in inclusive pixel coordinates (a box covers xmax − xmin + 1 pixels across), with the
 * devkit's arithmetic; 0 when the boxes do not overlap.
 */
export function vocIoU(a: Coords, b: Coords): number {
  const iw = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin) + 1;
  const ih = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin) + 1;
  if (!(iw > 0 && ih > 0)) return 0;
  const ua = (a.xmax - a.xmin + 1) * (a.ymax - a.ymin + 1) + (b.xmax - b.xmin + 1) * (b.ymax - b.ymin + 1) - iw * ih;
  return (iw * ih) / ua;
}

/**
 * COCO IoU in continuous coordinates (width = xmax − xmin), with pycocotools' arithmetic on
 * [x, y, w, h] boxes. Against a crowd region the union is the detection's own area.
 */
export function cocoIoU(det: Coords, gt: Coords, crowd = false): number {
  const [dx, dy, dw, dh] = [det.xmin, det.ymin, det.xmax - det.xmin, det.ymax - det.ymin];
  const [gx, gy, gw, gh] = [gt.xmin, gt.ymin, gt.xmax - gt.xmin, gt.ymax - gt.ymin];
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  return i / (crowd ? da : da + gw * gh - i);
}

// np.arange(0.0, 1.1, 0.1) as the Python VOC evaluators (py-faster-rcnn, Detectron2, MMDetection)
// write the VOC2007 recall levels: k · 0.1 in binary floating point, so levels 3, 6 and 7 lie a hair
// above 0.3, 0.6 and 0.7, and a recall of exactly 3/10, 3/5 or 7/10 does not reach them.
const ELEVEN_POINTS = Array.from({ length: 11 }, (_, k) => k * 0.1);

/**
 * VOC average precision of a ranked PR curve: VOCap.m (all-point: area under the precision
 * envelope) or the VOC2007 11-point mean of the best precision at recall >= each level.
 */
export function averagePrecision(recall: readonly number[], precision: readonly number[], interp: Interpolation = 'all'): number {
  if (interp === '11') {
    let ap = 0;
    for (const t of ELEVEN_POINTS) {
      let p = 0;
      for (let i = 0; i < recall.length; i++) if (recall[i]! >= t && precision[i]! > p) p = precision[i]!;
      ap += p / 11;
    }
    return ap;
  }
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
  let ap = 0;
  for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
  return ap;
}

// pycocotools' defaults, as np.linspace computes them (i · step + start, the last one exactly stop).
const COCO_IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
const COCO_RECALL_THRESHOLDS = linspace(0, 1, 101);
const COCO_MAX_DETS = 100;

function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/**
 * Evaluates detections against ground truth keyed by image.
 *
 * VOC (per class, as VOCevaldet.m): detections are ranked by score, highest first; equal scores keep
 * the order of `detections` (the devkit's stable sort). Each takes the ground truth of its image and
 * class with the highest IoU (the first of equals), matched or not: IoU >= `iou` on an unmatched
 * object is a TP, on an already matched one a FP (duplicate), on a difficult one neither; lower IoU
 * is a FP. Positives are the non-difficult objects; a class with positives and no detections has AP 0.
 *
 * COCO (as COCOeval): per image and class the 100 best-scored detections, matched greedily at each
 * IoU threshold .50:.05:.95 to the unmatched object of highest IoU (the last of equals, as
 * pycocotools); difficult objects act as crowd regions (ignored, matchable again, IoU over the
 * detection's area), tried only when no regular object matches. Ranking ties across images follow
 * the ground truth's image order, then unknown images, then the order within an image. Precision is
 * tp / (tp + fp), without pycocotools' +2.2e-16 in the denominator, and the averages are summed in
 * another order, so figures may differ from pycocotools' in the last bit or two.
 *
 * Detections on images that are not keys of `groundTruth` are false positives (counted in
 * `unknownImages`); a key with no boxes is an image with no objects.
 */
export function evaluateDetections(
  groundTruth: ReadonlyMap<string, readonly GroundTruthBox[]>,
  detections: readonly Detection[],
  options: DetectionOptions = {},
): DetectionEvaluation {
  const iou = options.iou ?? 0.5;
  const interp = options.interp ?? 'all';
  if (!(iou > 0 && iou <= 1)) throw new StudioError('invalid_input', `IoU threshold must be in (0, 1], got ${iou}`, 'iou');

  // class → image → objects, in file order (the order decides ties in matching).
  const gtByClass = new Map<string, Map<string, GroundTruthBox[]>>();
  for (const [image, boxes] of groundTruth) {
    for (const [i, box] of boxes.entries()) {
      checkCoords(box, `ground truth ${i + 1} of image "${image}"`);
      const byImage = getOrSet(gtByClass, box.label, () => new Map<string, GroundTruthBox[]>());
      getOrSet(byImage, image, () => []).push(box);
    }
  }

  const detsByClass = new Map<string, Detection[]>();
  const unknown = new Set<string>();
  let unknownDetections = 0;
  for (const [i, det] of detections.entries()) {
    checkCoords(det, `detection ${i + 1}`);
    if (!Number.isFinite(det.score)) throw new StudioError('invalid_input', `detection ${i + 1}: score is not a finite number`, 'score');
    getOrSet(detsByClass, det.label, () => []).push(det);
    if (!groundTruth.has(det.image)) {
      unknown.add(det.image);
      unknownDetections++;
    }
  }

  const imageOrder = new Map<string, number>();
  for (const image of [...groundTruth.keys(), ...unknown]) imageOrder.set(image, imageOrder.size);

  const labels = [...new Set([...gtByClass.keys(), ...detsByClass.keys()])].sort(compareLabels);
  const classes = labels.map((label): [string, ClassDetectionResult] => {
    const gt = gtByClass.get(label) ?? new Map<string, GroundTruthBox[]>();
    const dets = detsByClass.get(label) ?? [];
    return [label, { ...evaluateVoc(gt, dets, iou, interp), cocoAP: evaluateCoco(gt, dets, imageOrder) }];
  });

  const scored = classes.map(([, c]) => c).filter((c) => c.positives > 0);
  return {
    mAP: mean(scored.map((c) => c.ap!)),
    cocoMAP: mean(scored.map((c) => c.cocoAP!)),
    iou,
    interp,
    images: groundTruth.size,
    detections: detections.length,
    unknownImages: { images: unknown.size, detections: unknownDetections },
    classes: Object.fromEntries(classes),
  };
}

function evaluateVoc(
  gt: ReadonlyMap<string, readonly GroundTruthBox[]>,
  dets: readonly Detection[],
  iou: number,
  interp: Interpolation,
): Omit<ClassDetectionResult, 'cocoAP'> {
  let positives = 0;
  let difficult = 0;
  for (const boxes of gt.values()) for (const box of boxes) box.difficult ? difficult++ : positives++;

  const matched = new Map<string, boolean[]>();
  const ranked = rankByScore(dets);
  let tp = 0;
  let fp = 0;
  let ignored = 0;
  const precision: number[] = [];
  const recall: number[] = [];
  const scores: number[] = [];
  for (const det of ranked) {
    const boxes = gt.get(det.image) ?? [];
    let ovmax = -Infinity;
    let jmax = -1;
    for (const [j, box] of boxes.entries()) {
      const ov = vocIoU(det, box);
      if (ov > ovmax) {
        ovmax = ov;
        jmax = j;
      }
    }
    if (ovmax >= iou) {
      const taken = getOrSet(matched, det.image, () => boxes.map(() => false));
      if (boxes[jmax]!.difficult) {
        ignored++;
        continue;
      }
      if (taken[jmax]) fp++;
      else {
        tp++;
        taken[jmax] = true;
      }
    } else fp++;
    precision.push(tp / (tp + fp));
    recall.push(positives > 0 ? tp / positives : 0);
    scores.push(det.score);
  }
  const ap = positives > 0 ? averagePrecision(recall, precision, interp) : null;
  return { ap, tp, fp, ignored, positives, difficult, detections: dets.length, precision, recall, scores };
}

interface CocoRanked {
  score: number;
  /** Per IoU threshold: matched to an object; matched to a crowd (difficult) region. */
  matched: boolean[];
  ignored: boolean[];
}

function evaluateCoco(
  gt: ReadonlyMap<string, readonly GroundTruthBox[]>,
  dets: readonly Detection[],
  imageOrder: ReadonlyMap<string, number>,
): number | null {
  const detsByImage = new Map<string, Detection[]>();
  for (const det of dets) getOrSet(detsByImage, det.image, () => []).push(det);
  const images = [...new Set([...gt.keys(), ...detsByImage.keys()])].sort((a, b) => imageOrder.get(a)! - imageOrder.get(b)!);

  let positives = 0;
  const all: CocoRanked[] = [];
  for (const image of images) {
    // Regular objects first, crowd (difficult) last, each in file order.
    const boxes = gt.get(image) ?? [];
    const objects = [...boxes.filter((b) => !b.difficult), ...boxes.filter((b) => b.difficult)];
    const crowd = objects.map((b) => b.difficult === true);
    positives += crowd.filter((c) => !c).length;
    const ranked = rankByScore(detsByImage.get(image) ?? []).slice(0, COCO_MAX_DETS);
    const ious = ranked.map((d) => objects.map((g, j) => cocoIoU(d, g, crowd[j])));
    const results = ranked.map((d): CocoRanked => ({ score: d.score, matched: [], ignored: [] }));
    for (const threshold of COCO_IOU_THRESHOLDS) {
      const taken = objects.map(() => false);
      for (const [d, result] of results.entries()) {
        let best = Math.min(threshold, 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < objects.length; g++) {
          if (taken[g] && !crowd[g]) continue;
          if (m > -1 && !crowd[m] && crowd[g]) break;
          if (ious[d]![g]! < best) continue;
          best = ious[d]![g]!;
          m = g;
        }
        result.matched.push(m > -1);
        result.ignored.push(m > -1 && crowd[m]!);
        if (m > -1) taken[m] = true;
      }
    }
    all.push(...results);
  }
  if (positives === 0) return null;

  const ranked = rankByScore(all);
  let sum = 0;
  for (const [t] of COCO_IOU_THRESHOLDS.entries()) {
    const recall: number[] = [];
    const precision: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const r of ranked) {
      if (r.ignored[t]) continue;
      if (r.matched[t]) tp++;
      else fp++;
      recall.push(tp / positives);
      precision.push(tp / (tp + fp));
    }
    for (let i = precision.length - 1; i > 0; i--) if (precision[i]! > precision[i - 1]!) precision[i - 1] = precision[i]!;
    // For each recall threshold, the precision at the first point that reaches it (np.searchsorted, 'left').
    let i = 0;
    for (const threshold of COCO_RECALL_THRESHOLDS) {
      while (i < recall.length && recall[i]! < threshold) i++;
      if (i === recall.length) break;
      sum += precision[i]!;
    }
  }
  return sum / (COCO_IOU_THRESHOLDS.length * COCO_RECALL_THRESHOLDS.length);
}

/** Highest score first; Array.prototype.sort is stable, so equal scores keep their order. */
function rankByScore<T extends { score: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.score - a.score);
}

function checkCoords(box: Coords, what: string): void {
  for (const key of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
    if (!Number.isFinite(box[key])) throw new StudioError('invalid_input', `${what}: ${key} is not a finite number`, key);
  }
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
