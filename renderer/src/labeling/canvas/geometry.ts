// Pure geometry of the box canvas. Boxes live in image pixels of the displayed (EXIF-oriented) frame;
// their edges sit on whole pixels, so what is stored is exactly what the VOC writer puts on disk.

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** Screen position = image position × scale + (x, y). */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';

export const HANDLE_CURSORS: Record<Handle, string> = {
  nw: 'nwse-resize',
  se: 'nwse-resize',
  ne: 'nesw-resize',
  sw: 'nesw-resize',
  n: 'ns-resize',
  s: 'ns-resize',
  e: 'ew-resize',
  w: 'ew-resize',
};

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function sameRect(a: Rect, b: Rect): boolean {
  return a.xmin === b.xmin && a.ymin === b.ymin && a.xmax === b.xmax && a.ymax === b.ymax;
}

/** The box spanned by two points, on whole pixels inside the image; null when it has no area. */
export function rectFromPoints(a: Point, b: Point, size: Size): Rect | null {
  const xs = [a.x, b.x].map((v) => clamp(Math.round(v), 0, size.width));
  const ys = [a.y, b.y].map((v) => clamp(Math.round(v), 0, size.height));
  const rect = { xmin: Math.min(...xs), ymin: Math.min(...ys), xmax: Math.max(...xs), ymax: Math.max(...ys) };
  return rect.xmax > rect.xmin && rect.ymax > rect.ymin ? rect : null;
}

/** Shifts by whole pixels, stopping at the image border; the size never changes. */
export function moveRect(rect: Rect, dx: number, dy: number, size: Size): Rect {
  const width = rect.xmax - rect.xmin;
  const height = rect.ymax - rect.ymin;
  const xmin = clamp(Math.round(rect.xmin + dx), 0, Math.max(0, size.width - width));
  const ymin = clamp(Math.round(rect.ymin + dy), 0, Math.max(0, size.height - height));
  return { xmin, ymin, xmax: xmin + width, ymax: ymin + height };
}

/** Moves the edges the handle names to the point; dragging past the opposite edge flips the box. */
export function resizeRect(rect: Rect, handle: Handle, p: Point, size: Size): Rect {
  const x = clamp(Math.round(p.x), 0, size.width);
  const y = clamp(Math.round(p.y), 0, size.height);
  let { xmin, ymin, xmax, ymax } = rect;
  if (handle.includes('w')) xmin = x;
  if (handle.includes('e')) xmax = x;
  if (handle.includes('n')) ymin = y;
  if (handle.includes('s')) ymax = y;
  // Keep at least one pixel, growing away from the border when the box is pressed against it.
  const fix = (lo: number, hi: number, limit: number): [number, number] => {
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
    if (b > a) return [a, b];
    return b < limit ? [a, b + 1] : [a - 1, b];
  };
  [xmin, xmax] = fix(xmin, xmax, size.width);
  [ymin, ymax] = fix(ymin, ymax, size.height);
  return { xmin, ymin, xmax, ymax };
}

/** Whole pixels inside the image, at least one pixel each way (for boxes read from files). */
export function clampRect(rect: Rect, size: Size): Rect {
  const xmin = clamp(Math.round(rect.xmin), 0, size.width - 1);
  const ymin = clamp(Math.round(rect.ymin), 0, size.height - 1);
  return {
    xmin,
    ymin,
    xmax: clamp(Math.round(rect.xmax), xmin + 1, size.width),
    ymax: clamp(Math.round(rect.ymax), ymin + 1, size.height),
  };
}

export function handlePoints(rect: Rect): [Handle, Point][] {
  const cx = (rect.xmin + rect.xmax) / 2;
  const cy = (rect.ymin + rect.ymax) / 2;
  return [
    ['nw', { x: rect.xmin, y: rect.ymin }],
    ['n', { x: cx, y: rect.ymin }],
    ['ne', { x: rect.xmax, y: rect.ymin }],
    ['e', { x: rect.xmax, y: cy }],
    ['se', { x: rect.xmax, y: rect.ymax }],
    ['s', { x: cx, y: rect.ymax }],
    ['sw', { x: rect.xmin, y: rect.ymax }],
    ['w', { x: rect.xmin, y: cy }],
  ];
}

/** The handle within `radius` screen pixels of the screen point, if any. */
export function handleAt(rect: Rect, screen: Point, view: View, radius: number): Handle | null {
  for (const [handle, p] of handlePoints(rect)) {
    const s = toScreen(p, view);
    if (Math.abs(s.x - screen.x) <= radius && Math.abs(s.y - screen.y) <= radius) return handle;
  }
  return null;
}

/** The smallest box containing the point, so a box drawn inside another stays reachable. */
export function boxAt(boxes: readonly Rect[], p: Point, skip: (index: number) => boolean): number | null {
  let best: number | null = null;
  let bestArea = Infinity;
  boxes.forEach((b, index) => {
    if (skip(index) || p.x < b.xmin || p.x > b.xmax || p.y < b.ymin || p.y > b.ymax) return;
    const area = (b.xmax - b.xmin) * (b.ymax - b.ymin);
    if (area < bestArea) {
      best = index;
      bestArea = area;
    }
  });
  return best;
}

export function toImage(screen: Point, view: View): Point {
  return { x: (screen.x - view.x) / view.scale, y: (screen.y - view.y) / view.scale };
}

export function toScreen(p: Point, view: View): Point {
  return { x: p.x * view.scale + view.x, y: p.y * view.scale + view.y };
}

/** Zoom range: from a quarter of "fit" up to where a pixel of a tiny crop fills a good part of the screen. */
export function scaleLimits(image: Size, viewport: Size): { min: number; max: number } {
  const fit = fitScale(image, viewport);
  return { min: Math.min(fit, 1) / 4, max: Math.max(32, fit * 4) };
}

function fitScale(image: Size, viewport: Size): number {
  const margin = 16;
  return Math.max(1e-3, Math.min((viewport.width - 2 * margin) / image.width, (viewport.height - 2 * margin) / image.height));
}

function centered(image: Size, viewport: Size, scale: number): View {
  return { scale, x: Math.round((viewport.width - image.width * scale) / 2), y: Math.round((viewport.height - image.height * scale) / 2) };
}

export function fitView(image: Size, viewport: Size): View {
  return centered(image, viewport, fitScale(image, viewport));
}

/** 1:1: centred when the image fits, else keeping the image point at the viewport centre in place. */
export function actualSizeView(image: Size, viewport: Size, current: View): View {
  if (image.width <= viewport.width && image.height <= viewport.height) return centered(image, viewport, 1);
  const view = zoomAround(current, 1 / current.scale, { x: viewport.width / 2, y: viewport.height / 2 }, { min: 1, max: 1 });
  // Whole-pixel offsets keep image pixels on screen pixels.
  return { scale: 1, x: Math.round(view.x), y: Math.round(view.y) };
}

/** Scales by `factor` keeping the image point under the screen point `anchor` in place. */
export function zoomAround(view: View, factor: number, anchor: Point, limits: { min: number; max: number }): View {
  const scale = clamp(view.scale * factor, limits.min, limits.max);
  const p = toImage(anchor, view);
  return { scale, x: anchor.x - p.x * scale, y: anchor.y - p.y * scale };
}

/** The part of the image the viewport shows, in image pixels. */
export function visibleRect(view: View, viewport: Size): Rect {
  const a = toImage({ x: 0, y: 0 }, view);
  const b = toImage({ x: viewport.width, y: viewport.height }, view);
  return { xmin: a.x, ymin: a.y, xmax: b.x, ymax: b.y };
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.xmin <= b.xmax && a.xmax >= b.xmin && a.ymin <= b.ymax && a.ymax >= b.ymin;
}
