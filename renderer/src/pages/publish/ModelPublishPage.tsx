// Publishing one model version (seed 004 步骤六): serve it locally behind the PAI-EAS API, and export
// the package that deploys it on EAS.
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { useResource } from '../../hooks';
import { href, navigate } from '../../router';
import { useInstance, useModels } from '../train/hooks';
import { MetricsTable } from '../train/MetricsTable';
import { EasExport, EasExportOutcome } from './EasExport';
import { useFollowedJob, useServices } from './hooks';
import { LocalService } from './LocalService';
import { VersionSelect } from './VersionSelect';

export function ModelPublishPage({ id }: { id: number }) {
  const client = useClient();
  const model = useResource(
    () => client.getModel(id),
    [client, id],
    (event) => event.type === 'models-changed',
  );
  const current = model.data;
  const instance = useInstance(current?.instanceId);
  const versions = useModels(current?.instanceId);
  const services = useServices();
  const exportJob = useFollowedJob(`export-eas:${id}`);

  const gone = model.error?.code === 'not_found';
  return (
    <div className="page">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: instance.data?.name ?? '…', href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          current ? { label: 'Try & Publish', href: href({ page: 'publish', instanceId: current.instanceId }) } : { label: 'Try & Publish' },
          { label: current ? `${current.name} (v${current.id})` : '…', href: href({ page: 'model', id }) },
          { label: 'Publish' },
        ]}
      />
      {gone ? <p className="empty">This model version does not exist (any more).</p> : model.error && <Alert error={model.error} action={{ label: 'Retry', onClick: model.reload }} />}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                Publish {current.name} <span className="tag">v{current.id}</span>
              </h1>
              <p className="muted">Serve the model on this machine behind the PAI-EAS API, or export the package that deploys it on PAI-EAS.</p>
            </div>
            <div className="page-actions">
              <VersionSelect
                label="Model version"
                value={id}
                versions={versions.data ?? [current]}
                onChange={(next) => next !== null && next !== id && navigate({ page: 'model-publish', id: next })}
              />
              <a className="button" href={href({ page: 'model-try', id })}>
                Try
              </a>
            </div>
          </div>
          <div className="publish-grid">
            <div className="publish-column">
              <LocalService model={current} services={services} />
              <section className="card publish-section" aria-label="Model information">
                <h2 className="section-heading">Model information</h2>
                <MetricsTable type={current.type} columns={[{ title: 'Value', metrics: current.metrics }]} />
              </section>
            </div>
            <div className="publish-column">
              <EasExport model={current} onStarted={exportJob.follow} running={exportJob.job?.state === 'running'} />
            </div>
          </div>
          {exportJob.job && <EasExportOutcome job={exportJob.job} onDismiss={exportJob.dismiss} />}
        </>
      )}
    </div>
  );
}
