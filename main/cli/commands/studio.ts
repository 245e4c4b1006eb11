import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startStudioServer } from '../../core/server/server';
import { StudioError } from '../../shared/api';
import { withStudio } from '../run';

export function port(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number (0–65535)');
  return n;
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

export function studioCommand(appVersion: string, rendererDir: string): Command {
  return new Command('studio')
    .description('Serve the studio to a web browser (browser mode) until Ctrl+C')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(port))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'session token the URL carries (default: a random one)')
    .action(
      withStudio<{ port?: number; host: string; token?: string }>(appVersion, async ({ studio }, o) => {
        if (!existsSync(join(rendererDir, 'index.html'))) {
          throw new StudioError('not_found', `The renderer is not built (no ${rendererDir}): run \`npm run build\` first`);
        }
        const server = await startStudioServer({ studio, host: o.host, port: o.port, token: o.token, rendererDir });
        return {
          json: { url: server.url, token: server.token },
          text: `Studio: ${server.url}`,
          afterPrint: async () => {
            await untilStopped();
            await server.close();
          },
        };
      }),
    );
}
