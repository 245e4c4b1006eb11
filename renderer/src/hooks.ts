import { useCallback, useEffect, useRef, useState, type DependencyList, type RefObject } from 'react';
import type { StudioError, StudioEvent } from '../../main/shared/api';
import { useClient } from './api/context';
import { toStudioError } from './api/errors';

/** Subscribes for the component's lifetime; the listener may change between renders. */
export function useStudioEvents(listener: (event: StudioEvent) => void): void {
  const client = useClient();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => client.subscribe((event) => latest.current(event)), [client]);
}

export interface Resource<T> {
  data: T | undefined;
  error: StudioError | undefined;
  reload: () => void;
}

/**
 * Loads on mount and whenever `deps` change or an event matching `refreshOn` arrives. With
 * `coalesceMs`, a burst of events (one per saved label while someone labels by keyboard) costs one
 * reload at its start plus one at its end rather than one per event.
 */
export function useResource<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  refreshOn: (event: StudioEvent) => boolean,
  options: { coalesceMs?: number } = {},
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<StudioError>();
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
      },
      (failure: unknown) => {
        if (live) setError(toStudioError(failure));
      },
    );
    return () => {
      live = false;
    };
    // `load` is a new closure every render; the caller's deps say when it really changes.
  }, [...deps, generation]);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const missed = useRef(false);
  const { coalesceMs } = options;
  useStudioEvents((event) => {
    if (!refreshOn(event)) return;
    if (coalesceMs === undefined) return reload();
    if (timer.current !== null) {
      missed.current = true;
      return;
    }
    reload();
    const settle = () => {
      timer.current = missed.current ? setTimeout(settle, coalesceMs) : null;
      if (missed.current) reload();
      missed.current = false;
    };
    timer.current = setTimeout(settle, coalesceMs);
  });
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  return { data, error, reload };
}

/** Runs an async action with busy/error state, for forms and buttons. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<StudioError | null>(null);
  const run = async (...args: A): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action(...args);
      return true;
    } catch (failure) {
      setError(toStudioError(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const reset = useCallback(() => setError(null), []);
  return { run, busy, error, reset };
}

/** A small preference that survives reloads. */
export function useStoredNumber(key: string, fallback: number, allowed: readonly number[]): [number, (value: number) => void] {
  const [value, setValue] = useState(() => {
    const stored = Number(localStorage.getItem(key));
    return allowed.includes(stored) ? stored : fallback;
  });
  const set = useCallback(
    (next: number) => {
      localStorage.setItem(key, String(next));
      setValue(next);
    },
    [key],
  );
  return [value, set];
}

/** The content-box width of an element, following resizes. */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
