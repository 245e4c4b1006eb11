import { useEffect, useState } from 'react';

export type Route =
  | { page: 'instances' }
  | { page: 'instance'; id: number }
  | { page: 'dataset'; id: number }
  /** The labeling workspace; the image id keeps a reload on the same image. */
  | { page: 'label'; id: number; imageId: number | null }
  /** The Train step of an instance: its training tasks and model versions. */
  | { page: 'train'; instanceId: number }
  | { page: 'new-task'; instanceId: number }
  /** A training task's detail page (the seed's 训练详情). */
  | { page: 'run'; id: number }
  | { page: 'model'; id: number }
  /** Two model versions side by side. */
  | { page: 'compare'; a: number; b: number }
  /** The Try & Publish step of an instance: its model versions, each to try or publish. */
  | { page: 'publish'; instanceId: number }
  /** Runs a model version on a local image (the seed's 体验); `compare` puts a second version beside it. */
  | { page: 'model-try'; id: number }
  /** A model version's local EAS service and its EAS export package. */
  | { page: 'model-publish'; id: number };

/** Which of AutoLearning's three steps a page belongs to. */
export type Step = 'data' | 'train' | 'publish';

export function stepOf(route: Route): Step {
  switch (route.page) {
    case 'instances':
    case 'instance':
    case 'dataset':
    case 'label':
      return 'data';
    case 'train':
    case 'new-task':
    case 'run':
    case 'model':
    case 'compare':
      return 'train';
    case 'publish':
    case 'model-try':
    case 'model-publish':
      return 'publish';
  }
}

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => Route]> = [
  [/^#\/datasets\/(\d+)\/label(?:\/(\d+))?$/, (m) => ({ page: 'label', id: Number(m[1]), imageId: m[2] ? Number(m[2]) : null })],
  [/^#\/instances\/(\d+)$/, (m) => ({ page: 'instance', id: Number(m[1]) })],
  [/^#\/datasets\/(\d+)$/, (m) => ({ page: 'dataset', id: Number(m[1]) })],
  [/^#\/instances\/(\d+)\/train$/, (m) => ({ page: 'train', instanceId: Number(m[1]) })],
  [/^#\/instances\/(\d+)\/train\/new$/, (m) => ({ page: 'new-task', instanceId: Number(m[1]) })],
  [/^#\/runs\/(\d+)$/, (m) => ({ page: 'run', id: Number(m[1]) })],
  [/^#\/models\/(\d+)$/, (m) => ({ page: 'model', id: Number(m[1]) })],
  [/^#\/models\/(\d+)\/compare\/(\d+)$/, (m) => ({ page: 'compare', a: Number(m[1]), b: Number(m[2]) })],
  [/^#\/models\/(\d+)\/try$/, (m) => ({ page: 'model-try', id: Number(m[1]) })],
  [/^#\/instances\/(\d+)\/publish$/, (m) => ({ page: 'publish', instanceId: Number(m[1]) })],
  [/^#\/models\/(\d+)\/publish$/, (m) => ({ page: 'model-publish', id: Number(m[1]) })],
];

export function parseRoute(hash: string): Route {
  for (const [pattern, toRoute] of PATTERNS) {
    const match = pattern.exec(hash);
    if (match) return toRoute(match);
  }
  return { page: 'instances' };
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
    case 'train':
      return `#/instances/${route.instanceId}/train`;
    case 'new-task':
      return `#/instances/${route.instanceId}/train/new`;
    case 'run':
      return `#/runs/${route.id}`;
    case 'model':
      return `#/models/${route.id}`;
    case 'compare':
      return `#/models/${route.a}/compare/${route.b}`;
    case 'model-try':
      return `#/models/${route.id}/try`;
    case 'publish':
      return `#/instances/${route.instanceId}/publish`;
    case 'model-publish':
      return `#/models/${route.id}/publish`;
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
