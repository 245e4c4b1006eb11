// npm run bench:index — first-index throughput and unchanged re-index time on 10,000 JPEGs (640×480).
// The images are generated once into .bench/ (git-ignored) and reused.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import sharp from 'sharp';
import { resultOf } from '../../main/shared/api';
import { openStudio } from '../../main/core/studio';

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

async function main(): Promise<void> {
  await generate();
  const workspace = mkdtempSync(join(tmpdir(), 'bench-index-'));
  const studio = await openStudio({ workspace });
  try {
    const inst = await studio.createInstance({ type: 'classification', name: 'bench' });
    let t = performance.now();
    const { job } = await studio.createDataset({ instanceId: inst.id, name: 'bench', path: dir });
    const first = await studio.waitJob(job.id);
    const firstS = (performance.now() - t) / 1000;
    if (first.state !== 'done') throw new Error(`index ${first.state}: ${first.error?.message}`);
    const { stats } = resultOf(first, 'index').dataset;
    const images = stats.images + stats.invalid.length;

    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const again = await studio.waitJob((await studio.reindexDataset(first.datasetId!)).id);
      times.push((performance.now() - t) / 1000);
      const report = resultOf(again, 'index');
      if (report.unchanged !== COUNT) throw new Error(`re-index saw changes: ${JSON.stringify(report.files).slice(0, 200)}`);
    }
    const reindexS = Math.min(...times);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; files in the OS cache (just written or read)`);
    console.log(`bench:index ${images} JPEG ${W}×${H}: first index ${firstS.toFixed(2)} s = ${Math.round(images / firstS)} images/s (target ≥ 2000)`);
    console.log(`bench:index ${images} JPEG ${W}×${H}: unchanged re-index ${reindexS.toFixed(3)} s (best of 3; target ≤ 0.5 s)`);
  } finally {
    await studio.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
