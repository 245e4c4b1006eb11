// npm run bench:export — 10,000 annotated images (640×480, 2 boxes each) exported as VOC and COCO.
// The dataset is generated once into .bench/ (git-ignored) and reused.
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { resultOf, type ExportFormat } from '../../main/shared/api';
import { openStudio } from '../../main/core/studio';
import { writeVoc } from '../../main/core/interchange/voc';
import { summary } from './summary';

const COUNT = Number(process.env['BENCH_IMAGES'] ?? 10_000);
const [W, H] = [640, 480];
const dir = resolve(import.meta.dirname, '../../.bench', `export-${COUNT}-${W}x${H}`);

async function generate(): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length === 2 * COUNT) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`generating ${COUNT} annotated JPEGs (${W}×${H}) in ${dir} …\n`);
  const variants = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      sharp({ create: { width: W, height: H, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 80 + i * 4, sigma: 30 } } }).jpeg({ quality: 85 }).toBuffer(),
    ),
  );
  const variantFiles = variants.map((v, i) => {
    const p = join(dir, `.variant${i}.jpg`);
    writeFileSync(p, v);
    return p;
  });
  for (let i = 0; i < COUNT; i++) {
    const name = `img_${String(i).padStart(5, '0')}`;
    linkSync(variantFiles[i % variantFiles.length]!, join(dir, `${name}.jpg`));
    const boxes = [
      { label: 'kangaroo', xmin: (i * 7) % 300, ymin: (i * 3) % 200, xmax: ((i * 7) % 300) + 200, ymax: ((i * 3) % 200) + 150, difficult: false, truncated: false },
      { label: i % 3 ? 'person' : 'dog', xmin: 10, ymin: 20, xmax: 120, ymax: 260, difficult: i % 10 === 0, truncated: false },
    ];
    writeFileSync(join(dir, `${name}.xml`), writeVoc({ folder: 'bench', filename: `${name}.jpg`, path: join(dir, `${name}.jpg`), width: W, height: H, depth: 3, verified: false, boxes }));
  }
  for (const f of variantFiles) rmSync(f);
}

async function main(): Promise<void> {
  await generate();
  const workspace = mkdtempSync(join(tmpdir(), 'bench-export-'));
  const out = mkdtempSync(join(tmpdir(), 'bench-export-out-'));
  const studio = await openStudio({ workspace });
  try {
    const inst = await studio.createInstance({ type: 'detection', name: 'bench' });
    const { job } = await studio.createDataset({ instanceId: inst.id, name: 'bench', path: dir });
    const stats = resultOf(await studio.waitJob(job.id), 'index').dataset.stats;
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; dataset ${stats.images} images, ${stats.boxes} boxes`);
    const formats = (await studio.listFormats()).map((f) => f.id).filter((f): f is ExportFormat => f === 'voc' || f === 'coco');
    for (const format of formats) {
      const times: number[] = [];
      let files = 0;
      for (let run = 0; run < 3; run++) {
        const t = performance.now();
        const done = await studio.waitJob((await studio.exportDataset({ datasetId: job.datasetId!, format, outDir: join(out, `${format}${run}`) })).id);
        times.push((performance.now() - t) / 1000);
        files = resultOf(done, 'export').files;
      }
      const median = [...times].sort((a, b) => a - b)[1]!;
      console.log(
        `bench:export ${stats.images} images ${W}×${H} as ${format}: ${summary(times)}, ${files} files = ${Math.round(files / median)} files/s median (images hard-linked)${format === 'voc' ? '; target < 5 s' : ''}`,
      );
    }
  } finally {
    await studio.close();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
