import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

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
