import { useEffect, useState } from 'react';

export type Route =
  | { page: 'instances' }
  | { page: 'instance'; id: number }
  | { page: 'dataset'; id: number }
  /** The labeling workspace; the image id keeps a reload on the same image. */
  | { page: 'label'; id: number; imageId: number | null };

export function parseRoute(hash: string): Route {
  const label = /^#\/datasets\/(\d+)\/label(?:\/(\d+))?$/.exec(hash);
  if (label) return { page: 'label', id: Number(label[1]), imageId: label[2] ? Number(label[2]) : null };
  const match = /^#\/(instances|datasets)\/(\d+)$/.exec(hash);
  if (!match) return { page: 'instances' };
  const id = Number(match[2]);
  return match[1] === 'instances' ? { page: 'instance', id } : { page: 'dataset', id };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'instances':
      return '#/';
    case 'instance':
      return `#/instances/${route.id}`;
    case 'dataset':
      return `#/datasets/${route.id}`;
    case 'label':
      return route.imageId === null ? `#/datasets/${route.id}/label` : `#/datasets/${route.id}/label/${route.imageId}`;
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  // Stepping through images replaces the entry: Back leaves the workspace rather than replaying it.
  if (options.replace) {
    history.replaceState(history.state, '', href(route));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href(route);
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
