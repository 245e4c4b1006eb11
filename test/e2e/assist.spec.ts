// Model-assisted labeling in the browser mode: a colour classifier trained here (through the API, a
// few seconds) pre-labels the unlabeled images of its dataset from the labeling screen; the
// suggestions show on the cards, most uncertain first; Enter accepts one (the image is labeled),
// X rejects one, a number key still labels as usual. The box page is checked with suggestions put
// straight into the workspace (no detector is trained here): dashed boxes, X rejects the picked one,
// Enter accepts the rest as ordinary boxes. UPDATE_SCREENSHOTS=1 writes
// resources/screenshots/assist.png and assist-boxes.png.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { Dataset, ImageDetail, ImagePage, Instance, JobInfo, SuggestedBox, SuggestionPage, TrainReport, WorkspaceInfo } from '../../main/shared/api';
import { callApi, repoRoot, studioPerFile } from './studio-server';
import { snapshot } from './studio-ui';

const studio = studioPerFile();
const api = <T>(method: string, ...args: unknown[]): Promise<T> => callApi<T>(studio.url, method, ...args);

/** Unlabeled images: red, blue and blends of the two (0 = red, 1 = blue). */
const BLENDS = [0, 0.15, 0.35, 0.5, 0.65, 0.85, 1];
const UNLABELED = BLENDS.map((_, i) => `mix_${i}.png`);

let scratch = '';
let datasetId = 0;
let modelName = '';

/** The colour folder, the blends and the tiny backbone come from the unit tests' helpers (tfjs, sharp): a tsx child makes them. */
test.beforeAll(async () => {
  test.setTimeout(240_000);
  scratch = mkdtempSync(path.join(tmpdir(), 'assist-e2e-'));
  const colours = path.join(scratch, 'colours');
  const backbone = path.join(scratch, 'colour-net');
  const helpers = path.join(repoRoot, 'test', 'helpers', 'training.ts');
  const backend = path.join(repoRoot, 'main', 'core', 'training', 'tf', 'backend.ts');
  const script = `(async () => {
    const t = await import(${JSON.stringify(helpers)});
    const b = await import(${JSON.stringify(backend)});
    const sharp = (await import('sharp')).default;
    const path = await import('node:path');
    await t.colourFolder(${JSON.stringify(colours)}, { labels: ['red', 'blue'], perClass: 10 });
    const [r, b2] = [t.COLOURS.red, t.COLOURS.blue];
    for (const [i, k] of ${JSON.stringify(BLENDS)}.entries()) {
      const rgb = r.map((v, c) => Math.round(v * (1 - k) + b2[c] * k));
      const size = 48, pixels = Buffer.alloc(size * size * 3);
      for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) pixels[p * 3 + c] = Math.max(0, Math.min(255, rgb[c] + ((p * 7 + c * 13 + i) % 31) - 15));
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path.join(${JSON.stringify(colours)}, 'mix_' + i + '.png'));
    }
    await b.initBackend('auto');
    await t.saveColourBackbone(${JSON.stringify(backbone)});
  })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--eval', script], { cwd: repoRoot, stdio: 'inherit' });

  const instance = await api<Instance>('createInstance', { type: 'classification', name: 'colours' });
  const created = await api<{ dataset: Dataset; job: JobInfo }>('createDataset', { instanceId: instance.id, name: 'squares', path: colours });
  await api<JobInfo>('waitJob', created.job.id);
  datasetId = created.dataset.id;
  const { job } = await api<{ job: JobInfo }>('startTraining', { datasetId, algorithm: 'fast', backbone, seed: 3, hpo: false });
  const trained = await api<JobInfo>('waitJob', job.id);
  expect(trained.state).toBe('done');
  modelName = (trained.result as TrainReport).model!.name;
});

test.afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const grid = (page: Page) => page.getByRole('listbox', { name: 'Images' });
const tile = (page: Page, file: string) => grid(page).getByRole('option', { name: new RegExp(`^${file.replace('.', '\\.')},`) });

async function image(file: string): Promise<ImageDetail> {
  const listed = await api<ImagePage>('listImages', { datasetId, limit: 100 });
  return api<ImageDetail>('getImage', listed.items.find((i) => i.path === file)!.id);
}

test('pre-label from the labeling screen, then accept with Enter, reject with X, most uncertain first', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(`${studio.url}#/datasets/${datasetId}/label`);
  await expect(grid(page).getByRole('option')).toHaveCount(9);
  const bar = page.getByRole('region', { name: 'Model assistance' });

  // Choose the model version and run it over the unlabeled images.
  await bar.getByRole('button', { name: 'Pre-label with model…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pre-label with a model' });
  await expect(dialog.getByLabel('Model version')).toContainText(modelName);
  await expect(dialog.getByLabel(`Every unlabeled image (${UNLABELED.length})`)).toBeChecked();
  await dialog.getByRole('button', { name: 'Pre-label', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(bar.getByRole('status')).toContainText(`${UNLABELED.length} suggestions`, { timeout: 60_000 });
  await expect(bar).toContainText(`from ${modelName}`);

  // The unlabeled cards carry the model's label and confidence; labeled ones do not.
  await expect(tile(page, 'mix_0.png')).toHaveAccessibleName(/^mix_0\.png, unlabeled, suggested red \d+%$/);
  const suggestions = await api<SuggestionPage>('listSuggestions', { datasetId });
  expect(suggestions.total).toBe(UNLABELED.length);

  // Most uncertain first: the grid follows the stored order, which follows the confidences.
  await bar.getByRole('button', { name: 'Most uncertain first' }).click();
  const order = suggestions.items.map((s) => s.image.path);
  const margins = suggestions.items.map((s) => s.uncertainty);
  expect(margins).toEqual([...margins].sort((a, b) => b - a));
  await expect(grid(page).getByRole('option')).toHaveCount(UNLABELED.length);
  await expect(grid(page).getByRole('option').first()).toHaveAccessibleName(new RegExp(`^${order[0]!.replace('.', '\\.')},`));
  const first = suggestions.items[0]!;
  await expect(tile(page, first.image.path)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Suggested:' })).toContainText(`Suggested: ${first.label}`);
  await expect(page.getByRole('region', { name: /Labels/ }).getByText(/suggested \d+%/)).toBeVisible();
  await snapshot(page, 'assist.png');

  // Enter accepts the selected image's suggestion (no need to click it first: the order button gave
  // the keyboard back): it is labeled, saved, and the next one is selected.
  await page.keyboard.press('Enter');
  await expect(tile(page, first.image.path)).toHaveAccessibleName(`${first.image.path}, ${first.label}`);
  await expect(page.getByRole('status', { name: 'Save status: Saved' })).toBeVisible();
  await expect.poll(async () => (await image(first.image.path)).label).toBe(first.label);
  const second = suggestions.items[1]!;
  await expect(tile(page, second.image.path)).toHaveAttribute('aria-selected', 'true');
  expect((await api<SuggestionPage>('listSuggestions', { datasetId })).total).toBe(UNLABELED.length - 1);

  // X rejects: the image stays unlabeled, without a suggestion; a number key labels it as usual.
  await page.keyboard.press('x');
  await expect(tile(page, second.image.path)).toHaveAccessibleName(`${second.image.path}, unlabeled`);
  expect((await image(second.image.path)).label).toBeNull();
  const other = second.label === 'red' ? 'blue' : 'red';
  const labels = (await api<Array<{ name: string }>>('listLabels', datasetId)).map((l) => l.name);
  await page.keyboard.press(String(labels.indexOf(other) + 1));
  await expect(tile(page, second.image.path)).toHaveAccessibleName(`${second.image.path}, ${other}`);
  await expect.poll(async () => (await image(second.image.path)).label).toBe(other);

  // Edit: picking another label for a suggested image overrides the suggestion.
  const third = suggestions.items[2]!;
  await tile(page, third.image.path).click();
  const corrected = third.label === 'red' ? 'blue' : 'red';
  await page.getByRole('region', { name: /Labels/ }).getByRole('button', { name: corrected, exact: true }).click();
  await expect(tile(page, third.image.path)).toHaveAccessibleName(`${third.image.path}, ${corrected}`);
  // Ctrl+Z brings the suggestion back with the unlabeled image.
  await page.keyboard.press('Control+z');
  await expect(tile(page, third.image.path)).toHaveAccessibleName(new RegExp(`^${third.image.path.replace('.', '\\.')}, unlabeled, suggested ${third.label}`));

  // The shortcuts overlay lists both, and Enter still submits once nothing selected has a suggestion.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help.getByRole('row', { name: /Accept the model's suggestion/ })).toContainText('Enter');
  await expect(help.getByRole('row', { name: /Reject the model's suggestion/ })).toContainText('X');
  await help.getByRole('button', { name: 'Close' }).click();
  await tile(page, first.image.path).click();
  await page.keyboard.press('Enter');
  await expect(page.getByText(/Submitted 2 images\./)).toBeVisible();

  // Discarding the rest clears the cards.
  await bar.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByText('No unlabeled image has a suggestion')).toBeVisible();
  expect((await api<SuggestionPage>('listSuggestions', { datasetId })).total).toBe(0);
});

/** Stores a suggestion as a pre-label run would, in the running studio's workspace (a tsx child: the core is not part of the e2e project). */
function putSuggestion(workspace: string, imageId: number, datasetId: number, boxes: SuggestedBox[]): void {
  const db = path.join(repoRoot, 'main', 'core', 'workspace', 'db.ts');
  const store = path.join(repoRoot, 'main', 'core', 'assist', 'store.ts');
  const stored = { imageId, datasetId, modelId: null, modelName: 'shapes-detector', jobId: 'e2e', scored: { uncertainty: 0.4, label: null, conf: null, confidences: [], boxes } };
  const script = `(async () => {
    const { openDb } = await import(${JSON.stringify(db)});
    const { putSuggestion } = await import(${JSON.stringify(store)});
    const db = openDb(${JSON.stringify(workspace)});
    putSuggestion(db, ${JSON.stringify(stored)});
    db.close();
  })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--eval', script], { cwd: repoRoot, stdio: 'inherit' });
}

test('box page: suggested boxes are drawn dashed; X rejects the picked one, Enter accepts the rest as editable boxes', async ({ page }) => {
  const folder = path.join(scratch, 'shapes');
  mkdirSync(folder);
  const shapes = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><rect width="320" height="240" fill="#dfe7d0"/>` +
      `<circle cx="70" cy="80" r="40" fill="#c0392b"/><rect x="150" y="110" width="90" height="80" fill="#2c6fbb"/><circle cx="270" cy="60" r="22" fill="#c0392b"/></svg>`,
  );
  await sharp(shapes).png().toFile(path.join(folder, 'a.png'));
  await sharp(shapes).flop().png().toFile(path.join(folder, 'b.png'));
  const instance = await api<Instance>('createInstance', { type: 'detection', name: 'shapes' });
  const created = await api<{ dataset: Dataset; job: JobInfo }>('createDataset', { instanceId: instance.id, name: 'shapes', path: folder });
  await api<JobInfo>('waitJob', created.job.id);
  const [a] = (await api<ImagePage>('listImages', { datasetId: created.dataset.id })).items.sort((x, y) => x.path.localeCompare(y.path));
  const box = (label: string, conf: number, xmin: number, ymin: number, xmax: number, ymax: number): SuggestedBox => ({ label, xmin, ymin, xmax, ymax, difficult: false, truncated: false, conf });
  const suggested = [box('circle', 0.92, 30, 40, 110, 120), box('square', 0.61, 150, 110, 240, 190), box('circle', 0.35, 246, 36, 294, 84)];
  putSuggestion((await api<WorkspaceInfo>('workspaceInfo')).path, a!.id, created.dataset.id, suggested);

  await page.goto(`${studio.url}#/datasets/${created.dataset.id}/label/${a!.id}`);
  await expect(page.getByRole('application', { name: 'Image canvas' })).toHaveAttribute('data-view', /\d/);
  const list = page.getByRole('list', { name: 'Suggested boxes' });
  await expect(list.getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('region', { name: 'Model assistance' })).toContainText('1 image with suggestions from shapes-detector');
  await expect(page.getByRole('list', { name: 'Boxes', exact: true }).getByRole('listitem')).toHaveCount(0);
  // A click on a suggestion in the canvas picks it (the list says so); the list picks too.
  const canvas = page.getByRole('application', { name: 'Image canvas' });
  const [scale, x, y] = (await canvas.getAttribute('data-view'))!.split(' ').map(Number) as [number, number, number];
  const bounds = (await canvas.boundingBox())!;
  await page.mouse.click(bounds.x + x + 195 * scale, bounds.y + y + 150 * scale);
  await expect(list.getByRole('button', { name: 'square 61%', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await list.getByRole('button', { name: 'circle 92%', exact: true }).click();
  await expect(list.getByRole('button', { name: 'circle 92%', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await page.mouse.click(bounds.x + x + 195 * scale, bounds.y + y + 150 * scale);
  await expect(list.getByRole('button', { name: 'square 61%', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await snapshot(page, 'assist-boxes.png');

  // X rejects the picked suggestion only.
  await page.keyboard.press('x');
  await expect(list.getByRole('listitem')).toHaveCount(2);
  const left = await api<SuggestionPage>('listSuggestions', { datasetId: created.dataset.id });
  expect(left.items[0]!.boxes.map((b) => b.conf)).toEqual([0.92, 0.35]);

  // Enter accepts the rest: they become the image's boxes, saved, selectable like drawn ones.
  await page.keyboard.press('Enter');
  await expect(list).toBeHidden();
  const boxes = page.getByRole('list', { name: 'Boxes', exact: true }).getByRole('listitem');
  await expect(boxes).toHaveCount(2);
  const stored = await api<ImageDetail>('getImage', a!.id);
  expect(stored.boxes).toEqual([suggested[0]!, suggested[2]!].map(({ conf: _conf, ...rest }) => rest));
  expect(stored.status).toBe('labeled');
  expect((await api<SuggestionPage>('listSuggestions', { datasetId: created.dataset.id })).total).toBe(0);
  await page.getByRole('button', { name: 'Delete box' }).click();
  await expect(boxes).toHaveCount(1);
  await expect.poll(async () => (await api<ImageDetail>('getImage', a!.id)).boxes.length).toBe(1);
  // Undo twice: the deleted box, then the accept itself.
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(boxes).toHaveCount(0);
  await expect.poll(async () => (await api<ImageDetail>('getImage', a!.id)).boxes.length).toBe(0);
});
