// End-to-end: the browser-mode server in a fresh workspace, driven through the UI like a user would.
// Needs a built renderer (`npm run build`; `npm test` does it). UPDATE_SCREENSHOTS=1 also refreshes
// resources/screenshots/.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = path.resolve(repoRoot, '../shared/datasets');
const kangaroo = path.join(datasets, 'kangaroo');
const hymenopteraTrain = path.join(datasets, 'hymenoptera', 'train');
const screenshotDir = path.join(repoRoot, 'resources', 'screenshots');

/** The HTMLImageElement fields read here; this file is type-checked without the DOM library. */
type ImageState = { complete: boolean; naturalWidth: number };

let server: ChildProcess;
let studioUrl: string;
let workspace: string;

/** Starts `studio --port 0` and resolves with the URL (token included) it prints. */
function startStudio(workspaceDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npm', ['run', '--silent', 'cli', '--', 'studio', '--port', '0', '--workspace', workspaceDir], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${path.join(repoRoot, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` },
    // Its own process group, so afterAll can stop npm, tsx and node together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`studio printed no URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /https?:\/\/\S+/.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`studio exited with ${code} before printing its URL:\n${output}`));
    });
  });
}

async function stopStudio(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
}

async function snapshot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  mkdirSync(screenshotDir, { recursive: true });
  const allLoaded = () => page.locator('img').evaluateAll((images) => (images as unknown as ImageState[]).every((img) => img.complete));
  await expect.poll(allLoaded).toBe(true);
  await page.screenshot({ path: path.join(screenshotDir, name) });
}

function metric(page: Page, label: string): Locator {
  return page.getByRole('region', { name: 'Dataset statistics' }).getByRole('group', { name: label, exact: true }).locator('.metric-value');
}

async function createInstance(page: Page, type: string, name: string, description: string): Promise<void> {
  await page.goto(studioUrl);
  await page.getByRole('button', { name: 'Create instance' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create instance' });
  await dialog.getByLabel(type).check();
  await dialog.getByLabel('Instance name').fill(name);
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
}

async function fillNewDataset(page: Page, name: string, folder: string): Promise<Locator> {
  await page.getByRole('button', { name: 'New dataset' }).click();
  const dialog = page.getByRole('dialog', { name: 'New dataset' });
  await dialog.getByLabel('Dataset name').fill(name);
  await dialog.getByLabel('Image folder').fill(folder);
  // No native folder picker in the browser.
  await expect(dialog.getByRole('button', { name: 'Browse…' })).toHaveCount(0);
  return dialog;
}

async function submitNewDataset(page: Page, dialog: Locator, name: string): Promise<void> {
  await dialog.getByRole('button', { name: 'Create and index' }).click();
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
}

async function expectThumbnailShown(page: Page): Promise<void> {
  const thumbnail = page.getByRole('tabpanel', { name: /^All/ }).locator('img').first();
  const naturalWidth = () => thumbnail.evaluate((img) => (img as unknown as ImageState).naturalWidth);
  await expect.poll(naturalWidth).toBeGreaterThan(0);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  workspace = mkdtempSync(path.join(tmpdir(), 'studio-e2e-'));
  const started = await startStudio(workspace);
  server = started.child;
  studioUrl = started.url;
});

test.afterAll(async () => {
  if (server) await stopStudio(server);
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('refuses requests without the session token', async () => {
  const origin = new URL(studioUrl).origin;
  const token = new URL(studioUrl).searchParams.get('token') ?? '';
  const call = (headers: Record<string, string>) =>
    fetch(`${origin}/api/call/listInstances`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"args":[]}' });
  expect((await call({})).status).toBe(401);
  expect((await call({ 'x-studio-token': 'wrong' })).status).toBe(401);
  expect((await fetch(`${origin}/`)).status).toBe(401);
  expect((await call({ 'x-studio-token': token })).status).toBe(200);
});

test('shell: only the Data step is available; reloads keep the session', async ({ page }) => {
  await page.goto(studioUrl);
  await expect(page).not.toHaveURL(/token=/);
  await page.reload();
  await expect(page.getByRole('table', { name: 'Instances' })).toContainText('No instances yet');
  await expect(page.getByRole('tab', { name: /Data/ })).toHaveAttribute('aria-selected', 'true');
  for (const step of [/Train/, /Try & Publish/]) {
    const tab = page.getByRole('tab', { name: step });
    await expect(tab).toBeDisabled();
    await expect(tab).toHaveAttribute('title', /arrives with training/i);
  }
});

test('create instance form validates the name live', async ({ page }) => {
  await page.goto(studioUrl);
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
  await createInstance(page, 'Object detection', 'kangaroo-det', 'Kangaroo detector (PASCAL VOC sample)');
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
  await createInstance(page, 'Image classification', 'ants-bees', 'Ants or bees');
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
  await page.goto(studioUrl);
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
