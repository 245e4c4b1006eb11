// The EAS processor: the prediction service run on its own from a model folder, outside the studio.
// export-eas bundles this file (and what it imports: the same runtime and service as `serve`) into
// processor/server.js; TensorFlow.js and sharp stay packages (processor/package.json).
//
//   node server.js --model ../model --name my_service --token SECRET [--host 127.0.0.1] [--port 8000]
//   node server.js --model /eas/workspace/model --name my_service --host 0.0.0.0 --no-auth   # on EAS
//
// Prints one JSON line when it listens ({"url","endpoint",…,"pids"}); SIGTERM/SIGINT stop it gracefully.
//
// Several workers (--workers, default one per core) share the port through node:cluster, each with
// its own model, queue and batcher: a CPU backend computes on one thread, so one process cannot use
// a second core however the requests are batched. The primary loads no model; it starts the
// workers, replaces one that dies, and passes SIGTERM on so each finishes its requests.

import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
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
  --workers N               processes serving the port, each with the model (default: one per core, here ${availableParallelism()});
                            the queue size is shared out among them
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
      workers: { type: 'string' },
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

  const graceMs = int(values, 'grace-ms', DEFAULTS.graceMs);
  const workers = int(values, 'workers', availableParallelism());
  if (workers < 1) throw new StudioError('invalid_input', '--workers must be at least 1', 'workers');
  const queueSize = int(values, 'queue-size', DEFAULTS.queueSize);
  if (workers > 1 && cluster.isPrimary) return primary(workers, graceMs);

  const backend = await initBackend('auto');
  const runtime = await ModelRuntime.load(resolve(modelDir));
  const service = await startEasService({
    runtime,
    name,
    token,
    host: values.host ?? DEFAULTS.host,
    port: int(values, 'port', DEFAULTS.port),
    queueSize: Math.max(1, Math.ceil(queueSize / workers)),
    maxBatch: int(values, 'max-batch', DEFAULTS.maxBatch),
    maxBodyBytes: int(values, 'max-body-mb', DEFAULTS.maxBodyBytes / 1024 / 1024) * 1024 * 1024,
    requestTimeoutMs: int(values, 'request-timeout-ms', DEFAULTS.requestTimeoutMs),
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const ready = { url: service.url, endpoint: service.endpoint, name, model: resolve(modelDir), type: runtime.meta.type, labels: runtime.meta.labels, backend: backend.detail, workers };
  if (cluster.isWorker) process.send!({ ready });
  else process.stdout.write(`${JSON.stringify({ ...ready, pids: [process.pid] })}\n`);
  let stopping = false;
  // Ctrl+C reaches a worker twice: from the terminal and from the primary.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
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

/** Starts `count` workers on the same arguments, prints the listen line once all are ready, keeps them running. */
function primary(count: number, graceMs: number): void {
  let stopping = false;
  let announced = false;
  const alive = new Set<number>();
  const ready = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    alive.add(worker.id);
    worker.on('message', (m: { ready?: Record<string, unknown> }) => {
      if (!m.ready) return;
      ready.set(worker.id, worker.process.pid!);
      if (!announced && ready.size === count) {
        announced = true;
        process.stdout.write(`${JSON.stringify({ ...m.ready, pids: [...ready.values()] })}\n`);
      }
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker.id);
    ready.delete(worker.id);
    if (stopping) {
      if (alive.size === 0) process.exit(0);
      return;
    }
    // A worker that never got ready (bad model, port taken) would fail again: stop with its error.
    if (!announced) {
      process.stderr.write(`a worker exited before serving (${signal ?? `code ${code}`}); stopping\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(code || 1);
    }
    process.stderr.write(`${new Date().toISOString()} worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another\n`);
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing requests in flight\n`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), graceMs + 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < count; i++) fork();
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Error: ${message}\n${err instanceof StudioError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `\n${USAGE}` : ''}`);
  process.exit(1);
});
