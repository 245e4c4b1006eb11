import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects a spawned command's output until it exits. */
export function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Starts the real CLI on a workspace. `direct` runs it as one Node 22 process with tsx's loader,
 * without npm or tsx's launcher in between, for signal and crash tests: npm answers SIGTERM by
 * exiting itself and leaves the CLI orphaned, and a SIGKILL must reach the CLI itself.
 */
export function startCli(workspace: string, args: string[], { direct = false } = {}): ChildProcessByStdio<null, Readable, Readable> {
  const cliArgs = ['--workspace', workspace, ...args];
  const [command, commandArgs] = direct
    ? [process.execPath, ['--import', 'tsx', 'main/cli/index.ts', ...cliArgs]]
    : ['npm', ['run', '--silent', 'cli', '--', ...cliArgs]];
  return spawn(command, commandArgs, {
    cwd: repoRoot,
    env: { ...process.env, AUTOLEARN_HOME: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(workspace: string, ...args: string[]): Promise<CliRun> {
  return collect(startCli(workspace, args));
}

/** Parses stdout as exactly one JSON document (JSON.parse rejects anything before or after it). */
export function parseJson(run: CliRun): any {
  return JSON.parse(run.stdout);
}
