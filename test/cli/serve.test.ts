// serve / export-eas / eas-validate through the real CLI, on a model trained by the CLI.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../main/core/training/tf/backend';
import { collect, parseJson, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { colourFolder, saveColourBackbone } from '../helpers/training';
import { easBody, send } from '../core/serving/fixture';

const ws = tempDir('cli-serve-ws-');
const data = tempDir('cli-serve-data-');
let folder = '';
let modelId = 0;

beforeAll(async () => {
  await initBackend('auto');
  folder = await colourFolder(join(data.dir, 'colours'), { perClass: 10 });
  const backbone = await saveColourBackbone(join(data.dir, 'colour-net'));
  expect((await runCli(ws.dir, 'instance', 'create', '--type', 'classification', '--name', 'colours')).code).toBe(0);
  expect((await runCli(ws.dir, 'dataset', 'create', '--instance', 'colours', '--name', 'swatches', '--path', folder)).code).toBe(0);
  const trained = await runCli(ws.dir, 'train', '--dataset', 'swatches', '--algorithm', 'fast', '--backbone', backbone, '--no-hpo', '--json');
  expect(trained.code).toBe(0);
  modelId = parseJson(trained).model.id;
}, 180_000);
afterAll(() => {
  ws.cleanup();
  data.cleanup();
});

describe('autolearn serve', () => {
  it('serves the model on 127.0.0.1 until Ctrl+C, printing the endpoint and token', async () => {
    const child = startCli(ws.dir, ['serve', '--model', String(modelId), '--port', '0', '--token', 'cli-token', '--name', 'swatches', '--json'], { direct: true });
    const done = collect(child);
    let out = '';
    const info = await new Promise<{ url: string; endpoint: string; token: string; name: string; host: string }>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        try {
          resolve(JSON.parse(out));
        } catch {
          // not complete yet
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing its endpoint`)));
    });
    expect(info).toMatchObject({ name: 'swatches', token: 'cli-token', host: '127.0.0.1', modelId });
    expect(info.endpoint).toBe(`${info.url}/api/predict/swatches`);
    const image = readFileSync(join(folder, 'blue', 'blue_4.png'));
    const reply = await send(info.url, { path: '/api/predict/swatches', token: 'cli-token', body: easBody(image) });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).result.output[0].body[0].label).toBe('blue');
    expect((await send(info.url, { path: '/api/predict/swatches', body: easBody(image) })).status).toBe(401);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  it('refuses a bad service name with the field', async () => {
    const run = await runCli(ws.dir, 'serve', '--model', String(modelId), '--port', '0', '--name', 'No Spaces', '--json');
    expect(run.code).toBe(1);
    expect(parseJson(run).error).toMatchObject({ code: 'invalid_input', field: 'name' });
  });
});

describe('autolearn export-eas and eas-validate', () => {
  it('writes the package; eas-validate names the placeholders, then accepts the filled-in file', async () => {
    const out = join(data.dir, 'eas');
    const run = await runCli(ws.dir, 'export-eas', '--model', String(modelId), '--out', out, '--service-name', 'swatches', '--json');
    expect(run.code).toBe(0);
    const report = parseJson(run);
    expect(report).toMatchObject({ modelId, outDir: out, serviceName: 'swatches' });
    expect(report.files).toEqual(expect.arrayContaining(['Dockerfile', 'README.md', 'service.json', 'model/model.json', 'processor/server.js', 'processor/package.json']));
    expect(['float16', 'uint8']).toContain(report.quantization.dtype);

    const file = join(out, 'service.json');
    const unfilled = await runCli(ws.dir, 'eas-validate', file, '--json');
    expect(unfilled.code).toBe(1);
    expect(parseJson(unfilled)).toMatchObject({ valid: false, problems: [{ field: 'containers[0].image' }, { field: 'storage[0].oss.path' }] });
    const text = await runCli(ws.dir, 'eas-validate', file);
    expect(text.stdout).toMatch(/2 problems\n {2}containers\[0\]\.image: still holds the placeholder <REGION>/);

    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.containers[0].image = 'registry-vpc.cn-hangzhou.aliyuncs.com/team/swatches:1.0';
    doc.storage[0].oss.path = 'oss://team-bucket/models/swatches/model/';
    writeFileSync(file, JSON.stringify(doc));
    const filled = await runCli(ws.dir, 'eas-validate', file, '--json');
    expect(filled.code).toBe(0);
    expect(parseJson(filled)).toEqual({ file, valid: true, problems: [] });

    const again = await runCli(ws.dir, 'export-eas', '--model', String(modelId), '--out', out, '--json');
    expect(again.code).toBe(1);
    expect(parseJson(again).error).toMatchObject({ code: 'conflict', field: 'outDir' });
  });

  it('eas-validate says when the file is missing or not JSON', async () => {
    const missing = await runCli(ws.dir, 'eas-validate', join(data.dir, 'nope.json'), '--json');
    expect(missing.code).toBe(1);
    expect(parseJson(missing).error.message).toMatch(/nope\.json: no such file/);
    const broken = join(data.dir, 'broken.json');
    writeFileSync(broken, '{"metadata": ');
    expect(parseJson(await runCli(ws.dir, 'eas-validate', broken, '--json')).error.message).toMatch(/broken\.json: not valid JSON/);
  });
});
