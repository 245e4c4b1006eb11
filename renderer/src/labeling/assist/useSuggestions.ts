// The model's pending suggestions for the images on screen, and how many the dataset has.
//
//   const suggestions = useSuggestions(dataset.id, page.ids);  // Map imageId → Suggestion
//   suggestions.get(id)?.label                                  // classification: the suggested label
//   const pending = usePendingSuggestions(dataset.id);          // { total, modelName } | undefined
//
// Both follow 'suggestions-changed' events (a pre-label run storing a batch, an accept, a reject) and,
// since a classification suggestion retires once its image has a label, annotation changes.
import { useEffect, useReducer, useRef, useState } from 'react';
import type { Suggestion } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { useResource, useStudioEvents } from '../../hooks';

const REFRESH_MS = 250;

export function useSuggestions(datasetId: number, imageIds: readonly number[]): ReadonlyMap<number, Suggestion> {
  const client = useClient();
  const [byImage, setByImage] = useState<ReadonlyMap<number, Suggestion>>(new Map());
  const [generation, reload] = useReducer((n: number) => n + 1, 0);
  const key = imageIds.join(',');
  const visible = useRef(imageIds);
  visible.current = imageIds;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const ids = visible.current;
    if (ids.length === 0) {
      setByImage(new Map());
      return;
    }
    let live = true;
    client.listSuggestions({ datasetId, imageIds: [...ids], limit: Math.max(1, ids.length) }).then(
      (page) => {
        if (live) setByImage(new Map(page.items.map((s) => [s.imageId, s])));
      },
      () => {
        // Suggestions are a help: without them the page labels as usual.
      },
    );
    return () => {
      live = false;
    };
  }, [client, datasetId, key, generation]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  useStudioEvents((event) => {
    const concerns =
      (event.type === 'suggestions-changed' && event.datasetId === datasetId && (event.imageIds === null || event.imageIds.some((id) => visible.current.includes(id)))) ||
      (event.type === 'annotation-changed' && event.datasetId === datasetId && visible.current.includes(event.imageId));
    // A burst (a run storing batches, keyboard labeling) costs one reload.
    if (concerns && timer.current === null) {
      timer.current = setTimeout(() => {
        timer.current = null;
        reload();
      }, REFRESH_MS / 5);
    }
  });

  return byImage;
}

export interface PendingSuggestions {
  total: number;
  /** The model of the most uncertain one (a run's suggestions share it). */
  modelName: string | null;
}

export function usePendingSuggestions(datasetId: number): PendingSuggestions | undefined {
  const client = useClient();
  const { data } = useResource(
    () => client.listSuggestions({ datasetId, limit: 1 }).then((page) => ({ total: page.total, modelName: page.items[0]?.modelName ?? null })),
    [client, datasetId],
    (event) => (event.type === 'suggestions-changed' || event.type === 'annotation-changed') && event.datasetId === datasetId,
    { coalesceMs: REFRESH_MS },
  );
  return data;
}

/** "92 %" for a confidence of 0.92. */
export function percent(conf: number): string {
  return `${Math.round(conf * 100)}%`;
}
