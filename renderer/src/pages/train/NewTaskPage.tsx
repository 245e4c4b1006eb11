import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { MAX_MINUTES_RANGE, type Algorithm, type Dataset, type DeviceChoice, type Instance, type TrainInput, type TrainingRun } from '../../../../main/shared/api';
import { nameProblem } from '../../../../main/shared/names';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { Field, NameField, fieldError } from '../../components/Field';
import { useAction, useResource } from '../../hooks';
import { useTrackJob } from '../../jobs';
import { href, navigate } from '../../router';
import { BackboneField, DEFAULT_BACKBONE, IMPORT_BACKBONE, backboneInput, type BackboneChoice } from './BackboneField';
import { useInstance, useModels, useRuns } from './hooks';
import { AlgorithmChoice, DeviceChoiceField, IncrementalField, LabelChecklist, MIN_IMAGES_PER_LABEL, MaxMinutesSlider, minLabels } from './TaskFields';
import { TypeTag } from '../../components/TypeTag';

/** Fields the server may name in its errors; the form shows those under their controls. */
const FORM_FIELDS = ['name', 'description', 'datasetId', 'labels', 'algorithm', 'maxMinutes', 'baseModelId', 'backbone', 'device', 'seed'];

/** "<dataset>-<n>" with the first n no task of the instance uses: the server's default, shown up front. */
function suggestedName(dataset: Dataset | undefined, runs: readonly TrainingRun[]): string {
  if (!dataset) return '';
  const taken = new Set(runs.map((run) => run.name));
  for (let n = 1; ; n++) {
    const name = `${dataset.name}-${n}`;
    if (!taken.has(name)) return nameProblem(name) === null ? name : '';
  }
}

function eligibleLabels(dataset: Dataset | undefined): string[] {
  if (!dataset) return [];
  return Object.entries(dataset.stats.labels)
    .filter(([, count]) => dataset.type !== 'classification' || count >= MIN_IMAGES_PER_LABEL)
    .map(([label]) => label)
    .sort((a, b) => a.localeCompare(b));
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card form-section" aria-label={title}>
      <h2 className="section-heading">{title}</h2>
      {children}
    </section>
  );
}

function TaskForm({ instance }: { instance: Instance }) {
  const client = useClient();
  const track = useTrackJob();
  const datasets = useResource(() => client.listDatasets(instance.id), [client, instance.id], (event) => event.type === 'datasets-changed');
  const runs = useRuns(instance.id);
  const models = useModels(instance.id);

  const [name, setName] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [datasetId, setDatasetId] = useState<number | null>(null);
  const [labels, setLabels] = useState<string[] | null>(null);
  const [algorithm, setAlgorithm] = useState<Algorithm>('fast');
  const [device, setDevice] = useState<DeviceChoice>('auto');
  const [maxMinutes, setMaxMinutes] = useState<number>(MAX_MINUTES_RANGE.default);
  const [baseModelId, setBaseModelId] = useState<number | null>(null);
  const [backbone, setBackbone] = useState<BackboneChoice>({ selected: DEFAULT_BACKBONE, importPath: '' });
  const [hpo, setHpo] = useState(true);
  const [seed, setSeed] = useState('1');

  // The first dataset until the user picks one; choices follow the dataset until the user edits them.
  const dataset = datasets.data?.find((d) => d.id === datasetId) ?? datasets.data?.[0];
  const chosenLabels = labels ?? eligibleLabels(dataset);
  const taskName = name ?? suggestedName(dataset, runs.data ?? []);
  const lastBackend = useMemo(() => runs.data?.find((run) => run.backend !== null)?.backend ?? null, [runs.data]);

  const start = useAction(async () => {
    if (!dataset) return;
    const input: TrainInput = {
      datasetId: dataset.id,
      algorithm,
      maxMinutes,
      device,
      hpo,
      ...(taskName !== '' && { name: taskName }),
      ...(description.trim() !== '' && { description: description.trim() }),
      ...(instance.type !== 'ocr' && { labels: chosenLabels }),
      ...(baseModelId !== null && { baseModelId }),
    };
    const backboneRef = baseModelId === null ? backboneInput(backbone) : undefined;
    if (backboneRef !== undefined) input.backbone = backboneRef;
    if (seed.trim() !== '') input.seed = Number(seed);
    const { run, job } = await client.startTraining(input);
    track(job);
    navigate({ page: 'run', id: run.id });
  });
  const { reset } = start;
  // Any edit makes the last server complaint stale.
  useEffect(reset, [reset, taskName, description, dataset?.id, chosenLabels.length, algorithm, device, maxMinutes, baseModelId, backbone, hpo, seed]);

  const namePending = taskName !== '' && nameProblem(taskName) !== null;
  const seedBad = seed.trim() !== '' && !/^\d+$/.test(seed.trim());
  const labelsBad = instance.type !== 'ocr' && chosenLabels.length < minLabels(instance.type);
  const importBad = baseModelId === null && backbone.selected === IMPORT_BACKBONE && backbone.importPath.trim() === '';
  const canStart = Boolean(dataset) && !namePending && !seedBad && !labelsBad && !importBad && !start.busy;
  const generalError = start.error && !(start.error.field && FORM_FIELDS.includes(start.error.field)) ? start.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canStart) void start.run();
  };

  if (datasets.data?.length === 0) {
    return (
      <div className="card empty">
        This instance has no dataset yet. <a href={href({ page: 'instance', id: instance.id })}>Add one in the Data step</a>, label it, then come back to train.
      </div>
    );
  }

  return (
    <form className="task-form" onSubmit={submit} noValidate aria-label="New training task">
      {datasets.error && <Alert error={datasets.error} action={{ label: 'Retry', onClick: datasets.reload }} />}
      {generalError && <Alert error={generalError} />}
      <div className="task-form-columns">
        <div className="task-form-column">
          <Section title="Basic information">
            <NameField label="Task name" value={taskName} onChange={setName} serverError={fieldError(start.error, 'name')} />
            <Field label="Description" hint="Optional: a short note that tells this task from the others." error={fieldError(start.error, 'description')}>
              {({ id, describedBy }) => (
                <textarea id={id} className="input" rows={2} maxLength={1000} value={description} onChange={(event) => setDescription(event.target.value)} aria-describedby={describedBy} />
              )}
            </Field>
          </Section>
          <Section title="Dataset">
            <Field label="Dataset" hint={dataset ? `${dataset.stats.labeled} labeled of ${dataset.stats.images} images, folder ${dataset.path}` : 'Loading…'} error={fieldError(start.error, 'datasetId')}>
              {({ id, describedBy, invalid }) => (
                <select
                  id={id}
                  className="input"
                  value={dataset?.id ?? ''}
                  onChange={(event) => {
                    setDatasetId(Number(event.target.value));
                    setLabels(null);
                  }}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                >
                  {datasets.data?.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {dataset && instance.type !== 'ocr' && (
              <LabelChecklist key={dataset.id} type={instance.type} counts={dataset.stats.labels} chosen={chosenLabels} onChange={setLabels} error={fieldError(start.error, 'labels')} />
            )}
          </Section>
        </div>
        <div className="task-form-column">
          <Section title="Algorithm and training">
            <AlgorithmChoice type={instance.type} value={algorithm} onChange={setAlgorithm} />
            <DeviceChoiceField value={device} onChange={setDevice} lastBackend={lastBackend} error={fieldError(start.error, 'device')} />
            <MaxMinutesSlider value={maxMinutes} onChange={setMaxMinutes} error={fieldError(start.error, 'maxMinutes')} />
            <IncrementalField models={models.data ?? []} value={baseModelId} onChange={setBaseModelId} error={fieldError(start.error, 'baseModelId')} />
            <BackboneField
              value={backbone}
              onChange={setBackbone}
              disabledReason={baseModelId === null ? null : 'Incremental training continues from the base model’s own backbone.'}
              error={fieldError(start.error, 'backbone')}
            />
            <details className="more advanced">
              <summary>Advanced</summary>
              <div className="advanced-fields">
                <label className="check">
                  <input type="checkbox" checked={hpo} onChange={(event) => setHpo(event.target.checked)} />
                  Hyperparameter search: a few short trials (at most 35 % of the time) choose the learning rate and head before the final training
                </label>
                <Field label="Seed" hint="The same seed gives the same validation split and the same run." error={seedBad ? 'Seed must be a whole number ≥ 0' : fieldError(start.error, 'seed')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} className="input input-narrow" inputMode="numeric" value={seed} onChange={(event) => setSeed(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} />
                  )}
                </Field>
              </div>
            </details>
          </Section>
        </div>
      </div>
      <div className="form-actions">
        <a className="button" href={href({ page: 'train', instanceId: instance.id })}>
          Cancel
        </a>
        <button type="submit" className="button button-primary" disabled={!canStart}>
          {start.busy ? 'Starting…' : 'Start training'}
        </button>
      </div>
    </form>
  );
}

/** The seed's 新建任务 page: basic information, dataset and labels, algorithm and training settings. */
export function NewTaskPage({ instanceId }: { instanceId: number }) {
  const instance = useInstance(instanceId);
  const current = instance.data;
  return (
    <div className="page page-form">
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          { label: current?.name ?? '…', href: href({ page: 'instance', id: instanceId }) },
          { label: 'Train', href: href({ page: 'train', instanceId }) },
          { label: 'New task' },
        ]}
      />
      {instance.error && <Alert error={instance.error} action={{ label: 'Retry', onClick: instance.reload }} />}
      {current === null && <p className="empty">This instance does not exist (any more).</p>}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                New training task <TypeTag type={current.type} />
              </h1>
              <p className="muted">Instance {current.name}</p>
            </div>
          </div>
          <TaskForm instance={current} />
        </>
      )}
    </div>
  );
}
