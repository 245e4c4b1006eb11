// `eval-detections` through the real CLI (`npm run --silent cli`, Node 22 via tsx).

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, type CliRun } from '../../helpers/cli';
import { tempDir, vocXml } from '../../helpers/fixtures';

const repoRoot = resolve(import.meta.dirname, '../../..');

function cli(...args: string[]): Promise<CliRun> {
  return collect(
    spawn('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: repoRoot,
      env: { ...process.env, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env['PATH']}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

describe('autolearn eval-detections', () => {
  const tmp = tempDir('autolearn-eval-cli-');
  const gt = join(tmp.dir, 'gt');
  const pred = join(tmp.dir, 'pred.jsonl');
  const bad = join(tmp.dir, 'bad.jsonl');
  const p = (image: string, label: string, score: number, [xmin, ymin, xmax, ymax]: number[]) =>
    JSON.stringify({ image, label, score, xmin, ymin, xmax, ymax });

  beforeAll(async () => {
    await mkdir(gt);
    await writeFile(join(gt, 'a.xml'), vocXml('a.jpg', 100, 100, [['dog', 10, 10, 49, 49], ['cat', 60, 60, 99, 99]]));
    await writeFile(join(gt, 'b.xml'), vocXml('b.jpg', 100, 100, [['dog', 0, 0, 29, 29]]));
    // dog ranked TP, FP, TP over 2 objects: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1;
    //   AP = 1/2 · 1 + 1/2 · 2/3 = 5/6.
    // cat: c has no ground truth (FP, warned), then a TP: precision 0, 1/2 at recall 0, 1; AP 1/2.
    // mAP = (5/6 + 1/2) / 2 = 2/3.
    await writeFile(
      pred,
      [
        p('a', 'dog', 0.9, [10, 10, 49, 49]),
        p('b', 'dog', 0.8, [40, 40, 60, 60]),
        p('b', 'dog', 0.7, [0, 0, 29, 29]),
        p('a', 'cat', 0.6, [60, 60, 99, 99]),
        p('c', 'cat', 0.95, [60, 60, 99, 99]),
      ].join('\n'),
    );
    await writeFile(bad, `${p('a', 'dog', 0.9, [10, 10, 49, 49])}\n{"image":"a","label":"dog","xmin":1,"ymin":1,"xmax":2,"ymax":2}\n`);
  });
  afterAll(() => tmp.cleanup());

  it('prints one JSON document with mAP, per-class figures and the unknown-image count', async () => {
    const run = await cli('eval-detections', '--gt', gt, '--pred', pred, '--json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.mAP).toBeCloseTo(2 / 3, 15);
    expect(out).toMatchObject({ iou: 0.5, interp: 'all', images: 2, detections: 5, unknownImages: { images: 1, detections: 1 } });
    expect(out.classes.dog).toMatchObject({ tp: 2, fp: 1, positives: 2 });
    expect(out.classes.dog.ap).toBeCloseTo(5 / 6, 15);
    expect(out.classes.cat).toMatchObject({ ap: 0.5, tp: 1, fp: 1, positives: 1 });
    expect(typeof out.cocoMAP).toBe('number');
    expect(out.warnings).toHaveLength(1);
  });

  it('prints a table and the mAP line for people', async () => {
    const run = await cli('eval-detections', '--gt', gt, '--pred', pred, '--interp', '11');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^CLASS +AP +TP +FP +POSITIVES/);
    expect(run.stdout).toMatch(/^dog +0\.\d{4} +2 +1 +2/m);
    expect(run.stdout).toMatch(/^mAP \(VOC 11-point, IoU 0\.5\): 0\.\d{4}/m);
    expect(run.stdout).toMatch(/^Warning: 1 detection\(s\) on 1 image\(s\) without a ground-truth file/m);
  });

  it('fails with exit 1 naming the file, line and field of an invalid prediction', async () => {
    const run = await cli('--json', 'eval-detections', '--gt', gt, '--pred', bad);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'invalid_input', message: `${bad}: line 2: "score" must be a number`, field: 'pred' },
    });
  });
});
