import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { SHARED_MISSING, sharedDataset, tempDir } from '../../helpers/fixtures';

const kangaroo = sharedDataset('kangaroo');
const hymenoptera = sharedDataset('hymenoptera/train');
if (!kangaroo || !hymenoptera) console.warn(SHARED_MISSING);

let studio: Studio;
const ws = tempDir('ws-shared-');
beforeAll(async () => {
  studio = await openStudio({ workspace: ws.dir });
});
afterAll(async () => {
  await studio.close();
  ws.cleanup();
});

async function indexShared(type: 'detection' | 'classification', name: string, path: string) {
  const inst = await studio.createInstance({ type, name });
  const { job } = await studio.createDataset({ instanceId: inst.id, name, path });
  const done = await studio.waitJob(job.id);
  expect(done.state).toBe('done');
  return resultOf(done, 'index');
}

describe.skipIf(!kangaroo)('kangaroo (detection, VOC sidecars)', () => {
  it('indexes 164 images with 266 kangaroo boxes and nothing invalid', async () => {
    const r = await indexShared('detection', 'kangaroo', kangaroo!);
    const s = r.dataset.stats;
    expect(s).toMatchObject({ images: 164, labeled: 164, unlabeled: 0, boxes: 266, labels: { kangaroo: 266 }, invalid: [], annotationErrors: [] });
    // 00090.jpg ends without its EOI marker but decodes to all but a grey corner: kept and noted.
    expect(s.warnings.map((w) => w.code)).toEqual(['incomplete_images']);
    const again = await studio.waitJob((await studio.reindexDataset(r.dataset.id)).id);
    expect(resultOf(again, 'index')).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 164 });
  });
});

describe.skipIf(!hymenoptera)('hymenoptera/train (classification folders)', () => {
  it('labels 123 ants and 121 bees and reports the GIF as invalid', async () => {
    const s = (await indexShared('classification', 'hymenoptera', hymenoptera!)).dataset.stats;
    expect(s).toMatchObject({ images: 244, labeled: 244, unlabeled: 0, labels: { ants: 123, bees: 121 } });
    expect(s.invalid).toEqual([{ path: 'ants/imageNotFound.gif', reason: 'GIF images are not supported (JPEG and PNG only)' }]);
  });
});
