import { useClient } from './api/context';
import { DatasetPage } from './pages/DatasetPage';
import { InstancePage } from './pages/InstancePage';
import { InstancesPage } from './pages/InstancesPage';
import { LabelPage } from './pages/LabelPage';
import { useResource } from './hooks';
import { useRoute, type Route } from './router';

const STEPS = [
  { id: 'data', label: 'Data', enabled: true },
  { id: 'train', label: 'Train', enabled: false },
  { id: 'publish', label: 'Try & Publish', enabled: false },
] as const;

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
  }
}

export function App() {
  const client = useClient();
  const route = useRoute();
  const workspace = useResource(() => client.workspaceInfo(), [client], () => false);

  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          AutoLearn Studio
        </a>
        <div role="tablist" aria-label="AutoLearning steps" className="steps">
          {STEPS.map((step, index) => (
            <button
              key={step.id}
              type="button"
              role="tab"
              id={`step-${step.id}`}
              className="step"
              aria-selected={step.enabled}
              aria-controls="step-panel"
              aria-disabled={!step.enabled}
              tabIndex={step.enabled ? 0 : -1}
              title={step.enabled ? undefined : 'Arrives with training'}
            >
              <span className="step-number">{index + 1}</span>
              {step.label}
            </button>
          ))}
        </div>
        {workspace.data && (
          <span className="workspace" title={`Workspace: ${workspace.data.path} (v${workspace.data.appVersion})`}>
            {workspace.data.path}
          </span>
        )}
      </header>
      <main id="step-panel" role="tabpanel" aria-labelledby="step-data" className="app-main">
        <Page route={route} />
      </main>
    </div>
  );
}
