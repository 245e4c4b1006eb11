// --instance / --dataset take a name or a numeric id. Names may themselves be digits ("2024"),
// so a name match wins and the id is the fallback; every record stays reachable by its name.

import { StudioError, type Dataset, type Instance, type StudioApi } from '../shared/api';

function asId(ref: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(ref) ? Number(ref) : null;
}

export async function resolveInstance(api: StudioApi, ref: string): Promise<Instance> {
  const instances = await api.listInstances();
  const id = asId(ref);
  const found = instances.find((i) => i.name === ref) ?? instances.find((i) => i.id === id);
  if (!found) throw new StudioError('not_found', `No instance with the name or id "${ref}"`, 'instance');
  return found;
}

export async function resolveDataset(api: StudioApi, ref: string, instanceRef?: string): Promise<Dataset> {
  const instance = instanceRef === undefined ? undefined : await resolveInstance(api, instanceRef);
  const datasets = await api.listDatasets(instance?.id);
  const named = datasets.filter((d) => d.name === ref);
  if (named.length > 1) {
    const where = named.map((d) => `id ${d.id} in "${d.instanceName}"`).join(', ');
    throw new StudioError(
      'invalid_input',
      `Several instances have a dataset named "${ref}" (${where}); add --instance or use the dataset id`,
      'dataset',
    );
  }
  const id = asId(ref);
  const found = named[0] ?? datasets.find((d) => d.id === id);
  if (!found) {
    const scope = instance ? ` in instance "${instance.name}"` : '';
    throw new StudioError('not_found', `No dataset with the name or id "${ref}"${scope}`, 'dataset');
  }
  return found;
}
