// The acceptance journeys, through the browser mode as a new user takes them, step by step:
// Data (create an instance, index a folder, label the images left unlabeled), Train (a high-speed
// task from the form, followed to its end, then the model's metrics), Try & Publish (an image tried,
// the EAS package exported, service.json found in it on disk).
//
//  - classification: the instance comes from the template demo data (shapes in one folder per label,
//    six new images at the top to label by number keys and Enter);
//  - detection: the kangaroo photos (copied, with the last three XML files held back so there is
//    something to label on the box canvas).
//
// The form's time budget starts at 10 minutes, so the studio runs with test caps on every training
// (`studio --train-limits`): a couple of epochs at a small input size. Quality is not the point here
// (a two-epoch kangaroo detector from scratch finds little); the flow and what each screen shows is.
// UPDATE_SCREENSHOTS=1 (`npm run screenshots`) also refreshes the screenshots named below.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Dataset } from '../../main/shared/api';
import { callApi, sharedDatasets, studioPerFile } from './studio-server';
import { fillNewDataset, metric, snapshot, submitNewDataset } from './studio-ui';

// Screenshots get a longer (still capped) training, so the tried kangaroo photo shows boxes.
const LIMITS = process.env.UPDATE_SCREENSHOTS
  ? { maxEpochs: 12, patience: 12, trials: 1, trialEpochs: 1, inputSize: 160 }
  : { maxEpochs: 2, patience: 2, trials: 1, trialEpochs: 1, inputSize: 96 };
const studio = studioPerFile({ args: ['--train-limits', JSON.stringify(LIMITS)] });
const kangaroo = path.join(sharedDatasets, 'kangaroo');

let scratch = '';
test.beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'journey-e2e-'));
});
test.afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// A step that hangs fails within half a minute, with a trace to look at, not at the test's timeout.
test.use({ actionTimeout: 30_000, trace: 'retain-on-failure' });

// A page that crashes or throws says so at once, rather than as a locator timing out minutes later.
test.beforeEach(({ page }) => {
  page.on('crash', () => console.error('journey: the page crashed'));
  page.on('pageerror', (error) => console.error(`journey: page error: ${error.message}`));
});

const stepTab = (page: Page, step: string): Locator => page.getByRole('tablist', { name: 'AutoLearning steps' }).getByRole('tab', { name: new RegExp(step) });
const chartPoints = async (page: Page, title: string): Promise<number> => Number(await page.getByRole('figure', { name: title, exact: true }).getAttribute('data-points'));

/** The Create instance dialog, filled in; the caller submits it. */
async function fillCreateInstance(page: Page, type: string, name: string, description: string, template: boolean): Promise<Locator> {
  await page.goto(studio.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Instances' })).toBeVisible();
  await page.getByRole('button', { name: 'Create instance' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create instance' });
  await dialog.getByLabel(type).check();
  if (template) await dialog.getByRole('checkbox', { name: /Create from template/ }).check();
  await dialog.getByLabel('Instance name').fill(name);
  await dialog.getByLabel('Description').fill(description);
  return dialog;
}

/** Train → New training task: a high-speed task on the form's first dataset, with every eligible label. */
async function startHighSpeedTask(page: Page, name: string, labels: string[]): Promise<void> {
  await stepTab(page, 'Train').click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/train$/);
  await page.getByRole('link', { name: 'New training task' }).first().click();
  const form = page.getByRole('form', { name: 'New training task' });
  // The suggested name arrives with the dataset and its runs; filling before it lands would type after it.
  const taskName = form.getByLabel('Task name');
  await expect(taskName).not.toHaveValue('');
  await taskName.fill(name);
  await expect(taskName).toHaveValue(name);
  const labelGroup = form.getByRole('group', { name: /Labels/ });
  for (const label of labels) await expect(labelGroup.getByRole('checkbox', { name: new RegExp(label) })).toBeChecked();
  await expect(form.getByRole('radio', { name: /High-speed/ })).toBeChecked();
  // The shortest budget the form offers; the studio's test caps end the run well before it.
  await form.getByLabel('Max training time').fill('10');
  await expect(form.getByText('10 min', { exact: true })).toBeVisible();
  // No download in a test: a small network trained from scratch.
  await form.getByLabel('Backbone', { exact: true }).selectOption({ label: 'None: train a small network from scratch' });
  await form.getByRole('button', { name: 'Start training' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
}

/** The run page from start to end: progress while it trains, then Finished with a model version. */
async function watchToTheEnd(page: Page, scoreChart: string): Promise<void> {
  await expect(page.getByLabel('Basic information')).toContainText('Task ID');
  await expect(page.getByLabel('Basic information')).toContainText(/(CPU|GPU) · /, { timeout: 120_000 });
  await expect(page.getByRole('heading', { level: 1 }).getByText(/^Finished/)).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('status')).toContainText('Training finished');
  await expect(page.getByRole('status')).toContainText(`after ${LIMITS.maxEpochs} epochs`);
  await expect(page.getByRole('list', { name: 'Training steps' }).getByRole('listitem', { name: /Model version: Finished/ })).toBeVisible();
  await expect.poll(() => chartPoints(page, 'Loss')).toBeGreaterThan(0);
  await expect.poll(() => chartPoints(page, scoreChart)).toBeGreaterThan(0);
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByRole('log', { name: 'Log lines' })).toContainText(/model version \d+ saved/);
  await page.getByRole('tab', { name: 'Training process' }).click();
}

/** The Try page (from the model page, unless already there): the picked image goes through the model; returns the prediction panel. */
async function tryImage(page: Page, image: string): Promise<Locator> {
  if (!/#\/models\/\d+\/try$/.test(page.url())) await page.getByRole('link', { name: 'Try', exact: true }).click();
  await expect(page).toHaveURL(/#\/models\/\d+\/try$/);
  const modelId = /#\/models\/(\d+)\/try$/.exec(page.url())![1]!;
  await expect(page.getByText('Drop a JPEG, PNG or BMP image here')).toBeVisible();
  await page.getByLabel('Choose image…').setInputFiles(image);
  const panel = page.getByRole('region', { name: `Prediction of v${modelId}` });
  await expect(panel.getByRole('img', { name: new RegExp(`^${path.basename(image).replace('.', '\\.')}: `) })).toBeVisible({ timeout: 60_000 });
  return panel;
}

/** Try → Publish: Export for EAS into `outDir`; the report follows and service.json is on disk. */
async function exportForEas(page: Page, outDir: string, serviceName: RegExp): Promise<void> {
  const modelId = /#\/models\/(\d+)\//.exec(page.url())![1]!;
  await page.goto(`${studio.url}#/models/${modelId}`);
  await page.getByRole('link', { name: 'Export for EAS' }).click();
  await expect(page).toHaveURL(new RegExp(`#/models/${modelId}/publish$`));
  const form = page.getByRole('form', { name: 'Export for EAS' });
  await form.getByLabel('Output folder').fill(outDir);
  await form.getByRole('button', { name: 'Export' }).click();
  const report = page.getByRole('region', { name: 'EAS export report' });
  await expect(report).toBeVisible({ timeout: 120_000 });
  await expect(report).toContainText(serviceName);
  await report.getByText(/^Files written/).click();
  await expect(report.getByRole('list', { name: 'Files written' })).toContainText('service.json');
  const servicePath = path.join(outDir, 'service.json');
  expect(existsSync(servicePath), `${servicePath} exists`).toBe(true);
  const service = JSON.parse(readFileSync(servicePath, 'utf8')) as { metadata?: { name?: string } };
  expect(service.metadata?.name).toMatch(serviceName);
  expect(existsSync(path.join(outDir, 'model', 'model.json'))).toBe(true);
}

test('classification: template demo data → label the new images → high-speed training → metrics → try → EAS package', async ({ page }) => {
  test.setTimeout(300_000);

  // ---- Data: an instance from the template, indexed as dataset "demo".
  const dialog = await fillCreateInstance(page, 'Image classification', 'shapes', 'Circles, squares and triangles from the template', true);
  await expect(dialog.getByText(/54 pictures of circles, squares and triangles, 6 of them left to label/)).toBeVisible();
  await snapshot(page, 'create-template.png');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: /shapes/ })).toBeVisible();
  // The Data step lists the demo dataset once its indexing job is done.
  const datasetRow = page.getByRole('table', { name: 'Datasets' }).getByRole('row', { name: /demo/ });
  await expect(datasetRow).toContainText(/Indexed/, { timeout: 60_000 });
  await expect(datasetRow.getByRole('cell').nth(1)).toHaveText('54');
  await snapshot(page, 'instance.png');
  await page.getByRole('link', { name: 'demo', exact: true }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+$/);
  await expect(metric(page, 'Images')).toHaveText('54');
  await expect(metric(page, 'Labeled')).toHaveText('48');
  await expect(metric(page, 'Unlabeled')).toHaveText('6');

  // ---- Data: label the six new images by number keys; Enter submits each page.
  await page.getByRole('link', { name: 'Label', exact: true }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+\/label\/\d+$/);
  await expect(page.getByText('48 of 54 labeled')).toBeVisible();
  const labelNames = (await page.getByRole('region', { name: /Labels/ }).getByRole('listitem').allTextContents()).map((text) => text.trim());
  const keyOf = (shape: string) => String(labelNames.findIndex((text) => text.includes(shape)) + 1);
  // new_00i.jpg holds one shape: SHAPES[i % 3] of circle, square, triangle (main/core/templates/shapes.ts).
  const shapeOf = (file: string) => ['circle', 'square', 'triangle'][Number(/new_(\d+)/.exec(file)![1]) % 3]!;
  const grid = page.getByRole('listbox', { name: 'Images' });
  for (let labeled = 48; labeled < 54; ) {
    const anchor = grid.getByRole('option', { selected: true });
    await expect(anchor).toHaveCount(1);
    const name = (await anchor.getAttribute('aria-label')) ?? '';
    if (!name.endsWith(', unlabeled')) {
      // Nothing left on this page: Enter submits it and moves on to the next page with new images.
      await page.keyboard.press('Enter');
      await expect(page.getByText(/^Submitted \d+ images?\./)).toBeVisible();
      await expect(grid.getByRole('option', { selected: true })).toHaveAttribute('aria-label', /, unlabeled$/);
      continue;
    }
    const file = name.split(',')[0]!;
    expect(file).toMatch(/^new_\d+\.jpg$/);
    await anchor.focus();
    // Right after a page change the grid may still be settling: the key is pressed again only
    // while the image is still unlabeled (a second press never labels another image).
    await expect(async () => {
      if ((await grid.getByRole('option', { name: `${file}, unlabeled` }).count()) > 0) await page.keyboard.press(keyOf(shapeOf(file)));
      await expect(grid.getByRole('option', { name: `${file}, ${shapeOf(file)}` })).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 20_000 });
    labeled++;
    await expect(page.getByText(`${labeled} of 54 labeled`)).toBeVisible();
  }
  await page.keyboard.press('Enter');
  await expect(page.getByText('Every image is labeled.', { exact: false })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Save status: Saved' })).toBeVisible();
  await page.getByRole('link', { name: 'demo', exact: true }).first().click();
  await expect(metric(page, 'Labeled')).toHaveText('54');

  // ---- Train: high-speed, followed to its end.
  await startHighSpeedTask(page, 'shapes-fast', ['circle', 'square', 'triangle']);
  await watchToTheEnd(page, 'Validation accuracy');

  // ---- The model's metrics.
  await page.getByRole('link', { name: 'Open model', exact: true }).click();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  const metrics = page.getByRole('table', { name: 'Metrics', exact: true });
  for (const key of ['accuracy', 'precision', 'recall', 'F1']) await expect(metrics.getByRole('row', { name: new RegExp(key) })).toContainText(/\d+\.\d\s?%/);
  await expect(metrics.getByRole('row', { name: /model_size/ })).toContainText(/KB/);
  await expect(page.getByRole('table', { name: 'Per-class metrics' }).getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('table', { name: 'Confusion matrix' }).getByRole('row')).toHaveCount(4);

  // ---- Try & Publish: one of the images just labeled, then the EAS package.
  const datasets = await callApi<Dataset[]>(studio.url, 'listDatasets');
  const demo = datasets.find((d) => d.name === 'demo' && d.type === 'classification')!;
  // The Try & Publish step lists the model versions with their ways to try and publish them.
  await stepTab(page, 'Try & Publish').click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/publish$/);
  const versions = page.getByRole('table', { name: 'Model versions' });
  await expect(versions.getByRole('row')).toHaveCount(2);
  await expect(versions.getByRole('row', { name: /shapes-fast/ })).toContainText(/\d+\.\d\s?%/);
  await snapshot(page, 'publish-versions.png');
  await versions.getByRole('link', { name: /^Try shapes-fast v\d+$/ }).click();
  const result = await tryImage(page, path.join(demo.path, 'new_003.jpg'));
  const rows = result.getByRole('list', { name: 'Predictions' }).getByRole('listitem');
  await expect(rows).toHaveCount(3);
  for (const shape of ['circle', 'square', 'triangle']) await expect(rows.filter({ hasText: shape })).toHaveCount(1);
  await result.getByRole('tab', { name: 'JSON' }).click();
  await expect(result.getByLabel('Service response')).toContainText('"success": true');

  await exportForEas(page, path.join(scratch, 'eas-shapes'), /shapes_fast/);
});

/** Where image pixel (x, y) is on the page (the canvas publishes its view as "scale x y"). */
async function onScreen(canvas: Locator, x: number, y: number): Promise<{ x: number; y: number }> {
  const [scale, dx, dy] = (await canvas.getAttribute('data-view'))!.split(' ').map(Number) as [number, number, number];
  const bounds = (await canvas.boundingBox())!;
  return { x: bounds.x + dx + x * scale, y: bounds.y + dy + y * scale };
}

/** The boxes of a VOC file, as [xmin, ymin, xmax, ymax]. */
function vocBoxes(xml: string): Array<[number, number, number, number]> {
  return [...xml.matchAll(/<bndbox>([\s\S]*?)<\/bndbox>/g)].map((m) => {
    const v = (tag: string) => Number(new RegExp(`<${tag}>\\s*([\\d.]+)\\s*</${tag}>`).exec(m[1]!)![1]);
    return [v('xmin'), v('ymin'), v('xmax'), v('ymax')];
  });
}

test('detection: kangaroo photos → label the last three → high-speed training → mAP → try → EAS package', async ({ page }) => {
  test.skip(!existsSync(kangaroo), `the detection journey needs the kangaroo photos at ${kangaroo} (../shared/datasets)`);
  test.setTimeout(480_000);

  // A copy, so the last three XML files can be held back (the shared folder stays as it is).
  const folder = path.join(scratch, 'kangaroo');
  const held = path.join(scratch, 'held-xml');
  mkdirSync(folder);
  mkdirSync(held);
  const files = readdirSync(kangaroo).sort();
  for (const file of files) copyFileSync(path.join(kangaroo, file), path.join(folder, file));
  const jpegs = files.filter((f) => f.endsWith('.jpg'));
  const last = jpegs.slice(-3);
  for (const jpeg of last) renameSync(path.join(folder, jpeg.replace('.jpg', '.xml')), path.join(held, jpeg.replace('.jpg', '.xml')));

  // ---- Data: a detection instance, a dataset over the folder, indexed.
  const dialog = await fillCreateInstance(page, 'Object detection', 'roos', 'Kangaroo photos, one box per animal', false);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: /roos/ })).toBeVisible();
  const newDataset = await fillNewDataset(page, 'kangaroo', folder);
  await submitNewDataset(page, newDataset, 'kangaroo');
  await expect(metric(page, 'Images')).toHaveText(String(jpegs.length));
  await expect(metric(page, 'Unlabeled')).toHaveText('3');

  // ---- Data: the label page opens on the first unlabeled image; a box per kangaroo, then Next.
  await page.getByRole('link', { name: 'Label', exact: true }).click();
  const canvas = page.getByRole('application', { name: 'Image canvas' });
  const boxList = page.getByRole('list', { name: 'Boxes' });
  for (const [i, jpeg] of last.entries()) {
    await expect(page.locator('.box-label-title')).toContainText(jpeg);
    await expect(page.getByText(`Image ${jpegs.length - 2 + i} of ${jpegs.length}`)).toBeVisible();
    await expect(canvas).toHaveAttribute('data-view', /\d/);
    const boxes = vocBoxes(readFileSync(path.join(held, jpeg.replace('.jpg', '.xml')), 'utf8'));
    await expect(boxList.getByRole('listitem')).toHaveCount(0);
    await page.getByRole('button', { name: 'Draw' }).click();
    for (const [n, [x0, y0, x1, y1]] of boxes.entries()) {
      const a = await onScreen(canvas, x0 + 1, y0 + 1);
      const b = await onScreen(canvas, x1 - 1, y1 - 1);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 8 });
      await page.mouse.up();
      // The dataset's one label is taken at once; were it asked for, it is typed.
      const ask = page.getByRole('combobox', { name: 'Label for the new box' });
      if (await ask.isVisible()) {
        await ask.fill('kangaroo');
        await ask.press('Enter');
      }
      await expect(boxList.getByRole('listitem')).toHaveCount(n + 1);
    }
    await page.keyboard.press('Escape');
    for (const item of await boxList.getByRole('listitem').all()) await expect(item).toHaveAccessibleName(/^kangaroo \(/);
    await expect(page.getByRole('status', { name: 'Save status: Saved' })).toBeVisible();
    // Verify marks the image reviewed (the boxes live in the studio's index; the folder is not written unless asked).
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByText('Marked verified.')).toBeVisible();
    await expect(page.locator('.box-label-title')).toContainText('Verified');
    if (i < last.length - 1) await page.getByRole('button', { name: 'Next image' }).click();
  }
  await page.getByRole('link', { name: 'kangaroo', exact: true }).first().click();
  await expect(metric(page, 'Unlabeled')).toHaveText('0');

  // ---- Train: high-speed, followed to its end.
  await startHighSpeedTask(page, 'roos-fast', ['kangaroo']);
  await watchToTheEnd(page, 'Validation mAP@.5');
  await snapshot(page, 'train-detection.png');

  // ---- The model's metrics: the seed's detection table.
  await page.getByRole('link', { name: 'Open model', exact: true }).click();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  const metrics = page.getByRole('table', { name: 'Metrics', exact: true });
  await expect(metrics.getByRole('row', { name: /mAP@\.50IOU/ })).toContainText(/\d/);
  for (const key of ['loss', 'classification_loss', 'localization_loss']) await expect(metrics.getByRole('row', { name: new RegExp(`^${key}`) })).toContainText(/\d/);
  await expect(metrics.getByRole('row', { name: /model_size/ })).toContainText(/KB/);
  // A detector has no confusion matrix, and the page shows no empty card for one.
  await expect(page.getByRole('region', { name: 'Confusion matrix' })).toHaveCount(0);
  await snapshot(page, 'model-detection.png');

  // ---- Try & Publish: a kangaroo photo; a two-epoch detector may find nothing above the threshold.
  const result = await tryImage(page, path.join(kangaroo, '00001.jpg'));
  const drawn = result.getByRole('img', { name: /^00001\.jpg: / });
  await expect(page.getByLabel('Confidence threshold')).toHaveValue('30');
  // Every box the model returns, however unsure: a list row and a drawn box each, or a plain note.
  await page.getByLabel('Confidence threshold').fill('0');
  const rows = result.getByRole('list', { name: 'Predictions' }).getByRole('listitem');
  const none = result.getByText('No box reaches the threshold.');
  await expect(rows.first().or(none)).toBeVisible();
  const found = await rows.count();
  if (found > 0) {
    await expect(drawn).toHaveAccessibleName(`00001.jpg: ${found} ${found === 1 ? 'box' : 'boxes'} drawn`);
    await expect(rows.first()).toContainText('kangaroo');
    await expect(rows.first()).toContainText(/\(\d+, \d+\) – \(\d+, \d+\)/);
  } else {
    await expect(drawn).toHaveAttribute('data-shapes', '0');
  }
  await snapshot(page, 'try-detection.png');
  await result.getByRole('tab', { name: 'JSON' }).click();
  await expect(result.getByLabel('Service response')).toContainText('"success": true');

  await exportForEas(page, path.join(scratch, 'eas-roos'), /roos_fast/);
});
