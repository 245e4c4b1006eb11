// How every command runs: open the Studio, run, print exactly one result (one JSON document with
// --json), close the Studio, and turn errors into exit codes.

import type { Command } from 'commander';
import { openStudio, type Studio } from '../core/studio';
import { resolveWorkspaceDir } from '../core/workspace/location';
import { StudioError, type ApiErrorInfo } from '../shared/api';

export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
}

export interface Output {
  json: unknown;
  text: string;
  /** Keeps the command running after its output is printed (the studio server). */
  afterPrint?: () => Promise<void>;
}

export interface Context {
  studio: Studio;
  json: boolean;
  /** Progress bars only for a person watching: stderr is a terminal and no --json. */
  progress: boolean;
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export function printError(info: ApiErrorInfo, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: info })}\n`);
  else process.stderr.write(`Error: ${info.message}\n`);
}

function exitCodeFor(err: StudioError): number {
  return err.code === 'cancelled' ? EXIT_INTERRUPTED : EXIT_FAILURE;
}

/** Prints what `produce` returns (one JSON document with --json), or its error with an exit code. */
export async function printResult(json: boolean, produce: () => Promise<Output>): Promise<void> {
  try {
    const output = await produce();
    process.stdout.write(json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
    await output.afterPrint?.();
  } catch (err) {
    const error = StudioError.wrap(err);
    printError(error.toJSON(), json);
    process.exitCode = exitCodeFor(error);
  }
}

/** Wraps a command action; options are the command's own merged with the global ones, args its parsed arguments. */
export function withStudio<O extends object>(
  appVersion: string,
  action: (ctx: Context, options: O, args: unknown[]) => Promise<Output>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals<O & GlobalOptions>();
    const json = options.json === true;
    let studio: Studio | undefined;
    try {
      await printResult(json, async () => {
        studio = await openStudio({ workspace: resolveWorkspaceDir(options.workspace), appVersion });
        return action({ studio, json, progress: !json && process.stderr.isTTY === true }, options, command.processedArgs);
      });
    } finally {
      await studio?.close();
    }
  };
}
