import { useCallback } from 'react';
import { useClient } from '../api/context';
import { Alert } from '../components/Alert';
import { Breadcrumbs } from '../components/Breadcrumbs';
import { useResource } from '../hooks';
import { href, navigate } from '../router';
import { BoxLabelPage } from './BoxLabelPage';
import { ClassificationLabelPage } from './ClassificationLabelPage';
import { TypeTag } from '../components/TypeTag';

/** How often counts refresh at most while labels are being saved in a burst. */
const COUNTS_REFRESH_MS = 250;

export function LabelPage({ id, imageId }: { id: number; imageId: number | null }) {
  const client = useClient();
  const dataset = useResource(
    () => client.getDataset(id),
    [client, id],
    (event) => (event.type === 'datasets-changed' && (event.datasetId === id || event.datasetId === null)) || (event.type === 'annotation-changed' && event.datasetId === id),
    { coalesceMs: COUNTS_REFRESH_MS },
  );
  const { reload } = dataset;

  const onImageChange = useCallback((next: number) => navigate({ page: 'label', id, imageId: next }, { replace: true }), [id]);
  const current = dataset.data;
  return (
    <div className="page page-label">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: current.instanceName, href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          { label: current?.name ?? '…', href: href({ page: 'dataset', id }) },
          { label: 'Label' },
        ]}
      />
      {dataset.error && <Alert error={dataset.error} action={{ label: 'Retry', onClick: reload }} />}
      {current && (
        <>
          <div className="page-head">
            <h1>
              Label {current.name} <TypeTag type={current.type} />
            </h1>
            <div className="page-actions">
              <a className="button" href={href({ page: 'dataset', id })}>
                Done
              </a>
            </div>
          </div>
          {current.type === 'classification' ? (
            <ClassificationLabelPage dataset={current} imageId={imageId} onImageChange={onImageChange} />
          ) : (
            <BoxLabelPage dataset={current} imageId={imageId} onImageChange={onImageChange} />
          )}
        </>
      )}
    </div>
  );
}
