// The Try & Publish step through the browser mode, on two high-speed colour classifiers trained in
// setup through the API: an image tried from the file picker and by drop, the seed's list and JSON
// views, the threshold, two versions side by side; then a local EAS service called from here (fetch,
// and the page's own curl command), and an EAS export whose package lands in a temporary folder.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { Dataset, Instance, JobInfo, ModelVersion, TrainingRun } from '../../main/shared/api';
import { makeColourData, type ColourData } from './colour-data';
import { callApi, studioPerFile } from './studio-server';
import { snapshot } from './studio-ui';

const studio = studioPerFile();
const api = <T>(method: string, ...args: unknown[]): Promise<T> => callApi<T>(studio.url, method, ...args);
const LABELS = ['blue', 'green', 'red'];

let data: ColourData;
let models: ModelVersion[] = [];

async function finished(job: JobInfo, timeoutMs: number): Promise<JobInfo> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const latest = await api<JobInfo>('getJob', job.id);
    if (latest.state !== 'running') return latest;
    if (Date.now() > until) throw new Error(`${job.title} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function train(datasetId: number, name: string, seed: number): Promise<ModelVersion> {
  const { job } = await api<{ run: TrainingRun; job: JobInfo }>('startTraining', { datasetId, name, algorithm: 'fast', backbone: data.backbone, hpo: false, seed });
  const done = await finished(job, 180_000);
  if (done.kind !== 'train' || !done.result?.model) throw new Error(`training ${name} ended ${done.state}: ${done.error?.message ?? 'no model'}`);
  return done.result.model;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  data = makeColourData({ labels: LABELS, perClass: 12, sampleSize: 320 });
  const instance = await api<Instance>('createInstance', { type: 'classification', name: 'swatches', description: 'Colour swatches' });
  const created = await api<{ dataset: Dataset; job: JobInfo }>('createDataset', { instanceId: instance.id, name: 'squares', path: data.colours });
  await finished(created.job, 60_000);
  models = [await train(created.dataset.id, 'swatches-a', 1), await train(created.dataset.id, 'swatches-b', 2)];
});

test.afterAll(() => {
  if (data) rmSync(data.scratch, { recursive: true, force: true });
});

test.describe.configure({ mode: 'serial' });

const sample = (label: string): string => path.join(data.samples, label, `${label}_0.png`);
const panel = (page: Page, model: ModelVersion): Locator => page.getByRole('region', { name: `Prediction of v${model.id}` });
const rows = (region: Locator): Locator => region.getByRole('list', { name: 'Predictions' }).getByRole('listitem');

/** The confidences the list shows, in its order. */
async function confidences(region: Locator): Promise<number[]> {
  return (await region.locator('.prediction-conf').allTextContents()).map((text) => Number.parseFloat(text));
}

test('try: pick and drop an image, list with bars and JSON, threshold, two versions side by side', async ({ page }) => {
  const [a, b] = models as [ModelVersion, ModelVersion];
  await page.goto(studio.url);
  await page.getByRole('link', { name: 'swatches', exact: true }).click();
  const step = page.getByRole('tablist', { name: 'AutoLearning steps' }).getByRole('tab', { name: /Try & Publish/ });
  await expect(step).toHaveAttribute('aria-disabled', 'false');
  await step.click();
  await expect(page).toHaveURL(/#\/instances\/\d+\/publish$/);
  const versions = page.getByRole('table', { name: 'Model versions' });
  await expect(versions.getByRole('row')).toHaveCount(3);
  await versions.getByRole('link', { name: `Try swatches-a v${a.id}` }).click();
  await expect(page).toHaveURL(new RegExp(`#/models/${a.id}/try$`));
  await expect(page.getByText('Drop a JPEG, PNG or BMP image here')).toBeVisible();

  await page.getByLabel('Choose image…').setInputFiles(sample('red'));
  const result = panel(page, a);
  // The seed's 列表展示: every class, highest confidence first, each with its bar.
  await expect(rows(result)).toHaveCount(LABELS.length);
  await expect(rows(result).first()).toContainText('red');
  const confs = await confidences(result);
  expect(confs).toEqual([...confs].sort((x, y) => y - x));
  expect(confs[0]).toBeGreaterThan(50);
  await expect(result.locator('.bar-fill')).toHaveCount(LABELS.length);
  await expect(result.getByRole('img', { name: /red_0\.png: red \d/ })).toBeVisible();
  await snapshot(page, 'try.png');

  // The threshold hides the unlikely classes from the list (and the drawing).
  const threshold = page.getByLabel('Confidence threshold');
  await threshold.fill('50');
  await expect(rows(result)).toHaveCount(1);
  await expect(result.getByRole('status')).toHaveText('2 below the threshold hidden');

  // The seed's JSON view: exactly what the service answers, whatever the threshold.
  await result.getByRole('tab', { name: 'JSON' }).click();
  const json = result.getByLabel('Service response');
  await expect(json).toContainText('"success": true');
  await expect(json).toContainText('"cv_common"');
  const answer = JSON.parse((await json.textContent()) ?? '') as { success: boolean; result: { output: Array<{ body: Array<{ label: string; conf: number }> }>; meta: { width: number; height: number } } };
  expect(answer.result.output[0]!.body.map((item) => item.label)).toHaveLength(LABELS.length);
  expect(answer.result.meta).toEqual({ width: 320, height: 320 });
  await expect(result.getByRole('button', { name: 'Copy JSON' })).toBeVisible();
  await result.getByRole('tab', { name: 'List' }).click();
  await threshold.fill('0');
  await expect(rows(result)).toHaveCount(LABELS.length);

  // A dropped file is read the same way.
  const green = readFileSync(sample('green')).toString('base64');
  await page.locator('.page-try').evaluate((element, base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'green_0.png', { type: 'image/png' }));
    element.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    element.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, green);
  await expect(page.getByText('green_0.png', { exact: true })).toBeVisible();
  await expect(rows(result).first()).toContainText('green');

  // Two versions side by side on the same image.
  await page.getByLabel('Compare with').selectOption(String(b.id));
  await expect(rows(panel(page, b))).toHaveCount(LABELS.length);
  await expect(rows(panel(page, b)).first()).toContainText('green');
  await expect(rows(panel(page, a)).first()).toContainText('green');
  await snapshot(page, 'try-compare.png');

  // Another version keeps the image.
  await page.getByLabel('Model version').selectOption(String(b.id));
  await expect(page).toHaveURL(new RegExp(`#/models/${b.id}/try$`));
  await expect(rows(panel(page, b)).first()).toContainText('green');
});

test('publish: a local EAS service answers fetch and the page’s curl; Export for EAS writes the package', async ({ page }) => {
  test.setTimeout(300_000);
  const [a] = models as [ModelVersion];
  // The model page's Export for EAS leads here.
  await page.goto(`${studio.url}#/models/${a.id}`);
  await page.getByRole('link', { name: 'Export for EAS' }).click();
  await expect(page).toHaveURL(new RegExp(`#/models/${a.id}/publish$`));
  await expect(page.getByRole('heading', { level: 1, name: /Publish swatches-a/ })).toBeVisible();

  const local = page.getByRole('region', { name: 'Local service' });
  await expect(local.getByText('Stopped', { exact: true })).toBeVisible();
  // Any free port: 8000 may be taken on a shared machine.
  await local.getByLabel('Port').fill('0');
  await local.getByRole('button', { name: 'Start service' }).click();
  const endpoint = (await local.getByLabel('Endpoint URL', { exact: true }).textContent()) ?? '';
  const token = (await local.getByLabel('Token', { exact: true }).textContent()) ?? '';
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/predict\/swatches_a$/);
  expect(token.length).toBeGreaterThan(10);
  await expect(local.getByRole('status')).toHaveText('Running');

  const body = JSON.stringify({ dataArray: [{ name: 'image', type: 'stream', body: readFileSync(sample('red')).toString('base64') }] });
  const response = await fetch(endpoint, { method: 'POST', headers: { Authorization: token }, body });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { success: boolean; result: { output: Array<{ type: string; body: Array<{ label: string }> }> } };
  expect(answer.success).toBe(true);
  expect(answer.result.output[0]!.type).toBe('cv_common');
  expect(answer.result.output[0]!.body[0]!.label).toBe('red');
  expect((await fetch(endpoint, { method: 'POST', headers: { Authorization: 'wrong' }, body })).status).toBe(401);

  // The curl command on the page works as pasted, with an image.jpg beside it.
  const curl = (await local.getByLabel('curl command', { exact: true }).textContent()) ?? '';
  expect(curl).toContain(endpoint);
  copyFileSync(sample('blue'), path.join(data.scratch, 'image.jpg'));
  const printed = JSON.parse(execFileSync('bash', ['-c', curl], { cwd: data.scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as typeof answer;
  expect(printed.success).toBe(true);
  expect(printed.result.output[0]!.body[0]!.label).toBe('blue');

  // Export for EAS into a new folder; the report follows the job.
  const outDir = path.join(data.scratch, 'eas-package');
  const form = page.getByRole('form', { name: 'Export for EAS' });
  await expect(form.getByLabel('Output folder')).toHaveValue(/eas-export[\\/]swatches-a-v\d+$/);
  await form.getByLabel('Output folder').fill(outDir);
  await expect(form.getByRole('radio', { name: /Automatic/ })).toBeChecked();
  await form.getByRole('button', { name: 'Export' }).click();
  const report = page.getByRole('region', { name: 'EAS export report' });
  await expect(report).toBeVisible({ timeout: 240_000 });
  expect(existsSync(path.join(outDir, 'service.json'))).toBe(true);
  expect(existsSync(path.join(outDir, 'model', 'model.json'))).toBe(true);
  await expect(report).toContainText('swatches_a');
  await expect(report.getByRole('region', { name: 'Model size' })).toContainText(/\d+ KB.*→.*\d+ KB/);
  const formats = report.getByRole('table', { name: 'Weight formats' });
  await expect(formats.getByRole('row')).toHaveCount(4);
  await expect(formats.getByText('exported')).toHaveCount(1);
  await report.getByText(/^Files written/).click();
  await expect(report.getByRole('list', { name: 'Files written' })).toContainText('service.json');
  await expect(report.getByRole('region', { name: 'Next steps' })).toContainText('eascmd create service.json');
  await page.locator('#step-panel').evaluate((panel) => panel.scrollTo(0, 0));
  await snapshot(page, 'publish.png');
  await report.evaluate((card) => card.scrollIntoView({ block: 'start' }));
  await snapshot(page, 'publish-report.png');

  // The step's landing page shows the running service; stopping it closes the port.
  await page.getByRole('link', { name: 'Try & Publish' }).click();
  await expect(page.getByRole('table', { name: 'Model versions' }).getByRole('row', { name: /swatches-a/ })).toContainText('Running');
  await page.getByRole('link', { name: `Publish swatches-a v${a.id}` }).click();
  await page.getByRole('button', { name: 'Stop service' }).click();
  await expect(local.getByText('Stopped', { exact: true })).toBeVisible();
  await expect(fetch(endpoint, { method: 'POST', headers: { Authorization: token }, body })).rejects.toThrow();
  // The report stays for this session.
  await expect(report).toBeVisible();
});

/**
 * Detection and OCR models come from another trainer; their answers are stood in for here (the
 * model's type and the predict reply, intercepted), to check how the page draws and lists them.
 */
test('try: detection boxes (relative corners) and OCR lines (pixel corners) are listed and drawn', async ({ page }) => {
  const [a] = models as [ModelVersion];
  const stand = async (type: 'detection' | 'ocr', body: unknown[]) => {
    await page.unrouteAll();
    await page.route(/\/api\/call\/getModel$/, (route) => route.fulfill({ json: { result: { ...a, type, labels: ['cat', 'dog'] } } }));
    await page.route(/\/api\/call\/predict$/, (route) =>
      route.fulfill({ json: { result: [{ image: 'red_0.png', result: { output: [{ type: 'cv_common', body }], meta: { width: 320, height: 320 } } }] } }),
    );
  };

  await stand('detection', [
    { label: 'dog', conf: 0.9, pos: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.6], [0.1, 0.6]] },
    { label: 'cat', conf: 0.2, pos: [[0.6, 0.6], [0.9, 0.6], [0.9, 0.9], [0.6, 0.9]] },
  ]);
  await page.goto(`${studio.url}#/models/${a.id}/try`);
  await page.getByLabel('Choose image…').setInputFiles(sample('red'));
  const result = panel(page, a);
  // Boxes start at a 30 % threshold: the unlikely cat is hidden.
  await expect(page.getByLabel('Confidence threshold')).toHaveValue('30');
  await expect(result.getByRole('img', { name: 'red_0.png: 1 box drawn' })).toBeVisible();
  await expect(rows(result)).toHaveCount(1);
  await expect(rows(result).first()).toContainText('dog');
  await expect(rows(result).first()).toContainText('(32, 32) – (160, 192)');
  await page.getByLabel('Confidence threshold').fill('0');
  await expect(result.getByRole('img', { name: 'red_0.png: 2 boxes drawn' })).toBeVisible();
  await expect(rows(result)).toHaveText([/dog/, /cat/]);

  await stand('ocr', [{ label: '6222 0200 1234', conf: 0.97, pos: [[10, 20], [200, 20], [200, 60], [10, 60]] }]);
  await page.reload();
  await page.getByLabel('Choose image…').setInputFiles(sample('red'));
  await expect(result.getByRole('img', { name: 'red_0.png: 1 text line drawn' })).toBeVisible();
  await expect(rows(result).first()).toContainText('6222 0200 1234');
  await expect(rows(result).first()).toContainText('(10, 20) – (200, 60)');
});
