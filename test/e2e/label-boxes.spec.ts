// End-to-end: labeling boxes (detection) and OCR text boxes on the canvas, checked against what the
// studio stored (in image pixels) and wrote to disk. Needs a built renderer; UPDATE_SCREENSHOTS=1 also
// refreshes resources/screenshots/label-detection.png and label-ocr.png.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { Box, Dataset, ImageDetail, ImagePage, Instance, InstanceType, JobInfo } from '../../main/shared/api';
import { callApi, sharedDatasets, studioPerFile } from './studio-server';
import { snapshot } from './studio-ui';

const kangaroo = path.join(sharedDatasets, 'kangaroo');
const KANGAROO_FILES = ['00001.jpg', '00002.jpg', '00003.jpg'];

test.describe.configure({ mode: 'serial' });

const studio = studioPerFile();
const folders: string[] = [];
test.afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const api = <T>(method: string, ...args: unknown[]): Promise<T> => callApi<T>(studio.url, method, ...args);

/** A dataset over a fresh folder holding `files` (name → file to copy, or the file's bytes); resolves once indexed. */
async function makeDataset(type: InstanceType, name: string, files: Record<string, string | Buffer>): Promise<{ dataset: Dataset; folder: string; images: ImagePage['items'] }> {
  const folder = mkdtempSync(path.join(tmpdir(), `label-${name}-`));
  folders.push(folder);
  for (const [file, source] of Object.entries(files)) {
    if (typeof source === 'string') copyFileSync(source, path.join(folder, file));
    else writeFileSync(path.join(folder, file), source);
  }
  const instance = await api<Instance>('createInstance', { type, name });
  const created = await api<{ dataset: Dataset; job: JobInfo }>('createDataset', { instanceId: instance.id, name, path: folder });
  await api<JobInfo>('waitJob', created.job.id);
  const images = (await api<ImagePage>('listImages', { datasetId: created.dataset.id })).items.sort((a, b) => a.path.localeCompare(b.path));
  return { dataset: created.dataset, folder, images };
}

async function openLabeling(page: Page, datasetId: number, imageId: number): Promise<void> {
  await page.goto(studio.url);
  await page.goto(`${new URL(studio.url).origin}/#/datasets/${datasetId}/label/${imageId}`);
  await expect(canvas(page)).toHaveAttribute('data-view', /\d/);
}

const canvas = (page: Page) => page.getByRole('application', { name: 'Image canvas' });
const boxList = (page: Page) => page.getByRole('list', { name: 'Boxes' });

interface Point {
  x: number;
  y: number;
}

/** Where image pixel `p` is on the page right now (the canvas publishes its view as "scale x y"). */
async function onScreen(page: Page, p: Point): Promise<Point> {
  const [scale, x, y] = (await canvas(page).getAttribute('data-view'))!.split(' ').map(Number) as [number, number, number];
  const bounds = (await canvas(page).boundingBox())!;
  return { x: bounds.x + x + p.x * scale, y: bounds.y + y + p.y * scale };
}

async function viewScale(page: Page): Promise<number> {
  return Number((await canvas(page).getAttribute('data-view'))!.split(' ')[0]);
}

/** Drags between two image pixels, in small steps like a hand would. */
async function drag(page: Page, from: Point, to: Point): Promise<void> {
  const a = await onScreen(page, from);
  const b = await onScreen(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

type Corners = [number, number, number, number];
const corners = (box: Box): Corners => [box.xmin, box.ymin, box.xmax, box.ymax];

/** Largest difference, in image pixels, between the stored boxes and the intended ones (Infinity if the counts differ). */
async function storedError(imageId: number, expected: Corners[]): Promise<number> {
  const { boxes } = await api<ImageDetail>('getImage', imageId);
  if (boxes.length !== expected.length) return Infinity;
  return Math.max(0, ...boxes.flatMap((box, i) => corners(box).map((v, k) => Math.abs(v - expected[i]![k]!))));
}

async function expectStored(imageId: number, expected: Corners[]): Promise<void> {
  await expect.poll(() => storedError(imageId, expected), { message: `stored boxes ≈ ${JSON.stringify(expected)}` }).toBeLessThanOrEqual(1);
}

test('boxes: draw, move, resize and delete at two zoom levels; undo and redo', async ({ page }) => {
  test.skip(!existsSync(kangaroo), `shared test data not found at ${kangaroo}`);
  const { dataset, images } = await makeDataset(
    'detection',
    'roos',
    Object.fromEntries(KANGAROO_FILES.map((file) => [file, path.join(kangaroo, file)])),
  );
  const image = images[0]!;
  await openLabeling(page, dataset.id, image.id);
  await expect(page.getByText('Image 1 of 3')).toBeVisible();
  const fitScale = await viewScale(page);

  // The two kangaroos of 00001.jpg are at (134, 105)–(341, 253) and (233, 89)–(386, 262) (its VOC file).
  // Fit: draw by drag. The dataset has no label yet, so the box waits for one.
  await page.getByRole('button', { name: 'Draw' }).click();
  await expect(page.getByRole('button', { name: 'Draw' })).toHaveAttribute('aria-pressed', 'true');
  await drag(page, { x: 100, y: 80 }, { x: 300, y: 230 });
  const newLabel = page.getByRole('combobox', { name: 'Label for the new box' });
  await expect(newLabel).toBeFocused();
  await newLabel.fill('kangaroo');
  await newLabel.press('Enter');
  await expect(boxList(page).getByRole('listitem')).toHaveCount(1);
  await expect(boxList(page).getByRole('listitem').first()).toHaveAccessibleName(/^kangaroo \(/);
  await expectStored(image.id, [[100, 80, 300, 230]]);

  // Still drawing: a second box by two clicks takes the label just used.
  for (const p of [{ x: 240, y: 95 }, { x: 380, y: 255 }]) {
    const s = await onScreen(page, p);
    await page.mouse.click(s.x, s.y);
  }
  await expectStored(image.id, [
    [100, 80, 300, 230],
    [240, 95, 380, 255],
  ]);

  // Esc leaves draw mode; drag the first box by its middle, then resize it by its bottom-right handle.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Draw' })).toHaveAttribute('aria-pressed', 'false');
  await boxList(page).getByRole('listitem').first().getByRole('button').first().click();
  await drag(page, { x: 150, y: 150 }, { x: 184, y: 175 });
  await expectStored(image.id, [
    [134, 105, 334, 255],
    [240, 95, 380, 255],
  ]);
  await drag(page, { x: 334, y: 255 }, { x: 341, y: 253 });
  await expectStored(image.id, [
    [134, 105, 341, 253],
    [240, 95, 380, 255],
  ]);

  // Zoomed in: the wheel zooms towards the pointer; the same pixel edits must land on the same pixels.
  const focus = await onScreen(page, { x: 380, y: 255 });
  await page.mouse.move(focus.x, focus.y);
  for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -240);
  await expect.poll(() => viewScale(page)).toBeGreaterThan(fitScale * 1.8);
  await page.getByRole('listitem', { name: /\(240, 95\)/ }).getByRole('button').first().click();
  await drag(page, { x: 360, y: 150 }, { x: 353, y: 144 });
  await drag(page, { x: 373, y: 249 }, { x: 386, y: 262 });
  await expectStored(image.id, [
    [134, 105, 341, 253],
    [233, 89, 386, 262],
  ]);
  await page.keyboard.press('f');
  await expect.poll(() => viewScale(page)).toBe(fitScale);
  await snapshot(page, 'label-detection.png');

  // Delete the second box, then undo and redo the deletion.
  await page.keyboard.press('Delete');
  await expect(boxList(page).getByRole('listitem')).toHaveCount(1);
  await expectStored(image.id, [[134, 105, 341, 253]]);
  await page.keyboard.press('Control+z');
  await expect(boxList(page).getByRole('listitem')).toHaveCount(2);
  await expectStored(image.id, [
    [134, 105, 341, 253],
    [233, 89, 386, 262],
  ]);
  await page.keyboard.press('Control+z');
  await expectStored(image.id, [
    [134, 105, 341, 253],
    [233, 89, 373, 249],
  ]);
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await expect(boxList(page).getByRole('listitem')).toHaveCount(1);
  await expectStored(image.id, [[134, 105, 341, 253]]);
  await expect(page.getByRole('button', { name: 'Redo' })).toBeDisabled();

  // 1:1 shows image pixels as screen pixels.
  await page.keyboard.press('0');
  await expect.poll(() => viewScale(page)).toBe(1);

  // D: the next image. Ctrl+V copies the previous image's boxes, Ctrl+D duplicates the selected one.
  await page.keyboard.press('d');
  await expect(page.getByText('Image 2 of 3')).toBeVisible();
  await expect(page.getByText('No boxes yet')).toBeVisible();
  await page.keyboard.press('Control+v');
  await expectStored(images[1]!.id, [[134, 105, 341, 253]]);
  await boxList(page).getByRole('listitem').getByRole('button').first().click();
  await page.keyboard.press('Control+d');
  await expect(boxList(page).getByRole('listitem')).toHaveCount(2);
  const hide = page.getByRole('button', { name: 'Hide box 2' });
  await hide.click();
  await expect(hide).toHaveAttribute('aria-pressed', 'true');

  // Space held while dragging pans and does not verify; a Space tap verifies.
  const viewBefore = await canvas(page).getAttribute('data-view');
  const grab = await onScreen(page, { x: 20, y: 20 });
  await page.keyboard.down('Space');
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + 80, grab.y + 40, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Space');
  await expect(canvas(page)).not.toHaveAttribute('data-view', viewBefore!);
  await expect(boxList(page).getByRole('listitem')).toHaveCount(2);
  // A verify would have gone out at the key's release: give it time to arrive before checking it did not.
  await page.waitForTimeout(300);
  expect((await api<ImageDetail>('getImage', images[1]!.id)).reviewed).toBe(false);
  await page.keyboard.press('Space');
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  expect((await api<ImageDetail>('getImage', images[1]!.id)).reviewed).toBe(true);
});

test('boxes: an edit made just before a reload is saved', async ({ page }) => {
  test.skip(!existsSync(kangaroo), `shared test data not found at ${kangaroo}`);
  const { dataset, images } = await makeDataset('detection', 'reload', { '00004.jpg': path.join(kangaroo, '00004.jpg') });
  const image = images[0]!;
  await api('saveAnnotation', { imageId: image.id, annotation: { label: null, boxes: [{ label: 'kangaroo', xmin: 10, ymin: 10, xmax: 60, ymax: 50 }] } });
  await openLabeling(page, dataset.id, image.id);
  await boxList(page).getByRole('listitem').getByRole('button').first().click();
  // Nudge right by 10 and 1 and reload at once, before the debounced save would have fired.
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.reload();
  await expect(boxList(page).getByRole('listitem', { name: 'kangaroo (21, 10) – (71, 50)' })).toBeVisible();
  await expectStored(image.id, [[21, 10, 71, 50]]);
});

test('boxes: a photo with an EXIF orientation is labeled in its displayed frame', async ({ page }) => {
  // Stored 300×200, tagged "rotate 90° clockwise": shown (and indexed) as 200×300.
  const raw = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#6a8' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const { dataset, images } = await makeDataset('detection', 'exif', { 'rotated.jpg': raw });
  const image = images[0]!;
  expect([image.width, image.height]).toEqual([200, 300]);
  await openLabeling(page, dataset.id, image.id);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.keyboard.press('w');
  await drag(page, { x: 120, y: 230 }, { x: 190, y: 290 });
  await page.getByRole('combobox', { name: 'Label for the new box' }).fill('corner');
  await page.keyboard.press('Enter');
  await expectStored(image.id, [[120, 230, 190, 290]]);
});

/** A bank-card-like JPEG with a number to transcribe. */
function cardImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400">
    <rect width="640" height="400" rx="24" fill="#1f4e8c"/>
    <rect x="48" y="110" width="80" height="60" rx="8" fill="#d9b74a"/>
    <text x="48" y="70" font-size="34" fill="#fff" font-family="sans-serif">储蓄卡 SAVINGS</text>
    <text x="48" y="250" font-size="44" fill="#fff" font-family="monospace">卡号 6222 0200</text>
    <text x="48" y="330" font-size="26" fill="#cfe0ff" font-family="sans-serif">有效期 12/29</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

test('OCR: a Chinese transcription typed on a box reaches the VOC sidecar on submit', async ({ page }) => {
  const { dataset, folder, images } = await makeDataset('ocr', 'cards', { 'card.jpg': await cardImage() });
  await api('updateDataset', { id: dataset.id, writeBack: true });
  const image = images[0]!;
  await openLabeling(page, dataset.id, image.id);

  await page.keyboard.press('w');
  await drag(page, { x: 40, y: 205 }, { x: 400, y: 262 });
  const text = page.getByRole('textbox', { name: 'Text' });
  await expect(text).toBeFocused();
  await text.fill('卡号 6222 0200');
  // Enter on the last box hands the keyboard back to the canvas.
  await text.press('Enter');
  await expect(text).not.toBeFocused();
  await expect(boxList(page).getByRole('listitem', { name: /^卡号 6222 0200 \(/ })).toBeVisible();

  // A second box, typed, then Enter on the first moves to the second.
  await drag(page, { x: 40, y: 300 }, { x: 280, y: 345 });
  await expect(text).toBeFocused();
  await text.fill('有效期 12/29');
  await boxList(page).getByRole('listitem').first().getByRole('button').first().dblclick();
  await expect(text).toHaveValue('卡号 6222 0200');
  await text.press('Enter');
  await expect(text).toHaveValue('有效期 12/29');
  await text.press('Escape');

  await page.keyboard.press('Space');
  await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  const xml = () => {
    const file = path.join(folder, 'card.xml');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  await expect.poll(xml).toContain('<name>卡号 6222 0200</name>');
  expect(xml()).toContain('<name>有效期 12/29</name>');
  expect(xml()).toMatch(/<annotation verified="yes">/);
  await snapshot(page, 'label-ocr.png');
});
