import { useState } from 'react';
import type { Dataset, Instance, JobInfo } from '../../../main/shared/api';
import { nameProblem } from '../../../main/shared/names';
import { useClient } from '../api/context';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { Field, NameField, fieldError } from '../components/Field';
import { InstanceFrame } from '../components/InstanceFrame';
import { ProgressBar } from '../components/JobProgress';
import { PathField } from '../components/PathField';
import { MessageRow } from '../components/MessageRow';
import { JOB_KINDS, formatCount, formatDate } from '../format';
import { useAction, useResource } from '../hooks';
import { useLatestJobs, useTrackJob } from '../jobs';
import { href, navigate } from '../router';
import { useInstance } from './train/hooks';

function NewDatasetDialog({ instance, onClose }: { instance: Instance; onClose: () => void }) {
  const client = useClient();
  const track = useTrackJob();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [path, setPath] = useState('');
  const create = useAction(async () => {
    const { dataset, job } = await client.createDataset({ instanceId: instance.id, name, description, path: path.trim() });
    track(job);
    navigate({ page: 'dataset', id: dataset.id });
  });
  const layout =
    instance.type === 'classification'
      ? 'One sub-folder per label (folder name = label); images directly in the folder count as unlabeled.'
      : 'Images with a PASCAL VOC .xml of the same name beside each; images without one count as unlabeled.';

  return (
    <Dialog
      title="New dataset"
      submitLabel="Create and index"
      onClose={onClose}
      onSubmit={() => void create.run()}
      busy={create.busy}
      canSubmit={nameProblem(name) === null && path.trim() !== ''}
      error={create.error}
      fields={['name', 'description', 'path']}
      onEdit={create.reset}
    >
      <NameField label="Dataset name" value={name} onChange={setName} serverError={fieldError(create.error, 'name')} />
      <Field label="Description" hint="Optional." error={fieldError(create.error, 'description')}>
        {({ id, describedBy }) => (
          <textarea id={id} className="input" rows={2} value={description} onChange={(event) => setDescription(event.target.value)} aria-describedby={describedBy} />
        )}
      </Field>
      <PathField
        label="Image folder"
        hint={`${layout} Images are indexed in place, never copied.`}
        error={fieldError(create.error, 'path')}
        value={path}
        onChange={(value) => {
          setPath(value);
          create.reset();
        }}
        placeholder="/absolute/path/to/images"
      />
    </Dialog>
  );
}

function DatasetStatus({ dataset, job }: { dataset: Dataset; job: JobInfo | undefined }) {
  if (job?.state === 'running') return <ProgressBar job={job} compact />;
  if (job?.state === 'failed') return <span className="tag tag-bad">{JOB_KINDS[job.kind].name} failed</span>;
  if (job?.state === 'cancelled') return <span className="tag tag-warn">{JOB_KINDS[job.kind].name} cancelled</span>;
  return dataset.indexedAt ? <span className="muted nowrap">Indexed {formatDate(dataset.indexedAt)}</span> : <span className="muted">Not indexed</span>;
}

export function InstancePage({ id }: { id: number }) {
  const client = useClient();
  const latestJobs = useLatestJobs();
  const instance = useInstance(id);
  const datasets = useResource(() => client.listDatasets(id), [client, id], (event) => event.type === 'datasets-changed');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Dataset | null>(null);

  return (
    <InstanceFrame
      instance={instance}
      resources={[datasets]}
      description={(current) => current.description || `Created ${formatDate(current.createdAt)}`}
      actions={
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          New dataset
        </button>
      }
    >
      {(current) => {
        const hasBoxes = current.type !== 'classification';
        const columns = hasBoxes ? 9 : 8;
        return (
          <>
            <h2 className="section-heading">Datasets</h2>
            <table className="table" aria-label="Datasets">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Images</th>
                  <th className="num">Labeled</th>
                  <th className="num">Unlabeled</th>
                  <th className="num">Invalid</th>
                  {hasBoxes && <th className="num">Boxes</th>}
                  <th>Folder</th>
                  <th>Status</th>
                  <th className="actions">Actions</th>
                </tr>
              </thead>
              <tbody>
                {datasets.data?.map((dataset) => (
                  <tr key={dataset.id}>
                    <td>
                      <a className="strong-link" href={href({ page: 'dataset', id: dataset.id })}>
                        {dataset.name}
                      </a>
                      {dataset.description && <div className="muted small">{dataset.description}</div>}
                    </td>
                    <td className="num">{formatCount(dataset.stats.images)}</td>
                    <td className="num">{formatCount(dataset.stats.labeled)}</td>
                    <td className="num">{formatCount(dataset.stats.unlabeled)}</td>
                    <td className="num">{formatCount(dataset.stats.invalid.length)}</td>
                    {hasBoxes && <td className="num">{formatCount(dataset.stats.boxes)}</td>}
                    <td className="path-cell">
                      <code className="path" title={dataset.path}>
                        <span>{dataset.path}</span>
                      </code>
                    </td>
                    <td className="status-cell">
                      <DatasetStatus dataset={dataset} job={latestJobs.get(dataset.id)} />
                    </td>
                    <td className="actions">
                      <a className="button button-small" href={href({ page: 'dataset', id: dataset.id })}>
                        Open
                      </a>
                      <button type="button" className="button button-small button-quiet-danger" onClick={() => setDeleting(dataset)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
                {!datasets.data && !datasets.error && <MessageRow columns={columns}>Loading…</MessageRow>}
                {datasets.data?.length === 0 && <MessageRow columns={columns}>No datasets yet. Add a folder of images with “New dataset”.</MessageRow>}
              </tbody>
            </table>
            {creating && <NewDatasetDialog instance={current} onClose={() => setCreating(false)} />}
            {deleting && (
              <ConfirmDialog
                title={`Delete dataset “${deleting.name}”?`}
                confirmLabel="Delete"
                onConfirm={() => client.deleteDataset(deleting.id)}
                onClose={() => setDeleting(null)}
              >
                <p>
                  This deletes the index of its {formatCount(deleting.stats.images)} images. The folder{' '}
                  <code className="path">{deleting.path}</code> is not touched.
                </p>
              </ConfirmDialog>
            )}
          </>
        );
      }}
    </InstanceFrame>
  );
}
