// Classification labels of many images at once (a grid page), saved like any edit, with undo/redo.
//
//   const labels = useLabelAssignments(pageIds);       // the images on screen: their details load and refresh
//   labels.labelOf(id)         // the label as shown now (a local edit wins), or undefined until loaded
//   labels.assign([1, 2], 'ants');  labels.undo();  labels.redo();  labels.canUndo / canRedo
//   labels.saveState, labels.stale (ids refused as changed elsewhere), labels.reloadStale()
//   await labels.submit(ids)   // flushes, then marks the labeled ones reviewed; returns how many
//
// Each image gets an AnnotationSaver on its first edit, so an edit is debounced, revision-checked and
// retried exactly as in the box editor; an undo step is the whole assignment (one key press on nine
// selected images is one step). Changes made elsewhere are adopted for images with nothing pending.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ImageDetail } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { useStudioEvents } from '../hooks';
import { AnnotationSaver, isStaleError, onPageLeave, type SaveState } from './annotationSaver';

const MAX_UNDO = 500;

interface Change {
  imageId: number;
  before: string | null;
  after: string | null;
}

export interface LabelAssignments {
  labelOf(imageId: number): string | null | undefined;
  detail(imageId: number): ImageDetail | undefined;
  /** Returns the images whose label changed. */
  assign(imageIds: readonly number[], label: string | null): number[];
  /** Undo and redo return the images they changed, so the page can show them. */
  undo(): number[];
  redo(): number[];
  canUndo: boolean;
  canRedo: boolean;
  saveState: SaveState;
  stale: readonly number[];
  reloadStale(): void;
  flush(): Promise<void>;
  submit(imageIds: readonly number[]): Promise<number>;
}

/** The worst of the savers' states: one failing save is what the indicator must show. */
function overall(savers: Iterable<AnnotationSaver>): SaveState {
  let state: SaveState = 'saved';
  for (const saver of savers) {
    const s = saver.status.state;
    if (s === 'error' && !saver.status.stale) return 'error';
    if (s === 'saving' || (s === 'pending' && state === 'saved')) state = s;
  }
  return state;
}

export function useLabelAssignments(datasetId: number, visible: readonly number[]): LabelAssignments {
  const client = useClient();
  const details = useRef(new Map<number, ImageDetail>());
  const local = useRef(new Map<number, string | null>());
  const savers = useRef(new Map<number, AnnotationSaver>());
  const history = useRef<{ past: Change[][]; future: Change[][] }>({ past: [], future: [] });
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const revisionOf = (imageId: number) => savers.current.get(imageId)?.revision ?? details.current.get(imageId)?.revision;

  /** Fetches the images and adopts what changed elsewhere, skipping those with an edit on its way. */
  const refresh = useCallback(
    (imageIds: readonly number[]) => {
      for (const imageId of imageIds) {
        if (savers.current.get(imageId)?.busy) continue;
        client.getImage(imageId).then(
          (image) => {
            const saver = savers.current.get(imageId);
            if (saver?.busy || saver?.status.stale) return;
            const known = revisionOf(imageId);
            if (known !== undefined && image.revision < known) return;
            details.current.set(imageId, image);
            local.current.delete(imageId);
            if (saver) saver.revision = image.revision;
            rerender();
          },
          () => {
            // The tile keeps the listing's label; a save still checks against the server.
          },
        );
      }
    },
    [client],
  );

  const visibleKey = visible.join(',');
  useEffect(() => refresh(visible), [refresh, visibleKey]);

  useStudioEvents((event) => {
    if (event.type === 'annotation-changed' && visible.includes(event.imageId)) refresh([event.imageId]);
    // A rename or delete in the label list rewrites images (and their revisions) in one go.
    if (event.type === 'datasets-changed' && (event.datasetId === datasetId || event.datasetId === null)) refresh(visible);
  });

  const saverFor = (imageId: number): AnnotationSaver | null => {
    const existing = savers.current.get(imageId);
    if (existing) return existing;
    const image = details.current.get(imageId);
    if (!image) return null;
    const saver = new AnnotationSaver(client, imageId, image.revision, (_status, saved) => {
      if (saved) {
        details.current.set(imageId, saved);
        if (!saver.busy && local.current.get(imageId) === saved.label) local.current.delete(imageId);
      }
      rerender();
    });
    savers.current.set(imageId, saver);
    return saver;
  };

  const labelOf = (imageId: number) => (local.current.has(imageId) ? local.current.get(imageId) : details.current.get(imageId)?.label);

  /** Applies label changes; those refused (stale image, not loaded yet) are left out of the result. */
  const apply = (changes: readonly Change[], pick: (c: Change) => string | null): Change[] =>
    changes.filter((change) => {
      const saver = saverFor(change.imageId);
      if (!saver || saver.status.stale) return false;
      const label = pick(change);
      local.current.set(change.imageId, label);
      saver.schedule({ label, boxes: [] });
      return true;
    });

  const assign = (imageIds: readonly number[], label: string | null): number[] => {
    const wanted = imageIds.flatMap((imageId) => {
      const before = labelOf(imageId);
      const image = details.current.get(imageId);
      return before === undefined || before === label || image?.status === 'invalid' ? [] : [{ imageId, before, after: label }];
    });
    const done = apply(wanted, (c) => c.after);
    if (done.length > 0) {
      history.current = { past: [...history.current.past, done].slice(-MAX_UNDO), future: [] };
      rerender();
    }
    return done.map((c) => c.imageId);
  };

  const travel = (from: 'past' | 'future'): number[] => {
    const { past, future } = history.current;
    const step = (from === 'past' ? past : future).at(-1);
    if (!step) return [];
    const done = apply(step, (c) => (from === 'past' ? c.before : c.after));
    history.current =
      from === 'past' ? { past: past.slice(0, -1), future: [...future, step] } : { past: [...past, step], future: future.slice(0, -1) };
    rerender();
    return done.map((c) => c.imageId);
  };

  const flush = useCallback(async () => {
    await Promise.all([...savers.current.values()].map((saver) => saver.flush()));
  }, []);

  useEffect(() => {
    const stop = onPageLeave(() => void flush());
    return () => {
      stop();
      void flush();
    };
  }, [flush]);

  const submit = async (imageIds: readonly number[]): Promise<number> => {
    await flush();
    const ready = imageIds.filter((imageId) => labelOf(imageId) && !savers.current.get(imageId)?.status.stale);
    const results = await Promise.allSettled(
      ready.map(async (imageId) => {
        const image = await client.submitImage({ imageId, baseRevision: revisionOf(imageId) });
        details.current.set(imageId, image);
        const saver = savers.current.get(imageId);
        if (saver) saver.revision = image.revision;
      }),
    );
    let failure: unknown = null;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') return;
      const error = toStudioError(result.reason);
      if (isStaleError(error)) saverFor(ready[index]!)?.markStale(error);
      else failure ??= error;
    });
    rerender();
    if (failure) throw failure;
    return results.filter((r) => r.status === 'fulfilled').length;
  };

  const stale = [...savers.current.values()].filter((s) => s.status.stale).map((s) => s.imageId);

  return {
    labelOf,
    detail: (imageId) => details.current.get(imageId),
    assign,
    undo: () => travel('past'),
    redo: () => travel('future'),
    canUndo: history.current.past.length > 0,
    canRedo: history.current.future.length > 0,
    saveState: overall(savers.current.values()),
    stale,
    reloadStale: () => {
      for (const imageId of stale) {
        savers.current.delete(imageId);
        local.current.delete(imageId);
      }
      refresh(stale);
    },
    flush,
    submit,
  };
}
