// npm run bench:label — the box labeling page in Chromium, driven by Playwright through the browser mode:
//  - image switch: key press (A/D) → the new image with its boxes drawn, measured in the page
//    (keydown listener → the canvas's performance mark → the next animation frame starts);
//  - panning a 4000×3000 photo with 500 boxes: requestAnimationFrame deltas during a scripted pan.
// Needs a built renderer (`npm run build`). The images are generated once into .bench/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import sharp from 'sharp';
import { resultOf, type Box } from '../../main/shared/api';
import { startStudioServer } from '../../main/core/server/server';
import { openStudio } from '../../main/core/studio';

const root = resolve(import.meta.dirname, '../..');
const rendererDir = join(root, 'out', 'renderer');
const dir = join(root, '.bench', 'label');
const BIG = { width: 4000, height: 3000, file: 'a_big.jpg' };
const NORMAL = { width: 1280, height: 960, count: 20 };
const BOXES = 500;
const VIEWPORT = { width: 1440, height: 900 };
const BROWSER_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu'];
/** How long the user looks at an image before moving on (the neighbours' prefetch runs meanwhile). */
const DWELL_MS = 300;
const PAN_STEPS = 240;
const IMAGE_DRAWN_MARK = 'label:image-drawn';

/** A photo-like JPEG: smooth colour blobs (a small noise image scaled up), so size and decode cost are realistic. */
async function photo(width: number, height: number, seed: number): Promise<Buffer> {
  const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40 + seed * 7, g: 90, b: 60 }, noise: { type: 'gaussian', mean: 110, sigma: 60 } } })
    .png()
    .toBuffer();
  return sharp(small).resize(width, height, { kernel: 'cubic' }).jpeg({ quality: 88 }).toBuffer();
}

async function generate(): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length === NORMAL.count + 1) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`generating 1 JPEG ${BIG.width}×${BIG.height} and ${NORMAL.count} JPEGs ${NORMAL.width}×${NORMAL.height} in ${dir} …\n`);
  await sharp(await photo(BIG.width, BIG.height, 0)).toFile(join(dir, BIG.file));
  for (let i = 1; i <= NORMAL.count; i++) {
    await sharp(await photo(NORMAL.width, NORMAL.height, i)).toFile(join(dir, `n_${String(i).padStart(2, '0')}.jpg`));
  }
}

/** 500 boxes spread over the photo, deterministic (a small LCG), five classes. */
function manyBoxes(): Box[] {
  let state = 42;
  const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: BOXES }, (_, i) => {
    const w = 40 + Math.floor(rand() * 260);
    const h = 40 + Math.floor(rand() * 260);
    const xmin = Math.floor(rand() * (BIG.width - w));
    const ymin = Math.floor(rand() * (BIG.height - h));
    return { label: `class_${i % 5}`, xmin, ymin, xmax: xmin + w, ymax: ymin + h, difficult: false, truncated: false };
  });
}

function stats(values: number[]): { median: number; p95: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95), mean: values.reduce((a, b) => a + b, 0) / values.length };
}

// In-page instrumentation, as plain scripts: this file is type-checked without the DOM library.
const SWITCH_PROBE = `
  window.__switches = [];
  window.addEventListener('keydown', (e) => { if (e.key === 'a' || e.key === 'd') window.__keyAt = performance.now(); }, true);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name !== '${IMAGE_DRAWN_MARK}' || !window.__keyAt) continue;
      const start = window.__keyAt;
      window.__keyAt = 0;
      requestAnimationFrame((frame) => window.__switches.push(frame - start));
    }
  }).observe({ entryTypes: ['mark'] });
`;

const FRAME_PROBE_START = `
  window.__frames = [];
  window.__framing = true;
  (function loop(last) {
    requestAnimationFrame((now) => {
      if (last !== undefined) window.__frames.push(now - last);
      if (window.__framing) loop(now);
    });
  })();
`;

async function waitDrawn(page: Page, count: number): Promise<void> {
  await page.waitForFunction(`window.__switches.length >= ${count}`, undefined, { timeout: 10_000 });
}

async function measureSwitches(page: Page): Promise<number[]> {
  let count = 0;
  for (const key of ['d', 'a']) {
    for (let i = 0; i < NORMAL.count; i++) {
      await page.keyboard.press(key);
      await waitDrawn(page, ++count);
      await page.waitForTimeout(DWELL_MS);
    }
  }
  return (await page.evaluate('window.__switches')) as number[];
}

/** Middle-button drag in a circle-ish path around the canvas centre; frame deltas while it runs. */
async function measurePan(page: Page): Promise<number[]> {
  const bounds = (await page.getByRole('application', { name: 'Image canvas' }).boundingBox())!;
  const cx = bounds.x + bounds.width / 2;
  const cy = bounds.y + bounds.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down({ button: 'middle' });
  await page.evaluate(FRAME_PROBE_START);
  for (let i = 1; i <= PAN_STEPS; i++) {
    const t = (i / PAN_STEPS) * 2 * Math.PI;
    await page.mouse.move(cx + 300 * Math.sin(t), cy + 200 * Math.sin(2 * t));
  }
  await page.evaluate('window.__framing = false');
  await page.mouse.up({ button: 'middle' });
  return (await page.evaluate('window.__frames')) as number[];
}

async function main(): Promise<void> {
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`no built renderer in ${rendererDir}: run \`npm run build\` first`);
  await generate();
  const workspace = mkdtempSync(join(tmpdir(), 'bench-label-'));
  const studio = await openStudio({ workspace });
  const server = await startStudioServer({ studio, port: 0, rendererDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  try {
    const instance = await studio.createInstance({ type: 'detection', name: 'bench' });
    const { job } = await studio.createDataset({ instanceId: instance.id, name: 'bench', path: dir });
    const dataset = resultOf(await studio.waitJob(job.id), 'index').dataset;
    const { items } = await studio.listImages({ datasetId: dataset.id, limit: 100 });
    // The big photo sorts first: the switches go from it through the others and back.
    const big = items.find((item) => item.path === BIG.file)!;
    await studio.saveAnnotation({ imageId: big.id, annotation: { label: null, boxes: manyBoxes() } });

    // The probes are strings (no DOM types here), which the studio's CSP would refuse to evaluate.
    const page = await browser.newPage({ viewport: VIEWPORT, bypassCSP: true });
    await page.addInitScript({ content: SWITCH_PROBE });
    const origin = new URL(server.url).origin;
    await page.goto(server.url);
    await page.goto(`${origin}/#/datasets/${dataset.id}/label/${big.id}`);
    await page.getByRole('application', { name: 'Image canvas' }).and(page.locator('[data-view]')).waitFor();
    await page.waitForTimeout(1000);
    const switches = stats(await measureSwitches(page));

    await page.keyboard.press('f');
    await page.waitForTimeout(300);
    const panFit = stats(await measurePan(page));
    await page.keyboard.press('0');
    await page.waitForTimeout(300);
    const panActual = stats(await measurePan(page));

    const version = browser.version();
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const pan = (s: ReturnType<typeof stats>) => `frame median ${ms(s.median)}, p95 ${ms(s.p95)}, ${(1000 / s.mean).toFixed(0)} fps`;
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; Chromium ${version} headless, software rendering (${BROWSER_ARGS.join(' ')}); viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
    console.log(
      `bench:label image switch (A/D over ${NORMAL.count} JPEG ${NORMAL.width}×${NORMAL.height} + 1 JPEG ${BIG.width}×${BIG.height} with ${BOXES} boxes, ${DWELL_MS} ms on each): ` +
        `median ${ms(switches.median)}, p95 ${ms(switches.p95)} over ${NORMAL.count * 2} switches (target < 100 ms)`,
    );
    console.log(`bench:label pan ${BIG.width}×${BIG.height} with ${BOXES} boxes, whole image in view: ${pan(panFit)} (target ≥ 50 fps)`);
    console.log(`bench:label pan ${BIG.width}×${BIG.height} with ${BOXES} boxes at 1:1: ${pan(panActual)} (target ≥ 50 fps)`);
  } finally {
    await browser.close();
    await server.close();
    await studio.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
