import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startStudioServer } from '../../core/server/server';
import { openStudio, type Studio } from '../../core/studio';
import type { TrainingOptions } from '../../core/training/service';
import { resolveWorkspaceDir } from '../../core/workspace/location';
import { StudioError } from '../../shared/api';
import { printResult, type GlobalOptions } from '../run';

export function port(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number (0–65535)');
  return n;
}

export type TrainLimits = NonNullable<TrainingOptions['limits']>;

/** The caps `--train-limits` accepts, each a whole number ≥ 1. */
export const TRAIN_LIMIT_KEYS = ['maxEpochs', 'patience', 'trials', 'trialEpochs', 'inputSize'] as const satisfies ReadonlyArray<keyof TrainLimits>;

/** Parses `--train-limits '{"maxEpochs":3,"trials":1,"inputSize":64}'`, naming what is wrong. */
export function trainLimits(value: string): TrainLimits {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`expected a JSON object such as '{"maxEpochs":3,"trials":1}', got ${JSON.stringify(value)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`expected a JSON object such as '{"maxEpochs":3,"trials":1}'`);
  }
  const limits: TrainLimits = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (!(TRAIN_LIMIT_KEYS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`unknown key "${key}" (expected ${TRAIN_LIMIT_KEYS.join(', ')})`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new InvalidArgumentError(`"${key}" must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
    }
    limits[key as keyof TrainLimits] = v;
  }
  return limits;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface StudioOptions extends GlobalOptions {
  port?: number;
  host: string;
  token?: string;
  trainLimits?: TrainLimits;
}

export function studioCommand(appVersion: string, rendererDir: string): Command {
  return new Command('studio')
    .description('Serve the studio to a web browser (browser mode) until Ctrl+C')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(port))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'session token the URL carries (default: a random one)')
    .addOption(
      new Option(
        '--train-limits <json>',
        `caps every run (tests, benchmarks): a JSON object with any of ${TRAIN_LIMIT_KEYS.join(', ')}, e.g. '{"maxEpochs":3,"trials":1,"inputSize":64}'`,
      ).argParser(trainLimits),
    )
    // Not withStudio: the Studio is opened here with the training caps.
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const o = command.optsWithGlobals<StudioOptions>();
      const json = o.json === true;
      let studio: Studio | undefined;
      try {
        await printResult(json, async () => {
          if (!existsSync(join(rendererDir, 'index.html'))) {
            throw new StudioError('not_found', `The renderer is not built (no ${rendererDir}): run \`npm run build\` first`);
          }
          studio = await openStudio({ workspace: resolveWorkspaceDir(o.workspace), appVersion, ...(o.trainLimits && { training: { limits: o.trainLimits } }) });
          const server = await startStudioServer({ studio, host: o.host, port: o.port, token: o.token, rendererDir });
          const caps = o.trainLimits ? ` (training capped: ${JSON.stringify(o.trainLimits)})` : '';
          return {
            json: { url: server.url, token: server.token, ...(o.trainLimits && { trainLimits: o.trainLimits }) },
            text: `Studio: ${server.url}${caps}`,
            afterPrint: async () => {
              await untilStopped();
              await server.close();
            },
          };
        });
      } finally {
        await studio?.close();
      }
    });
}
