// Drawing of the box canvas, called from Konva shapes' sceneFunc. The image is drawn through the
// stage's view transform; boxes and everything else in screen pixels, as whole-pixel filled edges:
// in software rendering that is 3× cheaper than stroking 500 scaled rectangles, and crisp at any zoom.
// All boxes are one shape drawn in a loop: no Konva node (and no React element) per box.
import type { Box } from '../../../../main/shared/api';
import { handlePoints, intersects, visibleRect, type Point, type Rect, type Size, type View } from './geometry';
import type { DecodedImage, ImageLevel } from './imageCache';

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#0aa5a5', '#f032e6', '#7a9b00', '#9a6324', '#000075'];

/** A stable colour per label, so every box of a class looks the same on every image. */
export function labelColor(label: string): string {
  let hash = 0;
  for (const char of label) hash = (hash * 31 + char.codePointAt(0)!) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length]!;
}

/** Beyond this many boxes on screen, names would only hide the image: the box list shows them. */
const LABEL_LIMIT = 200;
const FONT = '12px system-ui, sans-serif';
export const HANDLE_SIZE = 8;

/** The smallest level with at least as many pixels as the screen shows: sharp, and cheap to scale. */
function levelFor(image: DecodedImage, scale: number): ImageLevel {
  let chosen = image.levels[0]!;
  for (const level of image.levels) {
    if (level.width >= image.width * scale) chosen = level;
  }
  return chosen;
}

export function paintImage(ctx: CanvasRenderingContext2D, image: DecodedImage, scale: number): void {
  // Pixelated when zoomed well in: labeling a 32×32 crop needs to see its pixels, not a blur.
  ctx.imageSmoothingEnabled = scale < 3;
  // Bilinear: with a level at most 2× the screen size it looks as good as 'medium' at a third of the cost.
  ctx.imageSmoothingQuality = 'low';
  const level = levelFor(image, scale);
  ctx.drawImage(level.source, 0, 0, level.width, level.height, 0, 0, image.width, image.height);
}

/** Screen rectangle of an image rectangle, on whole pixels. */
function screenRect(r: Rect, view: View): Rect {
  return {
    xmin: Math.round(r.xmin * view.scale + view.x),
    ymin: Math.round(r.ymin * view.scale + view.y),
    xmax: Math.round(r.xmax * view.scale + view.x),
    ymax: Math.round(r.ymax * view.scale + view.y),
  };
}

/** A rectangle's outline as four filled strips centred on its edges. */
function outline(ctx: CanvasRenderingContext2D, s: Rect, width: number): void {
  const h = width / 2;
  ctx.fillRect(s.xmin - h, s.ymin - h, s.xmax - s.xmin + width, width);
  ctx.fillRect(s.xmin - h, s.ymax - h, s.xmax - s.xmin + width, width);
  ctx.fillRect(s.xmin - h, s.ymin + h, width, s.ymax - s.ymin - width);
  ctx.fillRect(s.xmax - h, s.ymin + h, width, s.ymax - s.ymin - width);
}

/** Draws a label tag above the box's top-left corner (inside it at the top of the screen). */
function paintTag(ctx: CanvasRenderingContext2D, text: string, color: string, at: Point, widths: Map<string, number>): void {
  let width = widths.get(text);
  if (width === undefined) {
    width = ctx.measureText(text).width;
    widths.set(text, width);
  }
  const height = 16;
  const y = at.y >= height ? at.y - height : at.y;
  ctx.fillStyle = color;
  ctx.fillRect(at.x - 1, y, width + 8, height);
  ctx.fillStyle = '#fff';
  ctx.fillText(text, at.x + 3, y + height - 4);
}

/** Runs `draw` with the view transform replaced by plain screen pixels (the device pixel ratio kept). */
function inScreenSpace(ctx: CanvasRenderingContext2D, view: View, draw: () => void): void {
  const ratio = ctx.getTransform().a / view.scale;
  ctx.save();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.font = FONT;
  draw();
  ctx.restore();
}

export function paintBoxes(
  ctx: CanvasRenderingContext2D,
  boxes: readonly Box[],
  skip: (index: number) => boolean,
  colorOf: (label: string) => string,
  view: View,
  viewport: Size,
  widths: Map<string, number>,
): void {
  const visible = visibleRect(view, viewport);
  // Grouped by colour: one fillStyle change per class instead of one per box.
  const byColor = new Map<string, Box[]>();
  boxes.forEach((box, index) => {
    if (skip(index) || !intersects(box, visible)) return;
    const color = colorOf(box.label);
    let group = byColor.get(color);
    if (!group) byColor.set(color, (group = []));
    group.push(box);
  });
  const shown = [...byColor.values()].reduce((sum, group) => sum + group.length, 0);
  inScreenSpace(ctx, view, () => {
    for (const [color, group] of byColor) {
      ctx.fillStyle = color;
      for (const box of group) outline(ctx, screenRect(box, view), 2);
    }
    if (shown > LABEL_LIMIT) return;
    for (const [color, group] of byColor) {
      for (const box of group) {
        const s = screenRect(box, view);
        paintTag(ctx, box.label, color, { x: s.xmin, y: s.ymin }, widths);
      }
    }
  });
}

export interface OverlayState {
  /** The selected box as it is now, drag included. */
  selected: { rect: Rect; label: string; color: string } | null;
  /** The box being drawn, or a drawn box waiting for its label. */
  draft: Rect | null;
  /** Crosshair position while drawing, in image pixels. */
  crosshair: Point | null;
}

export function paintOverlay(ctx: CanvasRenderingContext2D, state: OverlayState, image: Size, view: View, widths: Map<string, number>): void {
  inScreenSpace(ctx, view, () => {
    const frame = screenRect({ xmin: 0, ymin: 0, xmax: image.width, ymax: image.height }, view);
    if (state.crosshair) {
      // Dashed black on white: visible on any image.
      const x = Math.round(state.crosshair.x * view.scale + view.x) + 0.5;
      const y = Math.round(state.crosshair.y * view.scale + view.y) + 0.5;
      ctx.beginPath();
      ctx.moveTo(frame.xmin, y);
      ctx.lineTo(frame.xmax, y);
      ctx.moveTo(x, frame.ymin);
      ctx.lineTo(x, frame.ymax);
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = '#000';
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (state.draft) {
      const d = screenRect(state.draft, view);
      ctx.fillStyle = 'rgba(0, 100, 200, 0.15)';
      ctx.fillRect(d.xmin, d.ymin, d.xmax - d.xmin, d.ymax - d.ymin);
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = '#0064c8';
      ctx.strokeRect(d.xmin, d.ymin, d.xmax - d.xmin, d.ymax - d.ymin);
      ctx.setLineDash([]);
    }
    const selected = state.selected;
    if (!selected) return;
    const s = screenRect(selected.rect, view);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.18)';
    ctx.fillRect(s.xmin, s.ymin, s.xmax - s.xmin, s.ymax - s.ymin);
    ctx.fillStyle = selected.color;
    outline(ctx, s, 3);
    paintTag(ctx, selected.label, selected.color, { x: s.xmin, y: s.ymin }, widths);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = selected.color;
    ctx.fillStyle = '#fff';
    const half = HANDLE_SIZE / 2;
    for (const [, p] of handlePoints(s)) {
      ctx.fillRect(p.x - half, p.y - half, HANDLE_SIZE, HANDLE_SIZE);
      ctx.strokeRect(p.x - half, p.y - half, HANDLE_SIZE, HANDLE_SIZE);
    }
  });
}

/** A model's suggested box: where it would go and how sure the model is. */
export interface SuggestionMark extends Rect {
  label: string;
  conf: number;
}

/**
 * Suggested boxes, dashed so they never pass for accepted ones, each tagged "label 87%"; the
 * selected one (the one Enter would accept) thicker, over a light veil.
 */
export function paintSuggestions(
  ctx: CanvasRenderingContext2D,
  marks: readonly SuggestionMark[],
  selected: number | null,
  colorOf: (label: string) => string,
  view: View,
  widths: Map<string, number>,
): void {
  if (marks.length === 0) return;
  inScreenSpace(ctx, view, () => {
    marks.forEach((mark, index) => {
      const s = screenRect(mark, view);
      const color = colorOf(mark.label);
      const chosen = index === selected;
      if (chosen) {
        ctx.fillStyle = 'rgba(255, 255, 255, 0.22)';
        ctx.fillRect(s.xmin, s.ymin, s.xmax - s.xmin, s.ymax - s.ymin);
      }
      // White under the colour: the dashes show on dark and light images alike.
      ctx.lineWidth = chosen ? 4 : 3;
      ctx.setLineDash([]);
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.7)';
      ctx.strokeRect(s.xmin, s.ymin, s.xmax - s.xmin, s.ymax - s.ymin);
      ctx.lineWidth = chosen ? 2.5 : 1.5;
      ctx.setLineDash([7, 5]);
      ctx.strokeStyle = color;
      ctx.strokeRect(s.xmin, s.ymin, s.xmax - s.xmin, s.ymax - s.ymin);
      ctx.setLineDash([]);
      // Below the box: the top-left corner is where an accepted box shows its own tag.
      paintTag(ctx, `${mark.label} ${Math.round(mark.conf * 100)}%`, chosen ? color : 'rgba(40, 40, 40, 0.75)', { x: s.xmin, y: s.ymax + 16 }, widths);
    });
  });
}
