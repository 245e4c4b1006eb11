import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ImageFilter, ImageSummary, StudioError } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';

const PAGE_SIZE = 120;

interface Cache {
  key: string;
  pages: Map<number, ImageSummary[]>;
  pending: Set<number>;
  total: number | null;
  error: StudioError | null;
}

export interface ImagePages {
  /** Null until the first page arrives. */
  total: number | null;
  error: StudioError | null;
  /** The image at `index`, or undefined while its page is loading. */
  at: (index: number) => ImageSummary | undefined;
  /** Fetches the pages covering [first, last] that are neither loaded nor loading. */
  ensure: (first: number, last: number) => void;
  retry: () => void;
}

/** Pages of listImages fetched on demand and kept until the query (or `version`) changes. */
export function useImagePages(datasetId: number, filter: ImageFilter, version: string, label?: string): ImagePages {
  const client = useClient();
  const [attempt, retry] = useReducer((n: number) => n + 1, 0);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const key = `${datasetId}|${filter}|${label ?? ''}|${version}|${attempt}`;
  const cache = useRef<Cache | null>(null);
  if (cache.current?.key !== key) {
    cache.current = { key, pages: new Map(), pending: new Set(), total: null, error: null };
  }
  const current = cache.current;

  const ensure = useCallback(
    (first: number, last: number) => {
      if (current.error) return;
      const end = current.total === null ? first : Math.min(last, current.total - 1);
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(end / PAGE_SIZE); page++) {
        if (current.pages.has(page) || current.pending.has(page)) continue;
        current.pending.add(page);
        client.listImages({ datasetId, filter, label, offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then(
          (result) => {
            current.pages.set(page, result.items);
            current.total = result.total;
            current.pending.delete(page);
            if (cache.current === current) rerender();
          },
          (error: unknown) => {
            current.error = toStudioError(error);
            current.pending.delete(page);
            if (cache.current === current) rerender();
          },
        );
      }
    },
    [client, current, datasetId, filter, label],
  );

  useEffect(() => ensure(0, 0), [ensure]);

  return {
    total: current.total,
    error: current.error,
    at: (index) => current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    ensure,
    retry,
  };
}
