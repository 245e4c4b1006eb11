import { useState, type KeyboardEvent } from 'react';
import type { WorkspaceInfo } from '../../main/shared/api';
import { useClient } from './api/context';
import { DatasetPage } from './pages/DatasetPage';
import { InstancePage } from './pages/InstancePage';
import { InstancesPage } from './pages/InstancesPage';
import { LabelPage } from './pages/LabelPage';
import { ModelPublishPage } from './pages/publish/ModelPublishPage';
import { PublishPage } from './pages/publish/PublishPage';
import { TryPage } from './pages/publish/TryPage';
import { ComparePage } from './pages/train/ComparePage';
import { ModelPage } from './pages/train/ModelPage';
import { NewTaskPage } from './pages/train/NewTaskPage';
import { RunPage } from './pages/train/RunPage';
import { TrainPage } from './pages/train/TrainPage';
import { useResource } from './hooks';
import { href, navigate, stepOf, useRoute, type Route, type Step } from './router';

const STEPS: ReadonlyArray<{ id: Step; label: string; to: (instanceId: number) => Route }> = [
  { id: 'data', label: 'Data', to: (id) => ({ page: 'instance', id }) },
  { id: 'train', label: 'Train', to: (instanceId) => ({ page: 'train', instanceId }) },
  { id: 'publish', label: 'Try & Publish', to: (instanceId) => ({ page: 'publish', instanceId }) },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'instances':
      return <InstancesPage />;
    case 'instance':
      return <InstancePage key={route.id} id={route.id} />;
    case 'dataset':
      return <DatasetPage key={route.id} id={route.id} />;
    case 'label':
      return <LabelPage key={route.id} id={route.id} imageId={route.imageId} />;
    case 'train':
      return <TrainPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'new-task':
      return <NewTaskPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'model':
      return <ModelPage key={route.id} id={route.id} />;
    case 'compare':
      return <ComparePage key={`${route.a}-${route.b}`} a={route.a} b={route.b} />;
    case 'publish':
      return <PublishPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'model-try':
      // Not keyed by the model: switching versions keeps the image being tried.
      return <TryPage id={route.id} />;
    case 'model-publish':
      return <ModelPublishPage key={route.id} id={route.id} />;
  }
}

/** What the instance lookup depends on: a label page keeps its key while stepping through images. */
function instanceKey(route: Route): string {
  switch (route.page) {
    case 'label':
      return `dataset:${route.id}`;
    case 'compare':
      return `model:${route.a}`;
    case 'model-try':
    case 'model-publish':
      return `model:${route.id}`;
    default:
      return JSON.stringify(route);
  }
}

/** The instance the current page belongs to, which the step tabs switch between; null on the instance list. */
function useRouteInstance(route: Route): number | null {
  const client = useClient();
  const key = instanceKey(route);
  const resource = useResource(
    async (): Promise<number | null> => {
      switch (route.page) {
        case 'instances':
          return null;
        case 'instance':
          return route.id;
        case 'train':
        case 'new-task':
        case 'publish':
          return route.instanceId;
        case 'dataset':
        case 'label':
          return (await client.getDataset(route.id)).instanceId;
        case 'run':
          return (await client.getRun(route.id)).instanceId;
        case 'model':
        case 'model-try':
        case 'model-publish':
          return (await client.getModel(route.id)).instanceId;
        case 'compare':
          return (await client.getModel(route.a)).instanceId;
      }
    },
    [client, key],
    () => false,
  );
  return route.page === 'instances' || resource.error ? null : (resource.data ?? null);
}

/** Arrow keys move between the usable step tabs (the tab pattern: one tab stop, arrows inside). */
function moveBetweenTabs(event: KeyboardEvent<HTMLDivElement>): void {
  if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
  const tabs = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]:not([aria-disabled="true"])')];
  const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
  const next = tabs[(at + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
  if (!next) return;
  event.preventDefault();
  next.focus();
}

/** After a crash: which training tasks were cut short, and that their best checkpoints were kept. */
function RecoveredBanner({ runs }: { runs: WorkspaceInfo['recovered'] }) {
  const [open, setOpen] = useState(true);
  if (!open) return null;
  return (
    <div className="recovered-banner" role="status">
      <span>
        The app stopped while {runs.length === 1 ? 'a training task was' : `${runs.length} training tasks were`} running; marked failed, best checkpoint kept:{' '}
        {runs.map((r, i) => (
          <span key={r.runId}>
            {i > 0 && ', '}
            <a href={href({ page: 'run', id: r.runId })}>{r.name}</a>
            {r.modelId !== null ? (
              <>
                {' '}
                (<a href={href({ page: 'model', id: r.modelId })}>model version {r.modelId}</a>)
              </>
            ) : (
              ' (no epoch had finished: no model)'
            )}
          </span>
        ))}
      </span>
      <button type="button" className="button button-small" onClick={() => setOpen(false)}>
        Dismiss
      </button>
    </div>
  );
}

export function App() {
  const client = useClient();
  const route = useRoute();
  const step = stepOf(route);
  const instanceId = useRouteInstance(route);
  const workspace = useResource(() => client.workspaceInfo(), [client], () => false);

  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          AutoLearn Studio
        </a>
        <div role="tablist" aria-label="AutoLearning steps" className="steps" onKeyDown={moveBetweenTabs}>
          {STEPS.map((tab, index) => {
            const target = instanceId !== null ? tab.to(instanceId) : null;
            const selected = tab.id === step;
            // Data stays reachable from the instance list (it is the list's own step).
            const usable = target !== null || selected;
            const why = usable ? undefined : 'Open an instance first';
            return (
              <button
                key={tab.id}
                type="button"
                role="tab"
                id={`step-${tab.id}`}
                className="step"
                aria-selected={selected}
                aria-controls="step-panel"
                aria-disabled={!usable}
                tabIndex={selected ? 0 : -1}
                title={why}
                onClick={() => target && !(selected && route.page === target.page) && navigate(target)}
              >
                <span className="step-number">{index + 1}</span>
                {tab.label}
              </button>
            );
          })}
        </div>
        {workspace.data && (
          <span className="workspace" title={`Workspace: ${workspace.data.path} (v${workspace.data.appVersion})`}>
            {workspace.data.path}
          </span>
        )}
      </header>
      <main id="step-panel" role="tabpanel" aria-labelledby={`step-${step}`} className="app-main">
        {workspace.data && workspace.data.recovered.length > 0 && <RecoveredBanner runs={workspace.data.recovered} />}
        <Page route={route} />
      </main>
    </div>
  );
}
