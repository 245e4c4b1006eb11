// The EAS processor: the prediction service run on its own from a model folder, outside the studio.
// export-eas bundles this file (and what it imports: the same runtime and service as `serve`) into
// processor/server.js; TensorFlow.js and sharp stay packages (processor/package.json).
//
//   node server.js --model ../model --name my_service --token SECRET [--host 127.0.0.1] [--port 8000]
//   node server.js --model /eas/workspace/model --name my_service --host 0.0.0.0 --no-auth   # on EAS
//
// Prints one JSON line when it listens ({"url","endpoint",…}); SIGTERM/SIGINT stop it gracefully.

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { StudioError } from '../../shared/api';
import { initBackend } from '../training/tf/backend';
import { ModelRuntime } from './runtime';
import { DEFAULTS, startEasService } from './service';

const USAGE = `Usage: node server.js --model DIR --name NAME (--token TOKEN | --no-auth) [options]

  --model DIR               model folder (model.json, weights, metadata.json); env AUTOLEARN_MODEL_DIR
  --name NAME               service name: POST /api/predict/NAME; env AUTOLEARN_SERVICE_NAME
  --token TOKEN             token callers send in the Authorization header; env AUTOLEARN_TOKEN
  --no-auth                 no token check (on EAS, whose gateway checks the service token)
  --host HOST               address to listen on (default ${DEFAULTS.host}; 0.0.0.0 in a container)
  --port PORT               port (default ${DEFAULTS.port}; EAS reserves 8080 and 9090)
  --queue-size N            requests in flight before 2002 GET_INSTANCE_ERROR (default ${DEFAULTS.queueSize})
  --max-batch N             images per forward pass (default ${DEFAULTS.maxBatch})
  --max-body-mb N           largest request body in MB (default ${DEFAULTS.maxBodyBytes / 1024 / 1024})
  --request-timeout-ms N    time a client has to send its request (default ${DEFAULTS.requestTimeoutMs})
  --grace-ms N              time to finish requests in flight on SIGTERM (default ${DEFAULTS.graceMs})
`;

function int(values: Record<string, unknown>, key: string, fallback: number): number {
  const raw = values[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(String(raw)) || !Number.isSafeInteger(n)) throw new StudioError('invalid_input', `--${key} must be a non-negative integer (got "${String(raw)}")`, key);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      name: { type: 'string' },
      token: { type: 'string' },
      'no-auth': { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      'queue-size': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-body-mb': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'grace-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const env = process.env;
  const modelDir = values.model ?? env.AUTOLEARN_MODEL_DIR;
  const name = values.name ?? env.AUTOLEARN_SERVICE_NAME;
  const token = values.token ?? env.AUTOLEARN_TOKEN ?? null;
  if (!modelDir) throw new StudioError('invalid_input', '--model DIR is required (the exported model folder)', 'model');
  if (!name) throw new StudioError('invalid_input', '--name NAME is required (the service name in /api/predict/NAME)', 'name');
  if (token === null && !values['no-auth']) throw new StudioError('invalid_input', 'give --token TOKEN (or AUTOLEARN_TOKEN), or --no-auth where a gateway checks the token', 'token');
  if (token !== null && values['no-auth']) throw new StudioError('invalid_input', '--token and --no-auth exclude each other', 'token');

  const backend = await initBackend('auto');
  const runtime = await ModelRuntime.load(resolve(modelDir));
  const service = await startEasService({
    runtime,
    name,
    token,
    host: values.host ?? DEFAULTS.host,
    port: int(values, 'port', DEFAULTS.port),
    queueSize: int(values, 'queue-size', DEFAULTS.queueSize),
    maxBatch: int(values, 'max-batch', DEFAULTS.maxBatch),
    maxBodyBytes: int(values, 'max-body-mb', DEFAULTS.maxBodyBytes / 1024 / 1024) * 1024 * 1024,
    requestTimeoutMs: int(values, 'request-timeout-ms', DEFAULTS.requestTimeoutMs),
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const graceMs = int(values, 'grace-ms', DEFAULTS.graceMs);
  process.stdout.write(`${JSON.stringify({ url: service.url, endpoint: service.endpoint, name, model: resolve(modelDir), type: runtime.meta.type, labels: runtime.meta.labels, backend: backend.detail })}\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: finishing requests in flight\n`);
    service.close(graceMs).then(
      () => {
        runtime.dispose();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${message}\n${err instanceof StudioError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `\n${USAGE}` : ''}`);
  process.exit(1);
});
