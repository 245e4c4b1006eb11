// From a model's EAS result to a suggestion: the suggested label or boxes and how unsure the model
// is. Pure functions: no database, no model.
//
// Uncertainty, 0 (sure) to 1 (unsure), orders the unlabeled images so the most useful are labeled
// first (uncertainty sampling):
// - Classification: 1 − margin, margin = top confidence − second confidence. Margin sampling looks
//   at the decision the user is asked to make (the likeliest class or the runner-up); entropy would
//   also weigh the tail of unlikely classes, which says little about that decision and grows with
//   the number of classes. Margin is comparable across datasets: 0.9 means "a coin toss between two".
// - Detection/OCR: the mean, over the model's candidate boxes (conf ≥ CANDIDATE_FLOOR), of
//   1 − |2·conf − 1|: 1 for a box at 0.5 (keep or drop? no idea), 0 for a box at 0 or 1. The mean
//   rather than the max, so one borderline box among many sure ones does not rank an image above
//   one full of borderline boxes; the floor keeps the detector's long tail of near-zero peaks
//   (it emits up to 100 per image from 0.05) from diluting the mean. An image without candidates
//   scores 0: the model sees nothing there, and uncertainty sampling cannot tell that from blindness.

import type { Box, EasResult, InstanceType, SuggestedBox } from '../../shared/api';

/** Detection/OCR boxes below this confidence are noise: not counted in the uncertainty. */
export const CANDIDATE_FLOOR = 0.1;
/** Detection/OCR boxes suggested by default: at least this confident. */
export const DEFAULT_MIN_CONFIDENCE = 0.3;

/** One item of an EAS result body: classification {label, conf}; detection/OCR also pos (TL, TR, BR, BL). */
interface BodyItem {
  label: string;
  conf: number;
  pos?: unknown;
}

export interface Scored {
  uncertainty: number;
  /** Classification only. */
  label: string | null;
  conf: number | null;
  confidences: Array<{ label: string; conf: number }>;
  /** Detection/OCR only, highest confidence first. */
  boxes: SuggestedBox[];
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export function classificationUncertainty(confidences: readonly number[]): number {
  const sorted = [...confidences].sort((a, b) => b - a);
  return clamp01(1 - ((sorted[0] ?? 0) - (sorted[1] ?? 0)));
}

export function boxUncertainty(confidences: readonly number[]): number {
  const candidates = confidences.filter((c) => c >= CANDIDATE_FLOOR);
  if (candidates.length === 0) return 0;
  return candidates.reduce((sum, c) => sum + (1 - Math.abs(2 * clamp01(c) - 1)), 0) / candidates.length;
}

function bodyOf(result: EasResult): BodyItem[] {
  const body: unknown = result.output[0]?.body;
  if (!Array.isArray(body)) return [];
  return body.filter((item): item is BodyItem => typeof item === 'object' && item !== null && typeof (item as BodyItem).label === 'string' && Number.isFinite((item as BodyItem).conf));
}

/** The four corners of `pos` as [x, y] pairs, or null when it is not that. */
function corners(pos: unknown): Array<[number, number]> | null {
  if (!Array.isArray(pos) || pos.length < 2) return null;
  const points = pos.filter((p): p is [number, number] => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  return points.length === pos.length ? points : null;
}

/**
 * A result's `pos` as a box in image pixels (displayed frame), clamped inside the image; null when
 * it has no area left. Detection positions are relative to meta width/height; OCR ones are pixels.
 */
export function boxFromPos(pos: unknown, type: 'detection' | 'ocr', meta: { width: number; height: number }, image: { width: number; height: number }): Omit<Box, 'label' | 'difficult' | 'truncated'> | null {
  const points = corners(pos);
  if (!points) return null;
  const [sx, sy] = type === 'detection' ? [meta.width, meta.height] : [1, 1];
  const xs = points.map((p) => p[0] * sx);
  const ys = points.map((p) => p[1] * sy);
  const xmin = Math.max(0, Math.round(Math.min(...xs)));
  const ymin = Math.max(0, Math.round(Math.min(...ys)));
  const xmax = Math.min(image.width, Math.round(Math.max(...xs)));
  const ymax = Math.min(image.height, Math.round(Math.max(...ys)));
  return xmax > xmin && ymax > ymin ? { xmin, ymin, xmax, ymax } : null;
}

/** The suggestion a result makes for an image of `image.width`×`image.height` (displayed). */
export function score(type: InstanceType, result: EasResult, image: { width: number; height: number }, minConfidence = DEFAULT_MIN_CONFIDENCE): Scored {
  const body = bodyOf(result).sort((a, b) => b.conf - a.conf);
  if (type === 'classification') {
    const top = body[0];
    return {
      uncertainty: classificationUncertainty(body.map((b) => b.conf)),
      label: top?.label ?? null,
      conf: top?.conf ?? null,
      confidences: body.map((b) => ({ label: b.label, conf: b.conf })),
      boxes: [],
    };
  }
  const boxes: SuggestedBox[] = [];
  for (const item of body) {
    if (item.conf < minConfidence || item.label.trim() === '') continue;
    const rect = boxFromPos(item.pos, type, result.meta, image);
    // A box label (OCR: its text) is at most 1000 characters, as saveAnnotation accepts.
    if (rect) boxes.push({ label: item.label.slice(0, 1000), ...rect, difficult: false, truncated: false, conf: item.conf });
  }
  return { uncertainty: boxUncertainty(body.map((b) => b.conf)), label: null, conf: null, confidences: [], boxes };
}
