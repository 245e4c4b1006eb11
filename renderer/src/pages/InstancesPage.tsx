import { useState } from 'react';
import { INSTANCE_TYPES, type Instance, type InstanceType } from '../../../main/shared/api';
import { nameProblem } from '../../../main/shared/names';
import { useClient } from '../api/context';
import { Alert } from '../components/Alert';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { Field, NameField, fieldError } from '../components/Field';
import { MessageRow } from '../components/MessageRow';
import { TYPE_LABELS, formatCount, formatDate, plural } from '../format';
import { useAction, useResource } from '../hooks';
import { useTrackJob } from '../jobs';
import { href, navigate } from '../router';
import { TypeTag } from '../components/TypeTag';

const TEMPLATE_DATA: Record<InstanceType, string> = {
  classification: '54 pictures of circles, squares and triangles, 6 of them left to label',
  detection: '40 scenes of circles and squares with their boxes, 4 left to label',
  ocr: '24 bank cards with their text lines boxed and transcribed',
};

const TYPE_HINTS: Record<InstanceType, string> = {
  classification: 'One label per image, taken from sub-folder names.',
  detection: 'Boxes around objects, PASCAL VOC XML beside each image.',
  ocr: 'Text boxes with their transcription.',
};

function CreateInstanceDialog({ onClose }: { onClose: () => void }) {
  const client = useClient();
  const [type, setType] = useState<InstanceType>('classification');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [template, setTemplate] = useState(false);
  const track = useTrackJob();
  const create = useAction(async () => {
    if (template) {
      const { instance, job } = await client.createFromTemplate({ type, name, description });
      track(job);
      navigate({ page: 'instance', id: instance.id });
    } else {
      const instance = await client.createInstance({ type, name, description });
      navigate({ page: 'instance', id: instance.id });
    }
  });

  return (
    <Dialog
      title="Create instance"
      submitLabel="Create"
      onClose={onClose}
      onSubmit={() => void create.run()}
      busy={create.busy}
      canSubmit={nameProblem(name) === null}
      error={create.error}
      fields={['name', 'description']}
      onEdit={create.reset}
    >
      <fieldset className="type-choice">
        <legend className="field-label">Instance type</legend>
        {INSTANCE_TYPES.map((value) => (
          <label key={value} className="type-option">
            <input type="radio" name="instance-type" value={value} checked={type === value} onChange={() => setType(value)} />
            <span>
              <strong>{TYPE_LABELS[value]}</strong>
              <span className="muted">{TYPE_HINTS[value]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="checkbox-row">
        <input type="checkbox" checked={template} onChange={(event) => setTemplate(event.target.checked)} />
        <span>
          Create from template <span className="muted">— demo data to try every step at once: {TEMPLATE_DATA[type]}</span>
        </span>
      </label>
      <NameField label="Instance name" value={name} onChange={setName} serverError={fieldError(create.error, 'name')} />
      <Field label="Description" hint="Optional; helps tell instances apart." error={fieldError(create.error, 'description')}>
        {({ id, describedBy }) => (
          <textarea id={id} className="input" rows={3} value={description} onChange={(event) => setDescription(event.target.value)} aria-describedby={describedBy} />
        )}
      </Field>
    </Dialog>
  );
}

export function InstancesPage() {
  const client = useClient();
  const instances = useResource(() => client.listInstances(), [client], (event) => event.type === 'instances-changed' || event.type === 'datasets-changed');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Instance | null>(null);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Instances</h1>
          <p className="muted">An instance holds the datasets, training tasks and models of one vision problem.</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          Create instance
        </button>
      </div>
      {instances.error && <Alert error={instances.error} action={{ label: 'Retry', onClick: instances.reload }} />}
      <table className="table" aria-label="Instances">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Description</th>
            <th className="num">Datasets</th>
            <th>Created</th>
            <th className="actions">Actions</th>
          </tr>
        </thead>
        <tbody>
          {instances.data?.map((instance) => (
            <tr key={instance.id}>
              <td>
                <a className="strong-link" href={href({ page: 'instance', id: instance.id })}>
                  {instance.name}
                </a>
              </td>
              <td>
                <TypeTag type={instance.type} />
              </td>
              <td className="description">{instance.description || <span className="muted">—</span>}</td>
              <td className="num">{formatCount(instance.datasetCount)}</td>
              <td className="nowrap">{formatDate(instance.createdAt)}</td>
              <td className="actions">
                <a className="button button-small" href={href({ page: 'instance', id: instance.id })}>
                  Open
                </a>
                <button type="button" className="button button-small button-quiet-danger" onClick={() => setDeleting(instance)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          {!instances.data && !instances.error && <MessageRow columns={6}>Loading…</MessageRow>}
          {instances.data?.length === 0 && (
            <MessageRow columns={6}>No instances yet. Create one, then add a folder of images as its first dataset.</MessageRow>
          )}
        </tbody>
      </table>
      {creating && <CreateInstanceDialog onClose={() => setCreating(false)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete instance “${deleting.name}”?`}
          confirmLabel="Delete"
          onConfirm={() => client.deleteInstance(deleting.id)}
          onClose={() => setDeleting(null)}
        >
          <p>
            This deletes the instance and the index of its {plural(deleting.datasetCount, 'dataset')}. The image folders on disk are not
            touched.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
