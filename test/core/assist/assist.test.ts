// Model-assisted labeling through the Studio API with a real (tiny) classifier trained here:
// pre-label the unlabeled images, the uncertainty order, accept through saveAnnotation (revision,
// label, events), reject, and the errors that name their field. Detection/OCR suggestions are put
// in the table directly (their models are trained elsewhere) to check accepting boxes.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudioError, resultOf, type Dataset, type ModelVersion, type StudioEvent, type Suggestion } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { putSuggestion } from '../../../main/core/assist/store';
import { initBackend } from '../../../main/core/training/tf/backend';
import { openDb } from '../../../main/core/workspace/db';
import { seededRandom } from '../../../main/core/datasets/split';
import { png, tempDir } from '../../helpers/fixtures';
import { COLOURS, colourFolder, saveColourBackbone } from '../../helpers/training';

let studio: Studio;
let ws = '';
let data = '';
let dataset: Dataset;
let model: ModelVersion;
const events: StudioEvent[] = [];
const cleanups: Array<() => void> = [];

/** Unlabeled images at the top of the classification folder: red, blue and blends between them. */
const BLENDS = [0, 0.2, 0.4, 0.5, 0.6, 0.8, 1];

async function colourPng(path: string, rgb: [number, number, number], seed: number): Promise<void> {
  const size = 40;
  const random = seededRandom(seed);
  const pixels = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const n = (random() - 0.5) * 60;
    for (let c = 0; c < 3; c++) pixels[p * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! + n)));
  }
  writeFileSync(path, await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

async function rejection(p: Promise<unknown>): Promise<StudioError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StudioError);
  return err as StudioError;
}

const uncertaintyOf = (confs: number[]) => {
  const [a = 0, b = 0] = [...confs].sort((x, y) => y - x);
  return 1 - (a - b);
};

beforeAll(async () => {
  const dirs = [tempDir('assist-ws-'), tempDir('assist-data-')];
  cleanups.push(...dirs.map((d) => d.cleanup));
  ws = dirs[0]!.dir;
  data = dirs[1]!.dir;
  const folder = await colourFolder(join(data, 'colours'), { perClass: 10 });
  const [r, b] = [COLOURS.red!, COLOURS.blue!];
  for (const [i, t] of BLENDS.entries()) {
    const mix = r.map((v, c) => v * (1 - t) + b[c]! * t) as [number, number, number];
    await colourPng(join(folder, `mix_${i}.png`), mix, 100 + i);
  }
  studio = await openStudio({ workspace: ws });
  studio.subscribe((e) => events.push(e));
  const instance = await studio.createInstance({ type: 'classification', name: 'colours' });
  const created = await studio.createDataset({ instanceId: instance.id, name: 'colours', path: folder });
  resultOf(await studio.waitJob(created.job.id), 'index');
  dataset = await studio.getDataset(created.dataset.id);
  await initBackend('auto');
  const backbone = await saveColourBackbone(join(data, 'colour-net'));
  const { job } = await studio.startTraining({ datasetId: dataset.id, algorithm: 'fast', backbone, seed: 3, hpo: false });
  const report = resultOf(await studio.waitJob(job.id), 'train');
  model = report.model!;
}, 240_000);

afterAll(async () => {
  await studio?.close();
  for (const c of cleanups) c();
});

describe('pre-labeling a classification dataset', () => {
  it('suggests a label for every unlabeled image, most uncertain first, with the uncertainty of its confidences', async () => {
    expect(dataset.stats.unlabeled).toBe(BLENDS.length);
    const job = await studio.prelabel({ datasetId: dataset.id, modelId: model.id });
    expect(job.kind).toBe('prelabel');
    expect(job.datasetId).toBe(dataset.id);
    const report = resultOf(await studio.waitJob(job.id), 'prelabel');
    expect(report).toMatchObject({ datasetId: dataset.id, modelId: model.id, images: BLENDS.length, suggested: BLENDS.length, boxes: 0, skipped: [] });
    expect(events.some((e) => e.type === 'suggestions-changed' && e.datasetId === dataset.id && e.imageIds === null)).toBe(true);

    const page = await studio.listSuggestions({ datasetId: dataset.id });
    expect(page.total).toBe(BLENDS.length);
    expect(page.items).toHaveLength(BLENDS.length);
    // Each suggestion is the model's prediction for that image: the top class, every class, and
    // uncertainty = 1 − (top − second), checked against predict() on the same file.
    const predictions = await studio.predict({ modelId: model.id, images: page.items.map((s) => ({ path: join(dataset.path, s.image.path) })) });
    page.items.forEach((s, i) => {
      const body = predictions[i]!.result.output[0]!.body;
      expect(s.image.status).toBe('unlabeled');
      expect(s.modelId).toBe(model.id);
      expect(s.modelName).toBe(model.name);
      expect(s.label).toBe(body[0]!.label);
      expect(s.conf).toBeCloseTo(body[0]!.conf, 5);
      expect(s.confidences.map((c) => c.label)).toEqual(body.map((c) => c.label));
      expect(s.uncertainty).toBeCloseTo(uncertaintyOf(body.map((c) => c.conf)), 5);
      expect(s.boxes).toEqual([]);
    });
    const order = page.items.map((s) => s.uncertainty);
    expect(order).toEqual([...order].sort((a, b) => b - a));
    // The model knows red from blue: the pure colours are its surest, a blend its least sure.
    const byPath = new Map(page.items.map((s) => [s.image.path, s]));
    expect(byPath.get('mix_0.png')!.label).toBe('red');
    expect(byPath.get('mix_6.png')!.label).toBe('blue');
    const pure = Math.max(byPath.get('mix_0.png')!.uncertainty, byPath.get('mix_6.png')!.uncertainty);
    expect(page.items[0]!.uncertainty).toBeGreaterThan(pure);
    expect(['mix_0.png', 'mix_6.png']).not.toContain(page.items[0]!.image.path);

    // Pages follow the same order; a filter by image keeps it.
    const second = await studio.listSuggestions({ datasetId: dataset.id, offset: 2, limit: 2 });
    expect(second.items.map((s) => s.imageId)).toEqual(page.items.slice(2, 4).map((s) => s.imageId));
    const some = [page.items[4]!.imageId, page.items[1]!.imageId];
    expect((await studio.listSuggestions({ datasetId: dataset.id, imageIds: some })).items.map((s) => s.imageId)).toEqual([page.items[1]!.imageId, page.items[4]!.imageId]);
  });

  it('accept writes the suggested label through saveAnnotation: revision bumped, event sent, suggestion gone', async () => {
    const [first, second] = (await studio.listSuggestions({ datasetId: dataset.id })).items as [Suggestion, Suggestion];
    const before = await studio.getImage(first.imageId);
    expect(before.label).toBeNull();
    events.length = 0;
    const { image, suggestion } = await studio.acceptSuggestion({ imageId: first.imageId, baseRevision: before.revision });
    expect(image.label).toBe(first.label);
    expect(image.revision).toBe(before.revision + 1);
    expect(image.source).toBe('studio');
    expect(image.status).toBe('labeled');
    expect(suggestion).toBeNull();
    expect(events).toContainEqual({ type: 'annotation-changed', imageId: first.imageId, datasetId: dataset.id });
    expect(events).toContainEqual({ type: 'suggestions-changed', datasetId: dataset.id, imageIds: [first.imageId] });
    expect((await studio.getImage(first.imageId)).label).toBe(first.label);
    const left = await studio.listSuggestions({ datasetId: dataset.id });
    expect(left.total).toBe(BLENDS.length - 1);
    expect(left.items.map((s) => s.imageId)).not.toContain(first.imageId);
    expect((await studio.getDataset(dataset.id)).stats.unlabeled).toBe(BLENDS.length - 1);
    // Accepted once: nothing is left to accept.
    expect((await rejection(studio.acceptSuggestion({ imageId: first.imageId }))).field).toBe('imageId');

    // An accept based on an old revision is refused like any stale save, and changes nothing.
    const current = await studio.getImage(second.imageId);
    await studio.saveAnnotation({ imageId: second.imageId, annotation: { label: null, boxes: [] }, baseRevision: current.revision });
    const stale = await rejection(studio.acceptSuggestion({ imageId: second.imageId, baseRevision: current.revision }));
    expect(stale.code).toBe('conflict');
    expect(stale.field).toBe('revision');
    expect((await studio.getImage(second.imageId)).label).toBeNull();
    expect((await studio.listSuggestions({ datasetId: dataset.id, imageIds: [second.imageId] })).total).toBe(1);

    // Accept and submit in one go: the image is also marked reviewed.
    const submitted = await studio.acceptSuggestion({ imageId: second.imageId, submit: true });
    expect(submitted.image.label).toBe(second.label);
    expect(submitted.image.reviewed).toBe(true);
  });

  it('reject drops the suggestion; labeling the image another way retires it too', async () => {
    const [first, second] = (await studio.listSuggestions({ datasetId: dataset.id })).items as [Suggestion, Suggestion];
    const total = (await studio.listSuggestions({ datasetId: dataset.id })).total;
    const revision = (await studio.getImage(first.imageId)).revision;
    expect(await studio.rejectSuggestion({ imageId: first.imageId })).toBeNull();
    expect((await studio.getImage(first.imageId)).revision).toBe(revision);
    expect((await studio.getImage(first.imageId)).label).toBeNull();
    expect((await studio.listSuggestions({ datasetId: dataset.id })).total).toBe(total - 1);
    expect((await rejection(studio.rejectSuggestion({ imageId: first.imageId }))).code).toBe('not_found');
    expect((await rejection(studio.rejectSuggestion({ imageId: second.imageId, boxes: [0] }))).field).toBe('boxes');

    // "Edit": the user picks another label as usual; the suggestion no longer shows.
    const other = second.label === 'red' ? 'blue' : 'red';
    await studio.saveAnnotation({ imageId: second.imageId, annotation: { label: other, boxes: [] } });
    expect((await studio.listSuggestions({ datasetId: dataset.id })).items.map((s) => s.imageId)).not.toContain(second.imageId);
    expect((await studio.getImage(second.imageId)).label).toBe(other);
  });

  it('a run over chosen images replaces only theirs; a full run replaces the set; clear empties it', async () => {
    const left = (await studio.listSuggestions({ datasetId: dataset.id })).items;
    const unlabeled = await studio.listImages({ datasetId: dataset.id, filter: 'unlabeled' });
    // The rejected one has none now; choose it alone.
    const rejected = unlabeled.items.find((i) => !left.some((s) => s.imageId === i.id))!;
    const one = resultOf(await studio.waitJob((await studio.prelabel({ datasetId: dataset.id, modelId: model.id, imageIds: [rejected.id] })).id), 'prelabel');
    expect(one.images).toBe(1);
    const after = (await studio.listSuggestions({ datasetId: dataset.id })).items;
    expect(after.map((s) => s.imageId).sort()).toEqual([...left.map((s) => s.imageId), rejected.id].sort());

    const full = resultOf(await studio.waitJob((await studio.prelabel({ datasetId: dataset.id, modelId: model.id })).id), 'prelabel');
    expect(full.images).toBe(unlabeled.total);
    expect((await studio.listSuggestions({ datasetId: dataset.id })).total).toBe(unlabeled.total);

    expect(await studio.clearSuggestions(dataset.id)).toBe(unlabeled.total);
    expect((await studio.listSuggestions({ datasetId: dataset.id })).total).toBe(0);
  });

  it('refuses a model of another type or instance, foreign images and bad values, naming the field', async () => {
    const otherInstance = await studio.createInstance({ type: 'classification', name: 'other' });
    const created = await studio.createDataset({ instanceId: otherInstance.id, name: 'other', path: join(dataset.path, 'red') });
    await studio.waitJob(created.job.id);
    const foreign = await rejection(studio.prelabel({ datasetId: created.dataset.id, modelId: model.id }));
    expect(foreign.code).toBe('invalid_input');
    expect(foreign.field).toBe('modelId');
    expect(foreign.message).toMatch(/belongs to another instance.*instance "other"/);

    const det = await studio.createInstance({ type: 'detection', name: 'boxes' });
    const fx = tempDir('assist-det-');
    cleanups.push(fx.cleanup);
    writeFileSync(join(fx.dir, 'a.png'), await png(64, 48));
    const detDs = await studio.createDataset({ instanceId: det.id, name: 'boxes', path: fx.dir });
    await studio.waitJob(detDs.job.id);
    const wrongType = await rejection(studio.prelabel({ datasetId: detDs.dataset.id, modelId: model.id }));
    expect(wrongType.field).toBe('modelId');
    expect(wrongType.message).toMatch(/is a classification model; dataset "boxes" needs a detection model/);

    const foreignImage = (await studio.listImages({ datasetId: detDs.dataset.id })).items[0]!;
    const notHere = await rejection(studio.prelabel({ datasetId: dataset.id, modelId: model.id, imageIds: [foreignImage.id] }));
    expect(notHere.field).toBe('imageIds.0');
    expect((await rejection(studio.prelabel({ datasetId: dataset.id, modelId: 999 }))).field).toBe('modelId');
    expect((await rejection(studio.prelabel({ datasetId: 999, modelId: model.id }))).field).toBe('datasetId');
    expect((await rejection(studio.prelabel({ datasetId: dataset.id, modelId: model.id, minConfidence: 2 }))).field).toBe('minConfidence');
    // A dataset of the model's instance with nothing left to label.
    const labeledFolder = await colourFolder(join(data, 'labeled'), { perClass: 2 });
    const labeled = await studio.createDataset({ instanceId: dataset.instanceId, name: 'labeled', path: labeledFolder });
    await studio.waitJob(labeled.job.id);
    const nothing = await rejection(studio.prelabel({ datasetId: labeled.dataset.id, modelId: model.id }));
    expect(nothing.field).toBe('datasetId');
    expect(nothing.message).toMatch(/no unlabeled images/);
  });
});

describe('accepting detection boxes', () => {
  it('appends the chosen boxes to the annotation, keeps the rest pending, and checks them against the image', async () => {
    const fx = tempDir('assist-boxes-');
    cleanups.push(fx.cleanup);
    writeFileSync(join(fx.dir, 'a.png'), await png(64, 48));
    const instance = await studio.createInstance({ type: 'detection', name: 'shapes' });
    const created = await studio.createDataset({ instanceId: instance.id, name: 'shapes', path: fx.dir });
    await studio.waitJob(created.job.id);
    const image = (await studio.listImages({ datasetId: created.dataset.id })).items[0]!;
    const db = openDb(ws);
    try {
      const box = (label: string, conf: number, x: number) => ({ label, xmin: x, ymin: 4, xmax: x + 10, ymax: 20, difficult: false, truncated: false, conf });
      putSuggestion(db, {
        imageId: image.id,
        datasetId: created.dataset.id,
        modelId: model.id,
        modelName: 'detector',
        jobId: 'test',
        scored: { uncertainty: 0.5, label: null, conf: null, confidences: [], boxes: [box('circle', 0.9, 2), box('square', 0.6, 20), box('circle', 0.4, 40)] },
      });
    } finally {
      db.close();
    }
    const [pending] = (await studio.listSuggestions({ datasetId: created.dataset.id })).items;
    expect(pending!.boxes.map((b) => b.label)).toEqual(['circle', 'square', 'circle']);
    expect((await rejection(studio.acceptSuggestion({ imageId: image.id, boxes: [5] }))).field).toBe('boxes.0');

    const before = await studio.getImage(image.id);
    const { image: saved, suggestion } = await studio.acceptSuggestion({ imageId: image.id, boxes: [1] });
    expect(saved.revision).toBe(before.revision + 1);
    expect(saved.status).toBe('labeled');
    expect(saved.boxes).toEqual([{ label: 'square', xmin: 20, ymin: 4, xmax: 30, ymax: 20, difficult: false, truncated: false }]);
    expect(suggestion!.boxes.map((b) => [b.label, b.xmin])).toEqual([['circle', 2], ['circle', 40]]);

    // A labeled detection image keeps its remaining suggestions; reject one, accept the rest.
    expect((await studio.rejectSuggestion({ imageId: image.id, boxes: [1] }))!.boxes.map((b) => b.xmin)).toEqual([2]);
    const done = await studio.acceptSuggestion({ imageId: image.id });
    expect(done.suggestion).toBeNull();
    expect(done.image.boxes.map((b) => [b.label, b.xmin])).toEqual([['square', 20], ['circle', 2]]);
    expect((await studio.listSuggestions({ datasetId: created.dataset.id })).total).toBe(0);
  });
});
