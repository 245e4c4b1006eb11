// The annotation of one image, edited locally at once and saved in the background, with undo/redo.
//
//   const editor = useAnnotationEditor(imageId);          // null: nothing loaded
//   editor.image, editor.annotation, editor.loading, editor.error
//   editor.set({ ...editor.annotation, boxes: moved }, { coalesce: `move-${index}` }); // one undo step per drag
//   editor.undo(); editor.redo(); editor.canUndo; editor.canRedo;  // per image, many steps, each one saved
//   editor.saveState  // 'saved' | 'pending' | 'saving' | 'error', for a "Saved" / "Saving…" indicator
//   editor.stale      // true: changed in another window or by a re-index; show a banner whose button
//                     // calls editor.reload(); edits are ignored meanwhile (never overwrite silently)
//   await editor.flush();  await editor.submit();  // submit flushes first; throws StudioError on failure
//   editor.revision()        // the server revision the next save is based on (after a flush: current)
//   editor.adopt(saved)      // a change saved by another call (accepting a suggestion): one undo step
//
// Pending saves are flushed when the image changes, on unmount and when the page is hidden or closed.
// Changes made elsewhere while nothing local is pending (a rename in the label list) are adopted.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Annotation, ImageDetail, StudioError } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { useStudioEvents } from '../hooks';
import { AnnotationSaver, isStaleError, onPageLeave, type SaveState, type SaverStatus } from './annotationSaver';

const MAX_UNDO = 500;
const EMPTY: Annotation = { label: null, boxes: [] };

export interface EditOptions {
  /** Consecutive edits with the same key form one undo step (a drag, typing a text). */
  coalesce?: string;
}

export interface AnnotationEditor {
  image: ImageDetail | null;
  annotation: Annotation;
  loading: boolean;
  error: StudioError | null;
  set(next: Annotation, options?: EditOptions): void;
  undo(): void;
  redo(): void;
  canUndo: boolean;
  canRedo: boolean;
  saveState: SaveState;
  /** The last save failure (stale or not), for a tooltip or an alert. */
  saveError: StudioError | null;
  stale: boolean;
  reload(): void;
  flush(): Promise<void>;
  submit(): Promise<void>;
  revision(): number | null;
  adopt(saved: ImageDetail): void;
}

interface Doc {
  image: ImageDetail;
  annotation: Annotation;
  past: Annotation[];
  future: Annotation[];
  coalesce: string | null;
}

function annotationOf(image: ImageDetail): Annotation {
  return { label: image.label, boxes: image.boxes };
}

const SAVED: SaverStatus = { state: 'saved', stale: false, error: null };

export function useAnnotationEditor(imageId: number | null): AnnotationEditor {
  const client = useClient();
  const doc = useRef<Doc | null>(null);
  const saver = useRef<AnnotationSaver | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<StudioError | null>(null);
  const [status, setStatus] = useState<SaverStatus>(SAVED);
  const [generation, reload] = useReducer((n: number) => n + 1, 0);

  const open = useCallback(
    (image: ImageDetail) => {
      doc.current = { image, annotation: annotationOf(image), past: [], future: [], coalesce: null };
      const opened = new AnnotationSaver(client, image.id, image.revision, (next, saved) => {
        if (saver.current !== opened) return;
        if (saved && doc.current) doc.current.image = saved;
        setStatus(next);
      });
      saver.current = opened;
      setStatus(SAVED);
      rerender();
    },
    [client],
  );

  useEffect(() => {
    doc.current = null;
    saver.current = null;
    setStatus(SAVED);
    setError(null);
    if (imageId === null) {
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    client.getImage(imageId).then(
      (image) => {
        if (!live) return;
        open(image);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!live) return;
        setError(toStudioError(failure));
        setLoading(false);
      },
    );
    return () => {
      live = false;
      // The saver outlives the hook's interest in it: the edit still reaches the server.
      void saver.current?.flush();
    };
  }, [client, imageId, generation, open]);

  useEffect(() => onPageLeave(() => void saver.current?.flush()), []);

  // Adopt what changed elsewhere, as long as nothing local waits to be saved.
  const refresh = useCallback(() => {
    const current = saver.current;
    if (!current || current.busy || current.status.stale) return;
    client.getImage(current.imageId).then(
      (image) => {
        if (saver.current !== current || current.busy || !doc.current) return;
        if (image.revision > current.revision) {
          current.revision = image.revision;
          // The undo steps were relative to the replaced annotation.
          doc.current = { image, annotation: annotationOf(image), past: [], future: [], coalesce: null };
        } else {
          doc.current.image = image;
        }
        rerender();
      },
      () => {
        // A failed refresh leaves the local copy, which the next save still checks against the server.
      },
    );
  }, [client]);

  useStudioEvents((event) => {
    const image = doc.current?.image;
    if (!image) return;
    if (event.type === 'annotation-changed' && event.imageId === image.id) refresh();
    if (event.type === 'datasets-changed' && (event.datasetId === image.datasetId || event.datasetId === null)) refresh();
  });

  const apply = useCallback((change: (d: Doc) => Doc | null) => {
    const current = doc.current;
    const target = saver.current;
    if (!current || !target || target.status.stale) return;
    const next = change(current);
    if (!next) return;
    doc.current = next;
    target.schedule(next.annotation);
    rerender();
  }, []);

  const set = useCallback(
    (annotation: Annotation, options: EditOptions = {}) =>
      apply((d) => {
        const key = options.coalesce ?? null;
        const merge = key !== null && key === d.coalesce;
        const past = merge ? d.past : [...d.past, d.annotation].slice(-MAX_UNDO);
        return { ...d, annotation, past, future: merge ? d.future : [], coalesce: key };
      }),
    [apply],
  );

  const undo = useCallback(
    () =>
      apply((d) => {
        const previous = d.past.at(-1);
        if (!previous) return null;
        return { ...d, annotation: previous, past: d.past.slice(0, -1), future: [d.annotation, ...d.future], coalesce: null };
      }),
    [apply],
  );

  const redo = useCallback(
    () =>
      apply((d) => {
        const [following, ...rest] = d.future;
        if (!following) return null;
        return { ...d, annotation: following, past: [...d.past, d.annotation], future: rest, coalesce: null };
      }),
    [apply],
  );

  const flush = useCallback(async () => {
    await saver.current?.flush();
  }, []);

  const submit = useCallback(async () => {
    const current = saver.current;
    if (!current) return;
    await current.flush();
    if (current.status.stale) throw current.status.error;
    try {
      const image = await client.submitImage({ imageId: current.imageId, baseRevision: current.revision });
      current.revision = image.revision;
      if (saver.current === current && doc.current) {
        doc.current.image = image;
        rerender();
      }
    } catch (failure) {
      const error = toStudioError(failure);
      if (isStaleError(error)) current.markStale(error);
      throw error;
    }
  }, [client]);

  const revision = useCallback(() => saver.current?.revision ?? null, []);

  /** Takes the server's newer copy as the current annotation, undoable like an edit of this page. */
  const adopt = useCallback((saved: ImageDetail) => {
    const current = saver.current;
    const d = doc.current;
    if (!current || !d || current.imageId !== saved.id || saved.revision <= current.revision) return;
    current.revision = saved.revision;
    doc.current = { image: saved, annotation: annotationOf(saved), past: [...d.past, d.annotation].slice(-MAX_UNDO), future: [], coalesce: null };
    rerender();
  }, []);

  const d = doc.current;
  return {
    image: d?.image ?? null,
    annotation: d?.annotation ?? EMPTY,
    loading,
    error,
    set,
    undo,
    redo,
    canUndo: (d?.past.length ?? 0) > 0,
    canRedo: (d?.future.length ?? 0) > 0,
    saveState: status.state,
    saveError: status.error,
    stale: status.stale,
    reload,
    flush,
    submit,
    revision,
    adopt,
  };
}
