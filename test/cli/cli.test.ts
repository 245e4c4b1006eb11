// Drives the real CLI (`npm run --silent cli -- …`, Node 22 via tsx) against a fresh workspace.
// Each spawn costs about a second, so the steps build on each other instead of starting over.

import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli, startCli, type CliRun } from '../helpers/cli';
import { jpeg, png, tempDir } from '../helpers/fixtures';

const repoRoot = resolve(import.meta.dirname, '../..');

type Run = CliRun;
const start = startCli;
const cli = runCli;
const json = parseJson;

describe('autolearn CLI', () => {
  const ws = tempDir('autolearn-cli-ws-');
  const images = tempDir('autolearn-cli-img-');

  beforeAll(async () => {
    // classification layout: the folder is the label; a root image is unlabeled; one broken file.
    await mkdir(join(images.dir, 'cat'));
    await mkdir(join(images.dir, 'dog'));
    await writeFile(join(images.dir, 'cat', 'a.jpg'), await jpeg(64, 48, { seed: 1 }));
    await writeFile(join(images.dir, 'cat', 'b.png'), await png(40, 30));
    await writeFile(join(images.dir, 'dog', 'c.jpg'), await jpeg(48, 64, { seed: 2 }));
    await writeFile(join(images.dir, 'loose.jpg'), await jpeg(32, 32, { seed: 3 }));
    await writeFile(join(images.dir, 'broken.jpg'), 'not an image');
  });
  afterAll(() => {
    ws.cleanup();
    images.cleanup();
  });

  it('creates and lists instances, and rejects an invalid name naming the field', async () => {
    const created = await cli(ws.dir, 'instance', 'create', '--type', 'classification', '--name', 'pets', '--json');
    expect(created.code).toBe(0);
    expect(json(created)).toMatchObject({ name: 'pets', type: 'classification', datasetCount: 0 });

    const bad = await cli(ws.dir, '--json', 'instance', 'create', '--type', 'detection', '--name', 'bad name!');
    expect(bad.code).toBe(1);
    expect(json(bad).error).toMatchObject({ code: 'invalid_input', field: 'name' });

    const list = await cli(ws.dir, 'instance', 'list', '--json');
    expect(list.code).toBe(0);
    expect(json(list).map((i: { name: string }) => i.name)).toEqual(['pets']);
  });

  it('creates a dataset, indexes it and prints its stats', async () => {
    const run = await cli(ws.dir, 'dataset', 'create', '--instance', 'pets', '--name', 'photos', '--path', images.dir, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const stats = json(run);
    expect(stats).toMatchObject({
      images: 4,
      labeled: 3,
      unlabeled: 1,
      boxes: 0,
      labels: { cat: 2, dog: 1 },
      annotationErrors: [],
      dataset: { name: 'photos', instanceName: 'pets', path: images.dir },
    });
    expect(stats.invalid.map((i: { path: string }) => i.path)).toEqual(['broken.jpg']);
    expect(stats.dataset.stats).toBeUndefined();
  });

  it('reports added and removed files on reindex', async () => {
    await rm(join(images.dir, 'loose.jpg'));
    await writeFile(join(images.dir, 'dog', 'd.jpg'), await jpeg(50, 50, { seed: 4 }));
    const run = await cli(ws.dir, 'dataset', 'reindex', '--dataset', 'photos', '--json');
    expect(run.code).toBe(0);
    const report = json(run);
    expect(report).toMatchObject({
      added: 1,
      removed: 1,
      changed: 0,
      files: { added: ['dog/d.jpg'], removed: ['loose.jpg'], changed: [] },
      conflicts: [],
      images: 4,
      labeled: 4,
      unlabeled: 0,
      labels: { cat: 2, dog: 2 },
    });

    const invalid = await cli(ws.dir, 'dataset', 'images', '--dataset', String(report.dataset.id), '--filter', 'invalid', '--json');
    expect(json(invalid)).toMatchObject({ total: 1, items: [{ path: 'broken.jpg', status: 'invalid' }] });
  });

  it('prints tables and summaries without --json', async () => {
    const run = await cli(ws.dir, 'dataset', 'stats', '--dataset', 'photos');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dataset "photos"');
    expect(run.stdout).toMatch(/Images: 4 \(labeled 4, unlabeled 0\)/);
    expect(run.stdout).toMatch(/broken\.jpg: /);
  });

  it('fails on an unknown dataset, an ambiguous name and a usage error', async () => {
    const unknown = await cli(ws.dir, '--json', 'dataset', 'stats', '--dataset', 'nope');
    expect(unknown.code).toBe(1);
    expect(json(unknown).error).toMatchObject({ code: 'not_found', field: 'dataset' });

    // Same dataset name in a second instance (addressed by its numeric id).
    const other = json(await cli(ws.dir, 'instance', 'create', '--type', 'classification', '--name', 'more', '--json'));
    const second = await cli(ws.dir, 'dataset', 'create', '--instance', String(other.id), '--name', 'photos', '--path', images.dir, '--json');
    expect(json(second).dataset.instanceName).toBe('more');

    const ambiguous = await cli(ws.dir, 'dataset', 'stats', '--dataset', 'photos');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toBe('');
    expect(ambiguous.stderr.trim().split('\n')).toHaveLength(1);
    expect(ambiguous.stderr).toMatch(/--instance/);

    const usage = await cli(ws.dir, 'dataset', 'images', '--dataset', 'photos', '--limit', 'many');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--limit/);
  });

  it.runIf(existsSync(join(repoRoot, 'out/renderer/index.html')))(
    'serves the browser mode until SIGTERM (needs `npm run build`)',
    async () => {
      const child = start(ws.dir, ['studio', '--port', '0'], { direct: true });
      const exited = new Promise<number | null>((done) => child.on('close', done));
      try {
        const url = await new Promise<string>((found, fail) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            const match = /^Studio: (\S+)$/.exec(line);
            if (match) found(match[1]!);
          });
          void exited.then((code) => fail(new Error(`studio exited early (${code})`)));
        });
        expect(new URL(url).searchParams.get('token')).toBeTruthy();
        expect((await fetch(url)).status).toBe(200);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill();
      }
    },
  );
});
