// The Konva stage of the box labeling page: the image and its boxes, drawing, moving, resizing,
// zooming and panning.
//
//   <BoxCanvas ref={canvas} image={decoded} boxes={annotation.boxes} hidden={hidden} selected={i}
//     drawing={drawMode} draft={pendingRect} colorOf={labelColor}
//     onSelect={select} onDraw={(rect) => add(rect)} onChange={(i, rect) => move(i, rect)} onPan={...}
//     suggestions={modelBoxes} selectedSuggestion={j} onSelectSuggestion={pick} />  // dashed, "label 87%"
//   canvas.current.fit(); .actualSize(); .cancelDraft() (false when nothing was being drawn); .scale()
//
// The view (zoom and pan) is the Stage's own transform, changed imperatively: a wheel turn or a pan
// redraws two layers and renders no React. Interaction is a small pointer state machine over the
// wrapper element with its own hit testing (smallest box under the pointer, handles of the selected
// box), so the layers do not listen and Konva keeps no hit canvases.
import type Konva from 'konva';
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type Ref } from 'react';
import { Layer, Shape, Stage } from 'react-konva';
import type { Box } from '../../../../main/shared/api';
import {
  actualSizeView,
  boxAt,
  fitView,
  handleAt,
  HANDLE_CURSORS,
  moveRect,
  rectFromPoints,
  resizeRect,
  sameRect,
  scaleLimits,
  toImage,
  zoomAround,
  type Handle,
  type Point,
  type Rect,
  type Size,
  type View,
} from './geometry';
import type { DecodedImage } from './imageCache';
import { HANDLE_SIZE, paintBoxes, paintImage, paintOverlay, paintSuggestions, type SuggestionMark } from './paint';

export interface BoxCanvasHandle {
  fit(): void;
  actualSize(): void;
  /** Drops a box being drawn; false when there was none. */
  cancelDraft(): boolean;
  /** Current zoom: screen pixels per image pixel. */
  scale(): number;
}

export interface BoxCanvasProps {
  /** Null while the image (or its annotation) loads. */
  image: DecodedImage | null;
  boxes: readonly Box[];
  hidden: ReadonlySet<number>;
  selected: number | null;
  drawing: boolean;
  /** A drawn box waiting for its label, shown dashed. */
  draft: Rect | null;
  colorOf: (label: string) => string;
  onSelect(index: number | null): void;
  onDraw(rect: Rect): void;
  onChange(index: number, rect: Rect): void;
  /** The view was dragged (tells a Space tap from a Space+drag). */
  onPan(): void;
  /** A model's suggested boxes, not yet accepted: drawn dashed, selectable by a click. */
  suggestions?: readonly SuggestionMark[];
  selectedSuggestion?: number | null;
  onSelectSuggestion?(index: number | null): void;
  ref?: Ref<BoxCanvasHandle>;
}

const SCENE_PROPS = ['image', 'boxes', 'hidden', 'selected', 'colorOf', 'suggestions', 'selectedSuggestion'] as const satisfies readonly (keyof BoxCanvasProps)[];
const OVERLAY_PROPS = ['drawing', 'draft'] as const satisfies readonly (keyof BoxCanvasProps)[];

/** Screen pixels the pointer may travel before a press counts as a drag. */
const CLICK_SLOP = 3;
const WHEEL_ZOOM = 0.0015;

type Gesture =
  | { kind: 'pan'; start: Point; view: View }
  | { kind: 'draw'; anchor: Point; start: Point; moved: boolean }
  | { kind: 'move'; index: number; start: Point; rect: Rect; moved: boolean }
  | { kind: 'resize'; index: number; handle: Handle; rect: Rect };

/** Performance mark set when a newly shown image has been drawn (read by `npm run bench:label`). */
export const IMAGE_DRAWN_MARK = 'label:image-drawn';

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.matches('input, textarea, select'));
}

export function BoxCanvas(props: BoxCanvasProps) {
  const { image, ref } = props;
  const wrapper = useRef<HTMLDivElement>(null);
  const stage = useRef<Konva.Stage>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const zoomOutput = useRef<HTMLOutputElement>(null);
  const pointerOutput = useRef<HTMLOutputElement>(null);
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });

  // What the sceneFuncs draw; refs, so that drawing never waits for (or causes) a React render.
  const latest = useRef(props);
  const view = useRef<View>({ scale: 1, x: 0, y: 0 });
  const fitted = useRef(true);
  const gesture = useRef<Gesture | null>(null);
  /** The second click of a two-click box is pending from this corner. */
  const clickAnchor = useRef<Point | null>(null);
  const draft = useRef<Rect | null>(null);
  /** The selected box while it is being moved or resized. */
  const live = useRef<Rect | null>(null);
  const pointer = useRef<Point | null>(null);
  const spaceHeld = useRef(false);
  const tagWidths = useRef(new Map<string, number>());
  const markedUrl = useRef<string | null>(null);

  const redrawOverlay = useCallback(() => overlayLayer.current?.batchDraw(), []);

  /** The Stage transform is the view; the Stage may mount after the view was first set. */
  const syncStage = useCallback(() => {
    const node = stage.current;
    if (!node) return;
    node.scale({ x: view.current.scale, y: view.current.scale });
    node.position({ x: view.current.x, y: view.current.y });
    node.batchDraw();
  }, []);

  const applyView = useCallback((next: View) => {
    view.current = next;
    syncStage();
    if (zoomOutput.current) zoomOutput.current.textContent = `${Math.round(next.scale * 100)}%`;
    // For tests and debugging: where an image pixel lands on screen.
    if (wrapper.current) wrapper.current.dataset.view = `${next.scale} ${next.x} ${next.y}`;
  }, [syncStage]);

  const fit = useCallback(() => {
    const current = latest.current.image;
    if (!current || size.width === 0) return;
    fitted.current = true;
    applyView(fitView(current, size));
  }, [applyView, size]);

  // First of the layout effects: the ones below read the new props.
  useLayoutEffect(() => {
    const previous = latest.current;
    latest.current = props;
    if (previous.boxes !== props.boxes || previous.selected !== props.selected) live.current = null;
    // The page re-renders for reasons of its own (save status…): redraw only for what is drawn.
    if (previous === props || SCENE_PROPS.some((key) => previous[key] !== props[key])) syncStage();
    else if (OVERLAY_PROPS.some((key) => previous[key] !== props[key])) redrawOverlay();
  });

  // A new image, or the first layout: fit. A resized window keeps a fitted view fitted.
  const shownUrl = image?.url ?? null;
  useLayoutEffect(() => {
    live.current = null;
    clickAnchor.current = null;
    draft.current = null;
    gesture.current = null;
    fitted.current = true;
  }, [shownUrl]);
  useLayoutEffect(() => {
    if (fitted.current) fit();
  }, [fit, shownUrl]);

  useImperativeHandle(
    ref,
    () => ({
      fit,
      actualSize: () => {
        const current = latest.current.image;
        if (!current) return;
        fitted.current = false;
        applyView(actualSizeView(current, size, view.current));
      },
      cancelDraft: () => {
        const had = clickAnchor.current !== null || gesture.current?.kind === 'draw';
        clickAnchor.current = null;
        draft.current = null;
        if (gesture.current?.kind === 'draw') gesture.current = null;
        redrawOverlay();
        return had;
      },
      scale: () => view.current.scale,
    }),
    [applyView, fit, redrawOverlay, size],
  );

  useEffect(() => {
    const element = wrapper.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: Math.floor(entry.contentRect.width), height: Math.floor(entry.contentRect.height) });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const element = wrapper.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const current = latest.current.image;
      if (!current) return;
      const bounds = element.getBoundingClientRect();
      const lines = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : 1;
      const factor = Math.exp(-event.deltaY * lines * WHEEL_ZOOM);
      fitted.current = false;
      applyView(zoomAround(view.current, factor, { x: event.clientX - bounds.left, y: event.clientY - bounds.top }, scaleLimits(current, bounds)));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [applyView]);

  // Space held turns any drag into a pan.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== ' ' || isTyping(event.target)) return;
      spaceHeld.current = event.type === 'keydown';
      updateCursor();
    };
    const onBlur = () => (spaceHeld.current = false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
      window.removeEventListener('blur', onBlur);
    };
    // updateCursor reads refs only.
  }, []);

  const localPoint = (event: { clientX: number; clientY: number }): Point => {
    const bounds = wrapper.current!.getBoundingClientRect();
    return { x: event.clientX - bounds.left, y: event.clientY - bounds.top };
  };

  const selectedRect = (): Rect | null => {
    const { boxes, selected, hidden } = latest.current;
    if (selected === null || hidden.has(selected)) return null;
    return live.current ?? boxes[selected] ?? null;
  };

  function updateCursor(target: { handle: Handle | null; box: boolean } | null = null): void {
    const element = wrapper.current;
    if (!element) return;
    const g = gesture.current;
    let cursor = 'default';
    if (g?.kind === 'pan') cursor = 'grabbing';
    else if (spaceHeld.current) cursor = 'grab';
    else if (g?.kind === 'move') cursor = 'move';
    else if (g?.kind === 'resize') cursor = HANDLE_CURSORS[g.handle];
    else if (latest.current.drawing) cursor = 'crosshair';
    else if (target?.handle) cursor = HANDLE_CURSORS[target.handle];
    else if (target?.box) cursor = 'move';
    element.style.cursor = cursor;
  }

  function hover(screen: Point): { handle: Handle | null; box: boolean } {
    const { boxes, hidden } = latest.current;
    const rect = selectedRect();
    const handle = rect ? handleAt(rect, screen, view.current, HANDLE_SIZE) : null;
    const box = boxAt(boxes, toImage(screen, view.current), (i) => hidden.has(i)) !== null;
    return { handle, box };
  }

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    const current = latest.current;
    if (!current.image || (event.button !== 0 && event.button !== 1)) return;
    event.preventDefault();
    // The keys belong to the page again after a click on the image, not to a text field left focused.
    if (isTyping(document.activeElement)) (document.activeElement as HTMLElement).blur();
    const screen = localPoint(event);
    const p = toImage(screen, view.current);
    event.currentTarget.setPointerCapture(event.pointerId);

    if (event.button === 1 || spaceHeld.current) {
      gesture.current = { kind: 'pan', start: screen, view: view.current };
    } else if (current.drawing) {
      if (clickAnchor.current) {
        // Second click of a two-click box.
        const rect = rectFromPoints(clickAnchor.current, p, current.image);
        clickAnchor.current = null;
        draft.current = null;
        if (rect) current.onDraw(rect);
      } else {
        gesture.current = { kind: 'draw', anchor: p, start: screen, moved: false };
      }
    } else {
      const rect = selectedRect();
      const handle = rect ? handleAt(rect, screen, view.current, HANDLE_SIZE) : null;
      if (rect && handle && current.selected !== null) {
        gesture.current = { kind: 'resize', index: current.selected, handle, rect };
      } else {
        const index = boxAt(current.boxes, p, (i) => current.hidden.has(i));
        if (index === null) {
          current.onSelect(null);
          // A click on a suggestion picks it (the one Enter accepts); a drag still pans.
          const suggestion = current.suggestions && current.onSelectSuggestion ? boxAt(current.suggestions, p, () => false) : null;
          current.onSelectSuggestion?.(suggestion);
          gesture.current = { kind: 'pan', start: screen, view: view.current };
        } else {
          if (index !== current.selected) current.onSelect(index);
          gesture.current = { kind: 'move', index, start: p, rect: current.boxes[index]!, moved: false };
        }
      }
    }
    updateCursor();
    redrawOverlay();
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    const current = latest.current;
    if (!current.image) return;
    const screen = localPoint(event);
    const p = toImage(screen, view.current);
    pointer.current = p;
    if (pointerOutput.current) {
      const inside = p.x >= 0 && p.y >= 0 && p.x <= current.image.width && p.y <= current.image.height;
      pointerOutput.current.textContent = inside ? `${Math.floor(p.x)}, ${Math.floor(p.y)}` : '';
    }
    const g = gesture.current;
    switch (g?.kind) {
      case 'pan':
        if (Math.hypot(screen.x - g.start.x, screen.y - g.start.y) > CLICK_SLOP) current.onPan();
        fitted.current = false;
        applyView({ ...g.view, x: g.view.x + screen.x - g.start.x, y: g.view.y + screen.y - g.start.y });
        return;
      case 'draw':
        g.moved ||= Math.hypot(screen.x - g.start.x, screen.y - g.start.y) > CLICK_SLOP;
        draft.current = g.moved ? rectFromPoints(g.anchor, p, current.image) : null;
        break;
      case 'move':
        g.moved ||= Math.hypot(p.x - g.start.x, p.y - g.start.y) * view.current.scale > CLICK_SLOP;
        if (g.moved) live.current = moveRect(g.rect, p.x - g.start.x, p.y - g.start.y, current.image);
        break;
      case 'resize':
        live.current = resizeRect(g.rect, g.handle, p, current.image);
        break;
      default:
        if (clickAnchor.current) draft.current = rectFromPoints(clickAnchor.current, p, current.image);
        updateCursor(hover(screen));
    }
    redrawOverlay();
  };

  const onPointerUp = (event: ReactPointerEvent<HTMLDivElement>) => {
    const current = latest.current;
    const g = gesture.current;
    gesture.current = null;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) event.currentTarget.releasePointerCapture(event.pointerId);
    if (g?.kind === 'draw') {
      const rect = draft.current;
      draft.current = null;
      if (g.moved && rect) current.onDraw(rect);
      // A click without a drag starts a two-click box.
      else if (!g.moved) clickAnchor.current = g.anchor;
    } else if (g?.kind === 'move' || g?.kind === 'resize') {
      const rect = live.current;
      if (rect && !sameRect(rect, g.rect)) current.onChange(g.index, rect);
      else live.current = null;
    }
    updateCursor(hover(localPoint(event)));
    redrawOverlay();
  };

  const onPointerLeave = () => {
    pointer.current = null;
    if (pointerOutput.current) pointerOutput.current.textContent = '';
    redrawOverlay();
  };

  const drawScene = useCallback((context: Konva.Context) => {
    const { image: current, boxes, hidden, selected, colorOf, suggestions, selectedSuggestion } = latest.current;
    if (!current) return;
    const ctx = context._context;
    paintImage(ctx, current, view.current.scale);
    const viewport = stage.current ? { width: stage.current.width(), height: stage.current.height() } : current;
    paintBoxes(ctx, boxes, (i) => i === selected || hidden.has(i), colorOf, view.current, viewport, tagWidths.current);
    if (suggestions) paintSuggestions(ctx, suggestions, selectedSuggestion ?? null, colorOf, view.current, tagWidths.current);
    if (markedUrl.current !== current.url) {
      markedUrl.current = current.url;
      performance.mark(IMAGE_DRAWN_MARK, { detail: current.url });
    }
  }, []);

  const drawOverlay = useCallback((context: Konva.Context) => {
    const { image: current, boxes, selected, colorOf, drawing } = latest.current;
    if (!current) return;
    const rect = selectedRect();
    const box = selected === null ? undefined : boxes[selected];
    const p = pointer.current;
    const inside = p && p.x >= 0 && p.y >= 0 && p.x <= current.width && p.y <= current.height;
    paintOverlay(
      context._context,
      {
        selected: rect && box ? { rect, label: box.label, color: colorOf(box.label) } : null,
        draft: draft.current ?? latest.current.draft,
        crosshair: drawing && inside ? p : null,
      },
      current,
      view.current,
      tagWidths.current,
    );
    // Reads refs only (selectedRect included): one stable sceneFunc for the Shape's lifetime.
  }, []);

  return (
    <div
      ref={wrapper}
      className="box-canvas"
      role="application"
      aria-label="Image canvas"
      aria-roledescription="labeling canvas"
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onPointerLeave={onPointerLeave}
      onContextMenu={(event) => event.preventDefault()}
    >
      {size.width > 0 && (
        <Stage ref={stage} width={size.width} height={size.height} listening={false}>
          <Layer listening={false}>
            <Shape sceneFunc={drawScene} listening={false} perfectDrawEnabled={false} />
          </Layer>
          <Layer ref={overlayLayer} listening={false}>
            <Shape sceneFunc={drawOverlay} listening={false} perfectDrawEnabled={false} />
          </Layer>
        </Stage>
      )}
      {!image && <p className="box-canvas-loading">Loading image…</p>}
      <div className="box-canvas-readout" aria-hidden="true">
        <output ref={pointerOutput} />
        <output ref={zoomOutput} />
      </div>
    </div>
  );
}
