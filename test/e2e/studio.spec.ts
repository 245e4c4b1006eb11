// End-to-end: the browser-mode server in a fresh workspace, driven through the UI like a user would.
// Needs a built renderer (`npm run build`; `npm test` does it). UPDATE_SCREENSHOTS=1 also refreshes
// resources/screenshots/.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sharedDatasets, studioPerFile } from './studio-server';
import { createInstance, fillNewDataset, metric, snapshot, submitNewDataset, type ImageState } from './studio-ui';

const kangaroo = path.join(sharedDatasets, 'kangaroo');
const hymenopteraTrain = path.join(sharedDatasets, 'hymenoptera', 'train');

async function expectThumbnailShown(page: Page): Promise<void> {
  const thumbnail = page.getByRole('tabpanel', { name: /^All/ }).locator('img').first();
  const naturalWidth = () => thumbnail.evaluate((img) => (img as unknown as ImageState).naturalWidth);
  await expect.poll(naturalWidth).toBeGreaterThan(0);
}

test.describe.configure({ mode: 'serial' });

const studio = studioPerFile();

test('refuses requests without the session token', async () => {
  const origin = new URL(studio.url).origin;
  const token = new URL(studio.url).searchParams.get('token') ?? '';
  const call = (headers: Record<string, string>) =>
    fetch(`${origin}/api/call/listInstances`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"args":[]}' });
  expect((await call({})).status).toBe(401);
  expect((await call({ 'x-studio-token': 'wrong' })).status).toBe(401);
  expect((await fetch(`${origin}/`)).status).toBe(401);
  expect((await call({ 'x-studio-token': token })).status).toBe(200);
});

test('shell: outside an instance only the Data step is available; reloads keep the session', async ({ page }) => {
  await page.goto(studio.url);
  await expect(page).not.toHaveURL(/token=/);
  await page.reload();
  await expect(page.getByRole('table', { name: 'Instances' })).toContainText('No instances yet');
  await expect(page.getByRole('tab', { name: /Data/ })).toHaveAttribute('aria-selected', 'true');
  const train = page.getByRole('tab', { name: /Train/ });
  await expect(train).toBeDisabled();
  await expect(train).toHaveAttribute('title', /open an instance first/i);
  const publish = page.getByRole('tab', { name: /Try & Publish/ });
  await expect(publish).toBeDisabled();
  await expect(publish).toHaveAttribute('title', /open an instance first/i);
});

test('create instance form validates the name live', async ({ page }) => {
  await page.goto(studio.url);
  await page.getByRole('button', { name: 'Create instance' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create instance' });
  const create = dialog.getByRole('button', { name: 'Create', exact: true });
  await expect(create).toBeDisabled();
  await dialog.getByLabel('Instance name').fill('_starts-with-underscore');
  await expect(dialog.getByText(/must start with a letter/)).toBeVisible();
  await expect(create).toBeDisabled();
  await dialog.getByLabel('Instance name').fill('x'.repeat(31));
  await expect(dialog.getByText(/1–30 characters long/)).toBeVisible();
  await dialog.getByLabel('Instance name').fill('袋鼠-ok_1');
  await expect(create).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('detection: index the kangaroo folder', async ({ page }) => {
  test.skip(!existsSync(kangaroo), `shared test data not found at ${kangaroo}`);
  await createInstance(page, studio.url, 'Object detection', 'kangaroo-det', 'Kangaroo detector (PASCAL VOC sample)');
  const dialog = await fillNewDataset(page, 'kangaroo', path.join(kangaroo, 'no-such-folder'));
  await dialog.getByRole('button', { name: 'Create and index' }).click();
  const folder = dialog.getByLabel('Image folder');
  await expect(folder).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByRole('alert')).toContainText('folder not found');
  await folder.fill(kangaroo);
  await expect(folder).toHaveAttribute('aria-invalid', 'false');
  await submitNewDataset(page, dialog, 'kangaroo');

  await expect(metric(page, 'Images')).toHaveText('164');
  await expect(metric(page, 'Boxes')).toHaveText('266');
  await expect(metric(page, 'Invalid')).toHaveText('0');
  await expect(page.getByRole('tab', { name: 'All (164)' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('list', { name: /Labels/ }).getByRole('listitem')).toHaveText([/kangaroo\s*266/]);
  await expectThumbnailShown(page);
  await expect(page.getByRole('listitem').filter({ hasText: '00001.jpg' })).toContainText('2 boxes');
  await snapshot(page, 'dataset.png');

  await page.getByRole('tab', { name: 'Invalid (0)' }).click();
  await expect(page.getByRole('tabpanel', { name: /^Invalid/ }).getByText('No images here.')).toBeVisible();

  await page.getByRole('button', { name: 'Re-index' }).click();
  const report = page.getByRole('region', { name: 'Index report' });
  await expect(report.getByRole('definition')).toHaveText(['0', '0', '0', '164']);
});

test('classification: hymenoptera/train with its GIF placeholder', async ({ page }) => {
  test.skip(!existsSync(hymenopteraTrain), `shared test data not found at ${hymenopteraTrain}`);
  await createInstance(page, studio.url, 'Image classification', 'ants-bees', 'Ants or bees');
  await submitNewDataset(page, await fillNewDataset(page, 'hymenoptera-train', hymenopteraTrain), 'hymenoptera-train');

  await expect(metric(page, 'Images')).toHaveText('244');
  await expect(metric(page, 'Labeled')).toHaveText('244');
  await expect(metric(page, 'Invalid')).toHaveText('1');
  await expect(page.getByRole('list', { name: /Labels/ }).getByRole('listitem')).toHaveText([/ants\s*123/, /bees\s*121/]);
  const invalidFiles = page.getByRole('list', { name: 'Invalid files' });
  await expect(invalidFiles).toContainText('ants/imageNotFound.gif');
  await expectThumbnailShown(page);

  await page.getByRole('tab', { name: 'Invalid (1)' }).click();
  const tile = page.getByRole('tabpanel', { name: /^Invalid/ }).getByRole('listitem');
  await expect(tile).toHaveCount(1);
  await expect(tile).toContainText('imageNotFound.gif');
  await expect(tile.locator('img')).toHaveCount(0);

  await page.getByRole('button', { name: '3 per row' }).click();
  await page.getByRole('tab', { name: 'Labeled (244)' }).click();
  await expect(page.getByRole('tabpanel', { name: /^Labeled/ }).getByRole('listitem').first()).toContainText('ants');
});

test('instance list: open and delete with confirmation', async ({ page }) => {
  await page.goto(studio.url);
  const table = page.getByRole('table', { name: 'Instances' });
  const row = table.getByRole('row', { name: /ants-bees/ });
  await expect(row).toContainText('Image classification');
  await snapshot(page, 'instances.png');

  await row.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete instance “ants-bees”?' });
  await expect(confirm).toContainText('1 dataset');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
  await expect(table.getByRole('row', { name: /kangaroo-det/ })).toBeVisible();

  await table.getByRole('row', { name: /kangaroo-det/ }).getByRole('link', { name: 'Open' }).click();
  await expect(page.getByRole('table', { name: 'Datasets' }).getByRole('row', { name: /kangaroo/ })).toContainText('164');
});
