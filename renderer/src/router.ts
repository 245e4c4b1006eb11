import { useEffect, useState } from 'react';

export type Route = { page: 'instances' } | { page: 'instance'; id: number } | { page: 'dataset'; id: number };

export function parseRoute(hash: string): Route {
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
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
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
