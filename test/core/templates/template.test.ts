import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resultOf, StudioError } from '../../../main/shared/api';
import { useStudioFixture } from '../../helpers/studio';

const fx = useStudioFixture();

describe('create from template', () => {
  it('writes demo data into the workspace and indexes it as the instance\'s dataset', async () => {
    const { instance, dataset, job } = await fx.studio.createFromTemplate({ type: 'detection', name: 'shapes' });
    expect(instance.type).toBe('detection');
    const index = resultOf(await fx.studio.waitJob(job.id), 'index');
    expect(index.added).toBe(40);
    const stats = (await fx.studio.getDataset(dataset.id)).stats;
    expect([stats.labeled, stats.unlabeled]).toEqual([36, 4]);
    expect(Object.keys(stats.labels).sort()).toEqual(['circle', 'square']);
    expect(dataset.path.startsWith((await fx.studio.workspaceInfo()).path)).toBe(true);
  });

  it('refuses a taken name before writing anything', async () => {
    await fx.studio.createInstance({ type: 'classification', name: 'taken' });
    const err = await fx.studio.createFromTemplate({ type: 'classification', name: 'taken' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).field).toBe('name');
    expect(existsSync(`${(await fx.studio.workspaceInfo()).path}/templates/classification-2`)).toBe(false);
    expect(await fx.studio.listInstances()).toHaveLength(1);
  });
});
