// The Try & Publish step of an instance (the seed's 体验及发布): its model versions, each to try on an
// image or to publish (local service, EAS package), with the local services that run.
import type { Instance, ModelVersion, ServiceInfo } from '../../../../main/shared/api';
import { InstanceFrame } from '../../components/InstanceFrame';
import { MessageRow } from '../../components/MessageRow';
import { formatDate } from '../../format';
import { href } from '../../router';
import { useInstance, useModels } from '../train/hooks';
import { MODEL_SIZE, formatMetric, primaryMetric, readMetric } from '../train/metrics';
import { ALGORITHM_NAMES } from '../train/runText';
import { useServices } from './hooks';

function ServiceCell({ running }: { running: ServiceInfo[] }) {
  if (running.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {running.map((service) => (
        <div key={service.name} className="nowrap">
          <span className="tag tag-good">Running</span> <code className="path">{service.url}</code>
        </div>
      ))}
    </>
  );
}

function VersionTable({ instance, models, services }: { instance: Instance; models: ModelVersion[] | undefined; services: ServiceInfo[] }) {
  const metric = primaryMetric(instance.type);
  return (
    <table className="table" aria-label="Model versions">
      <thead>
        <tr>
          <th scope="col">Model version</th>
          <th scope="col">Created</th>
          <th scope="col">Algorithm</th>
          <th scope="col" className="num">
            {metric.label}
          </th>
          <th scope="col" className="num">
            model_size
          </th>
          <th scope="col">Local service</th>
          <th scope="col" className="actions">
            Actions
          </th>
        </tr>
      </thead>
      <tbody>
        {models?.map((model) => (
          <tr key={model.id}>
            <td>
              <a className="strong-link" href={href({ page: 'model', id: model.id })}>
                {model.name}
              </a>{' '}
              <span className="muted small">v{model.id}</span>
              {model.fromCheckpoint && (
                <span className="tag tag-warn" title="Saved from a run that failed or was cut short: the best checkpoint before it ended">
                  checkpoint
                </span>
              )}
            </td>
            <td className="nowrap">{formatDate(model.createdAt)}</td>
            <td>{ALGORITHM_NAMES[model.algorithm]}</td>
            <td className="num">{formatMetric(metric, readMetric(model.metrics, metric))}</td>
            <td className="num nowrap">{formatMetric(MODEL_SIZE, model.sizeBytes)}</td>
            <td>
              <ServiceCell running={services.filter((service) => service.modelId === model.id)} />
            </td>
            <td className="actions">
              <a className="button button-small" href={href({ page: 'model-try', id: model.id })} aria-label={`Try ${model.name} v${model.id}`}>
                Try
              </a>
              <a className="button button-small" href={href({ page: 'model-publish', id: model.id })} aria-label={`Publish ${model.name} v${model.id}`}>
                Publish
              </a>
            </td>
          </tr>
        ))}
        {!models && <MessageRow columns={7}>Loading…</MessageRow>}
        {models?.length === 0 && (
          <MessageRow columns={7}>
            No model versions yet: <a href={href({ page: 'train', instanceId: instance.id })}>train one</a> in the Train step.
          </MessageRow>
        )}
      </tbody>
    </table>
  );
}

export function PublishPage({ instanceId }: { instanceId: number }) {
  const instance = useInstance(instanceId);
  const models = useModels(instanceId);
  const services = useServices();
  return (
    <InstanceFrame
      instance={instance}
      step="Try & Publish"
      resources={[models]}
      description={() => 'Try a model version on your own images, serve it on this machine behind the PAI-EAS API, or export it for PAI-EAS.'}
    >
      {(current) => <VersionTable instance={current} models={models.data} services={services.data ?? []} />}
    </InstanceFrame>
  );
}
