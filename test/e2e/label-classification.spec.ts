// Classification labeling through the browser mode: the label list, keyboard labeling, saving across
// a reload, undo/redo, renaming and deleting labels, and an edit refused because another window
// changed the image.

import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { callApi, sharedDatasets, studioPerFile } from './studio-server';
import { createInstance, fillNewDataset, metric, snapshot, submitNewDataset } from './studio-ui';

const hymenoptera = path.join(sharedDatasets, 'hymenoptera', 'train');
const FEW = [
  ['ants', '0013035.jpg'],
  ['ants', '1030023514_aad5c608f9.jpg'],
  ['bees', '16838648_415acd9e3f.jpg'],
] as const;

const studio = studioPerFile();

test.skip(!existsSync(hymenoptera), `the labeling tests need the hymenoptera images at ${hymenoptera} (../shared/datasets)`);

const api = <T>(method: string, ...args: unknown[]): Promise<T> => callApi<T>(studio.url, method, ...args);

interface ImageRow {
  id: number;
  path: string;
  label: string | null;
  revision: number;
}

async function storedLabels(datasetId: number): Promise<Record<string, string | null>> {
  const page = await api<{ items: ImageRow[] }>('listImages', { datasetId, limit: 100 });
  return Object.fromEntries(page.items.map((image) => [image.path, image.label]));
}

const tile = (page: Page, file: string) => page.getByRole('listbox', { name: 'Images' }).getByRole('option', { name: new RegExp(`^${file.replace('.', '\\.')},`) });
const labelRow = (page: Page, name: string) => page.getByRole('region', { name: /Labels/ }).getByRole('listitem').filter({ has: page.getByText(name, { exact: true }) });

async function openLabeling(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Label', exact: true }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+\/label\/\d+$/);
}

test('the folder-labeled hymenoptera set shows its counts in the labeling preview', async ({ page }) => {
  // The folder also holds a GIF that is no image at all; it is indexed as invalid, not labeled.
  const jpegs = (dir: string) => readdirSync(path.join(hymenoptera, dir)).filter((file) => /\.jpe?g$/i.test(file)).length;
  const [ants, bees] = [jpegs('ants'), jpegs('bees')];
  await createInstance(page, studio.url, 'Image classification', 'insects', 'Ants and bees');
  const dialog = await fillNewDataset(page, 'hymenoptera', hymenoptera);
  await submitNewDataset(page, dialog, 'hymenoptera');
  await expect(metric(page, 'Images')).toHaveText(String(ants + bees));
  await openLabeling(page);

  await expect(page.getByText(`${ants + bees} of ${ants + bees} labeled`)).toBeVisible();
  await expect(labelRow(page, 'ants').getByLabel(`${ants} images`)).toBeVisible();
  await expect(labelRow(page, 'bees').getByLabel(`${bees} images`)).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Images' }).getByRole('option')).toHaveCount(9);

  // A range of the page, ready for a number key: the screenshot of the labeling screen.
  const options = page.getByRole('listbox', { name: 'Images' }).getByRole('option');
  await options.nth(3).click();
  await options.nth(5).click({ modifiers: ['Shift'] });
  await expect(page.getByRole('option', { selected: true })).toHaveCount(3);
  await expect(page.getByText('3 selected')).toBeVisible();
  await snapshot(page, 'label-classification.png');

  await page.getByRole('tab', { name: 'Preview' }).click();
  await expect(page.getByRole('tab', { name: `Labeled (${ants + bees})` })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Unlabeled (0)' })).toBeVisible();
  await expect(page.getByRole('tab', { name: `ants (${ants})` })).toBeVisible();
  await page.getByRole('tab', { name: `bees (${bees})` }).click();
  const tiles = page.getByRole('list', { name: 'Image tiles' }).getByRole('listitem');
  await expect(tiles.first()).toContainText('bees');
  await expect(tiles.filter({ hasText: 'ants' })).toHaveCount(0);
});

test.describe('an unlabeled folder', () => {
  let folder = '';
  let datasetId = 0;
  test.beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'studio-label-'));
    for (const [dir, file] of FEW) copyFileSync(path.join(hymenoptera, dir, file), path.join(folder, file));
    const instance = await api<{ id: number }>('createInstance', { type: 'classification', name: 'fewbugs' });
    const created = await api<{ dataset: { id: number }; job: { id: string } }>('createDataset', { instanceId: instance.id, name: 'few', path: folder });
    await api('waitJob', created.job.id);
    datasetId = created.dataset.id;
  });
  test.afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test.beforeEach(async ({ page }) => {
    await page.goto(`${studio.url}#/datasets/${datasetId}`);
    await openLabeling(page);
  });

  test('is labeled by keyboard, saved across a reload, undone, renamed and guarded against stale edits', async ({ page }) => {
    const newLabel = page.getByRole('textbox', { name: 'New label' });
    for (const name of ['ants', 'bees']) {
      await newLabel.fill(name);
      await newLabel.press('Enter');
      await expect(labelRow(page, name)).toBeVisible();
    }
    await expect(newLabel).toHaveValue('');
    await expect(page.getByText('0 of 3 labeled')).toBeVisible();

    // The first unlabeled image is selected; each number key labels it and moves to the next one.
    await expect(tile(page, FEW[0][1])).toHaveAttribute('aria-selected', 'true');
    await tile(page, FEW[0][1]).focus();
    await page.keyboard.press('1');
    await expect(tile(page, FEW[1][1])).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('1');
    await expect(tile(page, FEW[2][1])).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('2');
    for (const [label, file] of FEW) await expect(tile(page, file)).toHaveAccessibleName(`${file}, ${label}`);
    await expect(page.getByText('3 of 3 labeled')).toBeVisible();
    await expect(labelRow(page, 'ants').getByLabel('2 images')).toBeVisible();
    await expect(labelRow(page, 'bees').getByLabel('1 image')).toBeVisible();
    await expect(page.getByRole('status', { name: 'Save status: Saved' })).toBeVisible();
    expect(await storedLabels(datasetId)).toEqual({ [FEW[0][1]]: 'ants', [FEW[1][1]]: 'ants', [FEW[2][1]]: 'bees' });

    // Reload right after a change, before its debounced save is due: the edit must still land.
    await tile(page, FEW[1][1]).click();
    await page.keyboard.press('2');
    await page.reload();
    await expect(tile(page, FEW[1][1])).toHaveAccessibleName(`${FEW[1][1]}, bees`);
    await expect(tile(page, FEW[1][1])).toHaveAttribute('aria-selected', 'true');
    expect((await storedLabels(datasetId))[FEW[1][1]]).toBe('bees');

    // Undo and redo, by keyboard and by button.
    await tile(page, FEW[0][1]).click();
    await page.keyboard.press('2');
    await expect(tile(page, FEW[0][1])).toHaveAccessibleName(`${FEW[0][1]}, bees`);
    await page.keyboard.press('Control+z');
    await expect(tile(page, FEW[0][1])).toHaveAccessibleName(`${FEW[0][1]}, ants`);
    await page.keyboard.press('Control+Shift+z');
    await expect(tile(page, FEW[0][1])).toHaveAccessibleName(`${FEW[0][1]}, bees`);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(tile(page, FEW[0][1])).toHaveAccessibleName(`${FEW[0][1]}, ants`);
    await expect(page.getByRole('button', { name: 'Redo' })).toBeEnabled();
    await expect(page.getByRole('status', { name: 'Save status: Saved' })).toBeVisible();
    expect(await storedLabels(datasetId)).toEqual({ [FEW[0][1]]: 'ants', [FEW[1][1]]: 'bees', [FEW[2][1]]: 'bees' });

    // Rename: every image follows, and the counts with them.
    await page.getByRole('button', { name: 'Rename bees' }).click();
    const rename = page.getByRole('textbox', { name: 'New name for bees' });
    await rename.fill('apidae');
    await rename.press('Enter');
    await expect(labelRow(page, 'apidae').getByLabel('2 images')).toBeVisible();
    await expect(labelRow(page, 'bees')).toHaveCount(0);
    await expect(tile(page, FEW[2][1])).toHaveAccessibleName(`${FEW[2][1]}, apidae`);

    // Submit marks the page's labeled images reviewed; nothing unlabeled is left to move on to.
    await page.keyboard.press('Enter');
    await expect(page.getByText('Submitted 3 images. Every image is labeled.')).toBeVisible();

    // Another window changes an image while this page's edit of it is on its way: refused, and said so.
    const target = (await api<{ items: ImageRow[] }>('listImages', { datasetId, limit: 100 })).items.find((i) => i.path === FEW[2][1])!;
    await page.route('**/api/call/saveAnnotation', async (route) => {
      const current = await api<ImageRow>('getImage', target.id);
      await api('saveAnnotation', { imageId: target.id, annotation: { label: null, boxes: [] }, baseRevision: current.revision });
      await route.continue();
    });
    await tile(page, FEW[2][1]).click();
    await page.getByRole('button', { name: 'ants', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'changed in another window or by a re-index' })).toBeVisible();
    await expect(tile(page, FEW[2][1])).toHaveAccessibleName(`${FEW[2][1]}, ants, not saved`);
    await page.unroute('**/api/call/saveAnnotation');
    expect((await storedLabels(datasetId))[FEW[2][1]]).toBeNull();
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(tile(page, FEW[2][1])).toHaveAccessibleName(`${FEW[2][1]}, unlabeled`);

    // Deleting a label says what it will do first.
    await page.getByRole('button', { name: 'Delete apidae' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete label “apidae”?' });
    await expect(confirm).toContainText('1 image labeled “apidae” will become unlabeled.');
    await confirm.getByRole('button', { name: 'Delete label' }).click();
    await expect(confirm).toBeHidden();
    await expect(labelRow(page, 'apidae')).toHaveCount(0);
    await expect(tile(page, FEW[1][1])).toHaveAccessibleName(`${FEW[1][1]}, unlabeled`);
    await expect(page.getByText('1 of 3 labeled')).toBeVisible();
  });

  test('lists and remaps its shortcuts', async ({ page }) => {
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help.getByRole('row', { name: /Submit/ })).toContainText('Enter');
    await help.getByRole('button', { name: 'Change shortcut for Skip' }).click();
    await page.keyboard.press('k');
    await expect(help.getByRole('row', { name: /Skip/ })).toContainText('K');
    await help.getByRole('button', { name: 'Close' }).click();
    await expect(help).toBeHidden();
    await expect(page.getByRole('button', { name: 'Skip' })).toHaveAttribute('title', 'K');
    await page.keyboard.press('?');
    await help.getByRole('button', { name: 'Reset to defaults' }).click();
    await expect(help.getByRole('row', { name: /Skip/ })).toContainText('S');
  });
});
