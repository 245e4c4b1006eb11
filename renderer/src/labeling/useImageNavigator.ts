// The ordered images of a dataset and a position in them. Pages prefetch what they show themselves
// (the box canvas decodes neighbour bitmaps off the main thread; the grid shows thumbnails).
//
//   const nav = useImageNavigator(dataset.id, 'all', { current: imageId, onChange: onImageChange });
//   nav.ids, nav.total, nav.index (-1 when `current` is not in the list), nav.loading, nav.error
//   nav.next(); nav.prev(); nav.go(id); nav.nextUnlabeled()  // false when every listed image is labeled
//   nav.summary(id)?.path        // the listing's row, refreshed when the image's annotation changes
//   useImageNavigator(id, 'all', { ..., order: 'uncertainty' })  // the images with a pending model
//                                // suggestion, most uncertain first (reloaded when a pre-label run ends)
//
// `current` is controlled (the page keeps it in the URL); with `current: null`, or an id the dataset
// no longer has, the navigator picks the first unlabeled image (or the first one) via `onChange`.
// Ids load in pages of 500, the first at once and the rest in the background; a re-index or a
// label change reloads them.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ImageFilter, ImageSummary, StudioError } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { useStudioEvents } from '../hooks';

const PAGE_SIZE = 500;
export interface NavigatorOptions {
  current: number | null;
  onChange: (imageId: number) => void;
  /** Only images with this label (classification) or with a box of it. */
  label?: string;
  /** 'uncertainty': the images with a pending suggestion, most uncertain first (`filter` and `label` are ignored). */
  order?: ImageOrder;
}

export type ImageOrder = 'path' | 'uncertainty';

export interface ImageNavigator {
  ids: readonly number[];
  /** Null until the first page arrives. */
  total: number | null;
  /** More pages are still arriving. */
  loading: boolean;
  error: StudioError | null;
  index: number;
  summary(imageId: number): ImageSummary | undefined;
  go(imageId: number): void;
  next(): void;
  prev(): void;
  nextUnlabeled(): boolean;
}

interface Listing {
  ids: number[];
  summaries: Map<number, ImageSummary>;
  total: number | null;
  done: boolean;
  error: StudioError | null;
}

const emptyListing = (): Listing => ({ ids: [], summaries: new Map(), total: null, done: false, error: null });

export function useImageNavigator(datasetId: number, filter: ImageFilter, options: NavigatorOptions): ImageNavigator {
  const client = useClient();
  const { current, onChange, label } = options;
  const order = options.order ?? 'path';
  const listing = useRef<Listing>(emptyListing());
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [generation, reload] = useReducer((n: number) => n + 1, 0);
  const latestOnChange = useRef(onChange);
  latestOnChange.current = onChange;
  /** The order the shown listing was made in: switching to uncertainty order starts at its head. */
  const listedOrder = useRef(order);

  useEffect(() => {
    let live = true;
    const next = emptyListing();
    const fetchFrom = async (offset: number): Promise<void> => {
      const page =
        order === 'uncertainty'
          ? await client.listSuggestions({ datasetId, offset, limit: PAGE_SIZE }).then((p) => ({ total: p.total, items: p.items.map((s) => s.image) }))
          : await client.listImages({ datasetId, filter, label, offset, limit: PAGE_SIZE });
      if (!live) return;
      for (const item of page.items) {
        next.ids.push(item.id);
        next.summaries.set(item.id, item);
      }
      next.total = page.total;
      // Until the new list has its first page, keep showing the old one (no flash on a reload).
      listing.current = next;
      if (offset === 0 && listedOrder.current !== order) {
        listedOrder.current = order;
        const head = next.ids[0];
        if (order === 'uncertainty' && head !== undefined) latestOnChange.current(head);
      }
      rerender();
      const end = offset + page.items.length;
      if (page.items.length > 0 && end < page.total) return fetchFrom(end);
      next.done = true;
      rerender();
    };
    fetchFrom(0).catch((failure: unknown) => {
      if (!live) return;
      next.error = toStudioError(failure);
      next.done = true;
      listing.current = next;
      rerender();
    });
    return () => {
      live = false;
    };
  }, [client, datasetId, filter, label, order, generation]);

  useStudioEvents((event) => {
    if (event.type === 'datasets-changed' && (event.datasetId === datasetId || event.datasetId === null)) reload();
    // A new set of suggestions (a pre-label run, a clear); single accepts and rejects keep the order stable.
    if (order === 'uncertainty' && event.type === 'suggestions-changed' && event.datasetId === datasetId && event.imageIds === null) reload();
    if (event.type === 'annotation-changed' && event.datasetId === datasetId && listing.current.summaries.has(event.imageId)) {
      const owner = listing.current;
      client.getImage(event.imageId).then(
        (image) => {
          if (listing.current !== owner) return;
          owner.summaries.set(image.id, image);
          rerender();
        },
        () => {
          // The row keeps its old status; the next reload corrects it.
        },
      );
    }
  });

  const { ids, total, done } = listing.current;
  const index = current === null ? -1 : ids.indexOf(current);

  // No image chosen, or one the full list no longer holds (deleted, re-indexed away): start where
  // work remains. A filtered list may lack the current image legitimately (it was just labeled).
  const [picking, setPicking] = useState(false);
  const byPath = order === 'path';
  const unfiltered = byPath && filter === 'all' && label === undefined;
  // In uncertainty order too: the list is the work queue, so start at its head.
  const lost = current !== null && (unfiltered || !byPath) && done && index < 0;
  useEffect(() => {
    if ((current !== null && !lost) || total === null || ids.length === 0 || picking) return;
    setPicking(true);
    const first = ids[0]!;
    const pick = unfiltered
      ? client.listImages({ datasetId, filter: 'unlabeled', limit: 1 }).then((page) => page.items[0]?.id ?? first)
      : Promise.resolve(first);
    pick
      .catch(() => first)
      .then((id) => latestOnChange.current(id))
      .finally(() => setPicking(false));
  }, [client, current, datasetId, ids, lost, picking, total, unfiltered]);

  const go = useCallback((imageId: number) => latestOnChange.current(imageId), []);
  const step = (delta: number) => {
    const target = ids[index < 0 ? 0 : index + delta];
    if (target !== undefined) go(target);
  };

  return {
    ids,
    total,
    loading: !listing.current.done,
    error: listing.current.error,
    index,
    summary: (imageId) => listing.current.summaries.get(imageId),
    go,
    next: () => step(1),
    prev: () => step(-1),
    nextUnlabeled: () => {
      const { summaries } = listing.current;
      for (let k = 1; k <= ids.length; k++) {
        const id = ids[(Math.max(index, 0) + k) % ids.length]!;
        if (summaries.get(id)?.status === 'unlabeled') {
          go(id);
          return true;
        }
      }
      return false;
    },
  };
}
