// The browser-mode studio server for end-to-end tests: one per spec file, in a fresh workspace.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from '@playwright/test';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared sample data sets; tests that need them skip when it is absent. */
export const sharedDatasets = path.resolve(repoRoot, '../shared/datasets');

/** Starts `studio --port 0 [...extraArgs]` and resolves with the URL (token included) it prints. */
function startStudio(workspaceDir: string, extraArgs: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('npm', ['run', '--silent', 'cli', '--', 'studio', '--port', '0', '--workspace', workspaceDir, ...extraArgs], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${path.join(repoRoot, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` },
    // Its own process group, so afterAll can stop npm, tsx and node together.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`studio printed no URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /https?:\/\/\S+/.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`studio exited with ${code} before printing its URL:\n${output}`));
    });
  });
}

async function stopStudio(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
}

export interface StudioServer {
  /** The page URL with the session token; set once the file's tests run. */
  readonly url: string;
}

/**
 * Runs a studio in a fresh workspace around the calling spec file's tests (call at file level);
 * `args` are added to the command line, e.g. `['--train-limits', '{"maxEpochs":2}']`.
 */
export function studioPerFile(options: { args?: readonly string[] } = {}): StudioServer {
  const studio = { url: '' };
  let server: ChildProcess | undefined;
  let workspace: string | undefined;
  test.beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'studio-e2e-'));
    const started = await startStudio(workspace, options.args);
    server = started.child;
    studio.url = started.url;
  });
  test.afterAll(async () => {
    if (server) await stopStudio(server);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  return studio;
}

/** Calls the studio's API as the renderer (or another window) does, with the page's session token. */
export async function callApi<T>(studioUrl: string, method: string, ...args: unknown[]): Promise<T> {
  const url = new URL(studioUrl);
  const response = await fetch(new URL(`/api/call/${method}`, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-token': url.searchParams.get('token') ?? '' },
    body: JSON.stringify({ args }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
