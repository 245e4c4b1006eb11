// End-to-end: export a dataset through the UI, then import those annotations into another dataset.
// Needs a built renderer; UPDATE_SCREENSHOTS=1 also refreshes resources/screenshots/export.png.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sharedDatasets, studioPerFile } from './studio-server';
import { createInstance, fillNewDataset, metric, snapshot, submitNewDataset } from './studio-ui';

const kangaroo = path.join(sharedDatasets, 'kangaroo');

test.skip(!existsSync(kangaroo), `shared test data not found at ${kangaroo}`);
test.describe.configure({ mode: 'serial' });

const studio = studioPerFile();
let scratch: string;
/** The voc-devkit export of kangaroo, written by the first test and read by the others. */
let devkit: string;
/** Where the first test left the instance and the kangaroo dataset (hash routes). */
let instanceRoute: string;
let kangarooRoute: string;

test.beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'studio-e2e-interchange-'));
  devkit = path.join(scratch, 'kangaroo-devkit');
});

test.afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens a page of the app; a new page has no session yet, so the token comes along. */
async function open(page: Page, route: string): Promise<void> {
  await page.goto(studio.url + route);
}

function exportDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Export “kangaroo”' });
}

test('export kangaroo as a VOC devkit split into train/val', async ({ page }) => {
  await createInstance(page, studio.url, 'Object detection', 'kangaroo-io', 'Export and import');
  instanceRoute = new URL(page.url()).hash;
  await submitNewDataset(page, await fillNewDataset(page, 'kangaroo', kangaroo), 'kangaroo');
  kangarooRoute = new URL(page.url()).hash;
  await expect(metric(page, 'Labeled')).toHaveText('164');

  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = exportDialog(page);
  const format = dialog.getByLabel('Format');
  // Only formats that carry detection are offered.
  await expect(format.locator('option[value="folders"]')).toHaveCount(0);
  await format.selectOption('voc-devkit');
  await expect(dialog).toContainText('ImageSets/Main/');
  await dialog.getByLabel('Output folder').fill(devkit);
  await expect(dialog.getByLabel('Train share')).toBeDisabled();
  await dialog.getByLabel('Split into train/val').check();
  await expect(dialog.getByLabel('Train share')).toHaveValue('0.9');
  await expect(dialog.getByLabel('Seed')).toHaveValue('0');
  await expect(dialog.getByLabel('Link (fast, no extra space)')).toBeChecked();
  await snapshot(page, 'export.png');

  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(dialog).toBeHidden();
  const report = page.getByRole('region', { name: 'Export report' });
  await expect(report).toContainText(`Exported 164 images as PASCAL VOC devkit to ${devkit}:`);
  await expect(report).toContainText(/: \d+ files in \d+\.\d s/);
  await expect(page.getByRole('button', { name: 'Import…' })).toBeEnabled();

  const ids = (set: string) => readFileSync(path.join(devkit, 'ImageSets', 'Main', `${set}.txt`), 'utf8').split('\n').filter(Boolean);
  expect(ids('val').length).toBeGreaterThan(0);
  expect(ids('train').length + ids('val').length).toBe(164);

  await report.getByRole('button', { name: 'Dismiss' }).click();
  await expect(report).toHaveCount(0);
});

test('export into a non-empty folder keeps the dialog open with the field error', async ({ page }) => {
  await open(page, kangarooRoute);
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = exportDialog(page);
  const folder = dialog.getByLabel('Output folder');
  await folder.fill(devkit);
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(folder).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('alert')).toContainText('not empty');
  await folder.fill(path.join(scratch, 'another'));
  await expect(folder).toHaveAttribute('aria-invalid', 'false');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('import the devkit into a dataset of three unlabeled copies', async ({ page }) => {
  const three = path.join(scratch, 'three');
  mkdirSync(three);
  for (const name of ['00001.jpg', '00002.jpg', '00003.jpg']) copyFileSync(path.join(kangaroo, name), path.join(three, name));
  await open(page, instanceRoute);
  await submitNewDataset(page, await fillNewDataset(page, 'three', three), 'three');
  await expect(metric(page, 'Images')).toHaveText('3');
  await expect(metric(page, 'Labeled')).toHaveText('0');

  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import annotations into “three”' });
  await dialog.getByLabel('Format').selectOption('voc-devkit');
  await dialog.getByLabel('Source folder').fill(devkit);
  await expect(dialog).toContainText('replace the current ones of matched images');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toBeHidden();

  const report = page.getByRole('region', { name: 'Import report' });
  await expect(report.getByRole('definition')).toHaveText(['3', '161', '0']);
  await report.getByText('Unmatched names (161)').click();
  await expect(report.getByRole('list', { name: 'Unmatched names' })).toContainText('00004.jpg');
  await expect(metric(page, 'Labeled')).toHaveText('3');
  await expect(page.getByRole('tab', { name: 'Labeled (3)' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: '00001.jpg' })).toContainText('2 boxes');
});
