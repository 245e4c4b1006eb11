// Property: whatever a user labels survives export then import, for every format of the instance type.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, type Annotation, type Box, type ExportFormat, type InstanceType } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { jpeg, tempDir } from '../../helpers/fixtures';

const SIZES: Array<[number, number]> = [[64, 48], [40, 90], [120, 120]];
const work = tempDir('prop-');
let studio: Studio;
let run = 0;

beforeAll(async () => {
  studio = await openStudio({ workspace: join(work.dir, 'ws') });
  mkdirSync(join(work.dir, 'src'));
  for (const [w, h] of SIZES) writeFileSync(join(work.dir, 'src', `${w}x${h}.jpg`), await jpeg(w, h));
});
afterAll(async () => {
  await studio.close();
  work.cleanup();
});

// Labels as people type them: Chinese, digits, inner spaces (double too), XML metacharacters.
const CHARS = [...'abcXYZ019 _-猫狗卡号<>&"\''];
const text = fc
  .string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 10 })
  .filter((s) => s.trim() === s && s.length > 0);
const folderName = text.filter((s) => !s.startsWith('.') && !s.startsWith('-'));

const box = (w: number, h: number, label: fc.Arbitrary<string>): fc.Arbitrary<Box> =>
  fc
    .record({ x: fc.integer({ min: 0, max: w - 1 }), y: fc.integer({ min: 0, max: h - 1 }), label, difficult: fc.boolean(), truncated: fc.boolean() })
    .chain(({ x, y, label, difficult, truncated }) =>
      fc.record({ xmax: fc.integer({ min: x + 1, max: w }), ymax: fc.integer({ min: y + 1, max: h }) }).map(({ xmax, ymax }) => ({ label, xmin: x, ymin: y, xmax, ymax, difficult, truncated })),
    );

/** Random annotations for images of the given sizes (null = image left unlabeled). */
const annotationsFor = (type: InstanceType) =>
  fc.tuple(
    ...SIZES.map(([w, h]) =>
      type === 'classification'
        ? fc.option(folderName.map((label): Annotation => ({ label, boxes: [] })))
        : fc.option(fc.array(box(w, h, text), { minLength: 1, maxLength: 4 }).map((boxes): Annotation => ({ label: null, boxes }))),
    ),
  ).filter((anns) => anns.some((a) => a !== null)); // an export needs something labeled

async function datasetOfCopies(type: InstanceType, name: string) {
  const dir = join(work.dir, name);
  mkdirSync(dir);
  for (const [w, h] of SIZES) copyFileSync(join(work.dir, 'src', `${w}x${h}.jpg`), join(dir, `${w}x${h}.jpg`));
  const inst = await studio.createInstance({ type, name: `i${name}` });
  const { job } = await studio.createDataset({ instanceId: inst.id, name, path: dir });
  return resultOf(await studio.waitJob(job.id), 'index').dataset;
}

async function labeled(datasetId: number): Promise<Record<string, Annotation>> {
  const out: Record<string, Annotation> = {};
  for (const item of (await studio.listImages({ datasetId, filter: 'labeled' })).items) {
    const d = await studio.getImage(item.id);
    out[d.path] = { label: d.label, boxes: d.boxes };
  }
  return out;
}

const cases: Array<[InstanceType, ExportFormat]> = [
  ['detection', 'voc'],
  ['detection', 'voc-devkit'],
  ['ocr', 'voc'],
  ['classification', 'folders'],
];

describe('export → import round trip', () => {
  it.each(cases)('%s as %s', async (type, format) => {
    await fc.assert(
      fc.asyncProperty(annotationsFor(type), fc.boolean(), async (annotations, split) => {
        const n = ++run;
        const source = await datasetOfCopies(type, `s${n}`);
        const images = (await studio.listImages({ datasetId: source.id })).items;
        for (const [i, ann] of annotations.entries()) {
          if (ann) await studio.saveAnnotation({ imageId: images.find((im) => im.path === `${SIZES[i]![0]}x${SIZES[i]![1]}.jpg`)!.id, annotation: ann });
        }
        const expected = await labeled(source.id);
        const outDir = join(work.dir, `out${n}`);
        const exported = resultOf(await studio.waitJob((await studio.exportDataset({ datasetId: source.id, format, outDir, ...(split ? { split: 0.5, seed: n } : {}) })).id), 'export');
        expect(exported.images).toBe(Object.keys(expected).length);

        const target = await datasetOfCopies(type, `t${n}`);
        const imported = resultOf(await studio.waitJob((await studio.importAnnotations({ datasetId: target.id, format, from: outDir })).id), 'import');
        expect(imported.problems).toEqual([]);
        expect(imported.unmatched).toEqual([]);
        expect(await labeled(target.id)).toEqual(expected);
      }),
      { numRuns: 12 },
    );
  });
});
