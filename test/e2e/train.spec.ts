// The Train step through the browser mode: a classification instance from a generated colour folder
// (the folder layout gives the labels), the new task form with its inline validation, a short
// training followed live on the detail page (chart points, trials, log lines), the model page with
// its metrics, and Stop on a longer run; then two versions compared side by side, and a delete.

import { rmSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { makeColourData } from './colour-data';
import { studioPerFile } from './studio-server';
import { createInstance, fillNewDataset, metric, snapshot, submitNewDataset } from './studio-ui';

const studio = studioPerFile();
const LABELS = ['blue', 'green', 'red'];
const PER_CLASS = 12;

let scratch = '';
let colours = '';
let backbone = '';

test.beforeAll(() => {
  ({ scratch, colours, backbone } = makeColourData({ labels: LABELS, perClass: PER_CLASS }));
});

test.afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.describe.configure({ mode: 'serial' });

const stepTab = (page: Page, step: string): Locator => page.getByRole('tablist', { name: 'AutoLearning steps' }).getByRole('tab', { name: new RegExp(step) });
const chart = (page: Page, title: string): Locator => page.getByRole('figure', { name: title, exact: true });
const points = async (figure: Locator): Promise<number> => Number(await figure.getAttribute('data-points'));

async function openNewTaskForm(page: Page): Promise<Locator> {
  await stepTab(page, 'Train').click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/train$/);
  await page.getByRole('link', { name: 'New training task' }).first().click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/train\/new$/);
  return page.getByRole('form', { name: 'New training task' });
}

test('a short training from the form, followed to its end, then its model', async ({ page }) => {
  test.setTimeout(240_000);
  await createInstance(page, studio.url, 'Image classification', 'colours', 'Red, green and blue squares');
  // Before any dataset exists the Train step already opens: its lists are empty.
  await stepTab(page, 'Train').click();
  await expect(page.getByRole('table', { name: 'Training tasks' })).toContainText('No training tasks yet');
  await stepTab(page, 'Data').click();
  await expect(page).toHaveURL(/#\/instances\/\d+$/);

  const dialog = await fillNewDataset(page, 'squares', colours);
  await submitNewDataset(page, dialog, 'squares');
  await expect(metric(page, 'Labeled')).toHaveText(String(LABELS.length * PER_CLASS));

  const form = await openNewTaskForm(page);
  const name = form.getByLabel('Task name');
  await expect(name).toHaveValue('squares-1');
  // The seed's name rule, checked as the user types.
  await name.fill('_squares');
  await expect(form.getByText(/Name must start with a letter/)).toBeVisible();
  const start = form.getByRole('button', { name: 'Start training' });
  await expect(start).toBeDisabled();
  await name.fill('colours-fast');
  await form.getByLabel('Description').fill('High-speed on the colour backbone');

  // Labels come from the folders, with their image counts; classification needs two of them.
  const labels = form.getByRole('group', { name: /Labels/ });
  for (const label of LABELS) await expect(labels.getByRole('checkbox', { name: new RegExp(label) })).toBeChecked();
  await expect(labels.getByLabel(`${PER_CLASS} images`, { exact: true })).toHaveCount(LABELS.length);
  await labels.getByRole('checkbox', { name: /green/ }).uncheck();
  await labels.getByRole('checkbox', { name: /red/ }).uncheck();
  await expect(labels.getByText('Choose at least 2 labels.')).toBeVisible();
  await expect(start).toBeDisabled();
  await labels.getByRole('button', { name: 'All' }).click();
  await expect(labels.getByRole('checkbox', { checked: true })).toHaveCount(3);

  await expect(form.getByRole('radio', { name: /High-speed/ })).toBeChecked();
  await expect(form.getByText(/Predicts more slowly than high-speed but more accurately/)).toBeVisible();
  await expect(form.getByRole('radio', { name: /Automatic/ })).toBeChecked();
  await expect(form.getByText('No task has trained yet', { exact: false })).toBeVisible();
  await form.getByLabel('Max training time').fill('15');
  await expect(form.getByText('15 min', { exact: true })).toBeVisible();
  await expect(form.getByRole('checkbox', { name: /Incremental training/ })).toBeDisabled();
  await form.getByLabel('Backbone', { exact: true }).selectOption({ label: 'Import a folder…' });
  await form.getByLabel('Backbone folder').fill(backbone);
  await page.locator('#step-panel').evaluate((panel) => panel.scrollTo(0, 0));
  await snapshot(page, 'train-form.png');

  await start.click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /colours-fast/ })).toBeVisible();
  await expect(page.getByLabel('Basic information')).toContainText('Task ID');

  // Live: the search trials appear as steps and the loss chart gains points while it trains.
  const steps = page.getByRole('list', { name: 'Training steps' });
  await expect(steps.getByRole('listitem', { name: /Search trial 0 \(default settings\)/ })).toBeVisible({ timeout: 120_000 });
  await expect.poll(() => points(chart(page, 'Loss')), { timeout: 120_000 }).toBeGreaterThan(2);
  await expect(page.getByRole('heading', { level: 1 }).getByText(/^Finished/)).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole('status')).toContainText('Training finished');
  await expect(steps.getByRole('listitem', { name: /Final training: Finished/ })).toBeVisible();
  await expect(steps.getByRole('listitem', { name: /Model version: Finished/ })).toBeVisible();
  expect(await points(chart(page, 'Validation accuracy'))).toBeGreaterThan(2);
  await expect(page.getByLabel('Basic information')).toContainText(/(CPU|GPU) · /);
  await expect(page.getByRole('table', { name: 'Validation metrics' })).toContainText('accuracy');
  await snapshot(page, 'train-detail.png');

  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('log', { name: 'Log lines' });
  await expect(log).toContainText(/backend/i);
  await expect(log).toContainText(/model version \d+ saved/);

  await page.getByRole('link', { name: 'Open model', exact: true }).click();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  const metrics = page.getByRole('table', { name: 'Metrics', exact: true });
  await expect(metrics.getByRole('row', { name: /accuracy/ })).toContainText(/\d+\.\d\s?%/);
  await expect(metrics.getByRole('row', { name: /model_size/ })).toContainText(/KB/);
  await expect(page.getByRole('table', { name: 'Per-class metrics' }).getByRole('row')).toHaveCount(LABELS.length + 1);
  await expect(page.getByRole('table', { name: 'Confusion matrix' }).getByRole('row')).toHaveCount(LABELS.length + 1);
  // The way on to the Try & Publish step.
  await expect(page.getByRole('link', { name: 'Try', exact: true })).toHaveAttribute('href', /#\/models\/\d+\/try$/);
  await expect(page.getByRole('link', { name: 'Export for EAS' })).toHaveAttribute('href', /#\/models\/\d+\/publish$/);
  await expect.poll(() => points(chart(page, 'Loss'))).toBeGreaterThan(2);
  await snapshot(page, 'model.png');

  // The task list shows the finished task with its best metric.
  await stepTab(page, 'Train').click();
  const row = page.getByRole('table', { name: 'Training tasks' }).getByRole('row', { name: /colours-fast/ });
  await expect(row).toContainText('Finished');
  await expect(row).toContainText(/\d+\.\d\s?%/);
});

test('Stop ends a longer run and keeps its best epoch; two versions compare side by side; delete asks first', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(studio.url);
  await page.getByRole('link', { name: 'colours', exact: true }).click();
  const form = await openNewTaskForm(page);
  // After the suggested name has landed (see the journey), so the fill replaces it.
  const taskName = form.getByLabel('Task name');
  await expect(taskName).not.toHaveValue('');
  await taskName.fill('colours-long');
  await expect(taskName).toHaveValue('colours-long');
  await form.getByRole('radio', { name: /High-accuracy/ }).check();
  // The last task's backend is now known to the form.
  await expect(form.getByText(/The last task trained on (CPU|GPU)/)).toBeVisible();
  await form.getByLabel('Backbone', { exact: true }).selectOption({ label: 'None: train a small network from scratch' });
  await form.getByText('Advanced').click();
  await form.getByRole('checkbox', { name: /Hyperparameter search/ }).uncheck();
  await form.getByRole('button', { name: 'Start training' }).click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);

  await expect(page.getByRole('list', { name: 'Training steps' }).getByRole('listitem', { name: /Hyperparameter search: Skipped/ })).toBeVisible();
  await expect.poll(() => points(chart(page, 'Loss')), { timeout: 120_000 }).toBeGreaterThan(2);
  await snapshot(page, 'train-running.png');
  await page.getByRole('button', { name: 'Stop training' }).click();
  await expect(page.getByRole('heading', { level: 1 }).getByText('Stopped')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText('stopped by user');
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByRole('log', { name: 'Log lines' })).toContainText('stop requested');

  await stepTab(page, 'Train').click();
  const models = page.getByRole('table', { name: 'Model versions' });
  await expect(models.getByRole('row')).toHaveCount(3);
  await snapshot(page, 'train-tasks.png');
  await models.getByRole('checkbox', { name: /colours-fast/ }).check();
  await models.getByRole('checkbox', { name: /colours-long/ }).check();
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page).toHaveURL(/#\/models\/\d+\/compare\/\d+$/);
  const compared = page.getByRole('table', { name: 'Metrics compared' });
  await expect(compared.getByRole('columnheader')).toHaveText(['Key', /colours-fast/, /colours-long/, 'Difference']);
  await expect(compared.getByRole('row', { name: /accuracy/ })).toContainText(/pp|±0/);
  await expect.poll(() => points(chart(page, 'Loss (solid: training, dashed: validation)'))).toBeGreaterThan(2);
  await snapshot(page, 'train-compare.png');

  await page.getByRole('link', { name: /colours-long/ }).first().click();
  await expect(page).toHaveURL(/#\/models\/\d+$/);
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: /Delete model version “colours-long”/ });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/train$/);
  await expect(page.getByRole('table', { name: 'Model versions' }).getByRole('row')).toHaveCount(2);
  // The task stays, with its log: only the model version is gone.
  await expect(page.getByRole('table', { name: 'Training tasks' }).getByRole('row', { name: /colours-long/ })).toContainText('Stopped');
});
