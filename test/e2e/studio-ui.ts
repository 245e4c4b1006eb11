// Steps through the studio's UI shared by the end-to-end specs.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { repoRoot } from './studio-server';

const screenshotDir = path.join(repoRoot, 'resources', 'screenshots');

/** The HTMLImageElement fields read here; the specs are type-checked without the DOM library. */
export type ImageState = { complete: boolean; naturalWidth: number };

/** Saves resources/screenshots/<name> when UPDATE_SCREENSHOTS is set, once every image has loaded. */
export async function snapshot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  mkdirSync(screenshotDir, { recursive: true });
  const allLoaded = () => page.locator('img').evaluateAll((images) => (images as unknown as ImageState[]).every((img) => img.complete));
  await expect.poll(allLoaded).toBe(true);
  await page.screenshot({ path: path.join(screenshotDir, name) });
}

export function metric(page: Page, label: string): Locator {
  return page.getByRole('region', { name: 'Dataset statistics' }).getByRole('group', { name: label, exact: true }).locator('.metric-value');
}

export async function createInstance(page: Page, studioUrl: string, type: string, name: string, description: string): Promise<void> {
  await page.goto(studioUrl);
  await page.getByRole('button', { name: 'Create instance' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create instance' });
  await dialog.getByLabel(type).check();
  await dialog.getByLabel('Instance name').fill(name);
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
}

export async function fillNewDataset(page: Page, name: string, folder: string): Promise<Locator> {
  await page.getByRole('button', { name: 'New dataset' }).click();
  const dialog = page.getByRole('dialog', { name: 'New dataset' });
  await dialog.getByLabel('Dataset name').fill(name);
  await dialog.getByLabel('Image folder').fill(folder);
  // No native folder picker in the browser.
  await expect(dialog.getByRole('button', { name: 'Browse…' })).toHaveCount(0);
  return dialog;
}

export async function submitNewDataset(page: Page, dialog: Locator, name: string): Promise<void> {
  await dialog.getByRole('button', { name: 'Create and index' }).click();
  // The instance's own heading may contain the dataset's name: wait for the dataset page itself.
  await expect(page).toHaveURL(/#\/datasets\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
}
