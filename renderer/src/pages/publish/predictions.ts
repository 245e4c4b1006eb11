// What the Try page shows of a prediction: the EAS result's items (classes, boxes or OCR lines),
// highest confidence first, with their quadrilaterals in image pixels, and the exact JSON the service
// answers. Pure functions over plain data, so every model type draws through the same code.
//
// Body items (seed 004): classification {label, conf}; detection {label, conf, pos} with `pos` the
// four corners TL, TR, BR, BL relative to meta.width/height; OCR {label: text, conf, pos} in pixels.

import type { EasResult, InstanceType } from '../../../../main/shared/api';

export type Point = readonly [number, number];

export interface PredictionItem {
  /** Position in the service's body (stable key, and what the list and the drawing share). */
  index: number;
  /** Class name, or for OCR the recognised text. */
  label: string;
  conf: number;
  /** The item's four corners in pixels of the image as displayed; null for classification. */
  quad: Point[] | null;
}

/** The service's JSON for a successful call, as `curl` prints it (pretty-printed). */
export function serviceResponse(result: EasResult): string {
  return JSON.stringify({ success: true, result }, null, 2);
}

function readPoints(pos: unknown): Point[] | null {
  if (!Array.isArray(pos) || pos.length < 3) return null;
  const points: Point[] = [];
  for (const point of pos) {
    if (!Array.isArray(point) || point.length < 2) return null;
    const [x, y] = point as unknown[];
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
    points.push([x, y]);
  }
  return points;
}

/**
 * Corners in image pixels. Detection positions are relative to the image size, OCR ones in pixels;
 * positions that all lie within [0, 1] are read as relative whatever the type, since a pixel box
 * that small cannot be meant (and the seed's OCR table calls them relative too).
 */
export function toPixels(points: readonly Point[], type: InstanceType, meta: EasResult['meta']): Point[] {
  const relative = type === 'detection' || points.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);
  return relative ? points.map(([x, y]) => [x * meta.width, y * meta.height] as const) : points.map(([x, y]) => [x, y] as const);
}

/** Every item of every output, highest confidence first (ties keep the service's order). */
export function predictionItems(result: EasResult, type: InstanceType): PredictionItem[] {
  const items: PredictionItem[] = [];
  for (const output of result.output) {
    for (const entry of output.body as ReadonlyArray<{ label: string; conf: number; pos?: unknown }>) {
      const points = readPoints(entry.pos);
      items.push({ index: items.length, label: String(entry.label), conf: Number(entry.conf), quad: points ? toPixels(points, type, result.meta) : null });
    }
  }
  return items.sort((a, b) => b.conf - a.conf || a.index - b.index);
}

/** Items at or above the threshold, and how many it hides. */
export function applyThreshold(items: readonly PredictionItem[], threshold: number): { shown: PredictionItem[]; hidden: number } {
  const shown = items.filter((item) => item.conf >= threshold);
  return { shown, hidden: items.length - shown.length };
}

/** Where the threshold starts: every class for a classifier; boxes below 30 % are mostly noise. */
export function defaultThreshold(type: InstanceType): number {
  return type === 'classification' ? 0 : 0.3;
}

/** "97.3 %"-style confidence, as the list shows it. */
export function formatConfidence(conf: number): string {
  return `${(conf * 100).toFixed(1)}%`;
}

/** The axis-aligned bounds of a quadrilateral (for where its tag goes). */
export function bounds(quad: readonly Point[]): { xmin: number; ymin: number; xmax: number; ymax: number } {
  const xs = quad.map(([x]) => x);
  const ys = quad.map(([, y]) => y);
  return { xmin: Math.min(...xs), ymin: Math.min(...ys), xmax: Math.max(...xs), ymax: Math.max(...ys) };
}
