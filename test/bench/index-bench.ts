// npm run bench:index — first-index throughput and unchanged re-index time on 10,000 JPEGs (640×480).
// The images are generated once into .bench/ (git-ignored) and reused.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import sharp from 'sharp';
import { resultOf } from '../../main/shared/api';
import { openStudio } from '../../main/core/studio';
import { summary } from './summary';

const COUNT = Number(process.env['BENCH_IMAGES'] ?? 10_000);
const [W, H] = [640, 480];
const dir = resolve(import.meta.dirname, '../../.bench', `index-${COUNT}-${W}x${H}`);

async function generate(): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length === COUNT) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`generating ${COUNT} JPEGs (${W}×${H}) in ${dir} …\n`);
  // 64 distinct photos-like encodings, each written under many names: realistic file sizes, fast to make.
  const variants = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      sharp({ create: { width: W, height: H, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 60 + i * 2, sigma: 30 } } }).jpeg({ quality: 85 }).toBuffer(),
    ),
  );
  for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, `img_${String(i).padStart(5, '0')}.jpg`), variants[i % variants.length]!);
}

const RUNS = 3;

async function main(): Promise<void> {
  await generate();
  const first: number[] = [];
  const reindex: number[] = [];
  let images = 0;
  for (let run = 0; run < RUNS; run++) {
    const workspace = mkdtempSync(join(tmpdir(), 'bench-index-'));
    const studio = await openStudio({ workspace });
    try {
      const inst = await studio.createInstance({ type: 'classification', name: 'bench' });
      let t = performance.now();
      const { job } = await studio.createDataset({ instanceId: inst.id, name: 'bench', path: dir });
      const done = await studio.waitJob(job.id);
      first.push((performance.now() - t) / 1000);
      const { stats } = resultOf(done, 'index').dataset;
      images = stats.images + stats.invalid.length;
      t = performance.now();
      const report = resultOf(await studio.waitJob((await studio.reindexDataset(done.datasetId!)).id), 'index');
      reindex.push((performance.now() - t) / 1000);
      if (report.unchanged !== COUNT) throw new Error(`re-index saw changes: ${JSON.stringify(report.files).slice(0, 200)}`);
    } finally {
      await studio.close();
      rmSync(workspace, { recursive: true, force: true });
    }
  }
  const rate = (s: number) => Math.round(images / s);
  const sorted = [...first].sort((a, b) => a - b);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; files in the OS cache (just written or read)`);
  console.log(
    `bench:index ${images} JPEG ${W}×${H}: first index ${summary(first)} = ${rate(sorted[1]!)} images/s median (${rate(sorted.at(-1)!)}–${rate(sorted[0]!)}; target ≥ 2000)`,
  );
  console.log(`bench:index ${images} JPEG ${W}×${H}: unchanged re-index ${summary(reindex)} (target ≤ 0.5 s)`);
}

await main();
