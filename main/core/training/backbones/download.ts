// Downloads a tfjs model (model.json + the weight files its manifest lists, relative to it) into a
// folder: everything goes to a temp folder beside destDir first, which is then renamed into place,
// so destDir is either absent or complete. Returns the sha256 of every file written.

import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StudioError } from '../../../shared/api';
import { MODEL_JSON, parseModelJson, weightPaths, weightsByteLength } from './folder-io';

export type DownloadProgress = (doneBytes: number, totalBytes: number | null, message: string) => void;

export interface DownloadOptions {
  signal?: AbortSignal;
  progress?: DownloadProgress;
  fetch?: typeof fetch;
}

export const OFFLINE_HINT = 'Offline? Import a local tfjs layers model folder with --backbone DIR';

function cancelled(url: string): StudioError {
  return new StudioError('cancelled', `download of ${url} cancelled`);
}

/** The reason behind a failed fetch, as short as possible: ECONNREFUSED 127.0.0.1:80, ENOTFOUND host, … */
function reasonOf(err: unknown): string {
  const e = err as { message?: string; cause?: unknown; code?: string };
  const cause = e?.cause as { code?: string; message?: string; errors?: Array<{ message?: string }> } | undefined;
  if (cause) {
    if (cause.message) return cause.message;
    if (cause.errors?.[0]?.message) return cause.errors[0].message;
    if (cause.code) return cause.code;
  }
  return e?.message ?? String(err);
}

function downloadError(url: string, reason: string): StudioError {
  return new StudioError('io_error', `could not download ${url}: ${reason}. ${OFFLINE_HINT}`);
}

/** Fetches one URL fully, reporting bytes as they arrive; maps every failure to a StudioError. */
async function fetchBytes(
  url: string,
  fetchFn: typeof fetch,
  signal: AbortSignal | undefined,
  onChunk: (n: number) => void,
  modelUrl: string,
): Promise<Uint8Array> {
  if (signal?.aborted) throw cancelled(modelUrl);
  let res: Response;
  try {
    res = await fetchFn(url, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw cancelled(modelUrl);
    throw downloadError(url, reasonOf(err));
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw downloadError(url, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
        onChunk(value.byteLength);
      }
    } else {
      const buf = new Uint8Array(await res.arrayBuffer());
      chunks.push(buf);
      size = buf.byteLength;
      onChunk(size);
    }
  } catch (err) {
    if (signal?.aborted) throw cancelled(modelUrl);
    throw downloadError(url, `connection lost while reading the response (${reasonOf(err)})`);
  }
  if (signal?.aborted) throw cancelled(modelUrl);
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Downloads the tfjs model at `url` (a model.json) into `destDir`, replacing what is there only once
 * the whole model arrived. Returns { fileName: sha256 } for model.json and every weight file.
 */
export async function downloadModel(url: string, destDir: string, opts: DownloadOptions = {}): Promise<Record<string, string>> {
  const fetchFn = opts.fetch ?? fetch;
  const { signal, progress } = opts;
  const parent = dirname(destDir);
  const tmp = join(parent, `.${basename(destDir)}.download-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let done = 0;
  let total: number | null = null;
  const report = (message: string): void => progress?.(done, total, message);
  try {
    await mkdir(tmp, { recursive: true });
  } catch (err) {
    throw new StudioError('io_error', `could not create ${tmp}: ${(err as Error).message}`);
  }
  try {
    report(`downloading ${url}`);
    const jsonBytes = await fetchBytes(url, fetchFn, signal, (n) => {
      done += n;
    }, url);
    const json = parseModelJson(new TextDecoder().decode(jsonBytes), url);
    if (json.format !== undefined && json.format !== 'layers-model') {
      throw new StudioError('invalid_input', `${url} is a ${json.format}, not a tfjs layers model (only layers models can be cut and fine-tuned)`);
    }
    const manifest = json.weightsManifest ?? [];
    const paths = weightPaths(manifest, url);
    const weightBytes = weightsByteLength(manifest.flatMap((g) => g.weights));
    total = weightBytes === null ? null : jsonBytes.byteLength + weightBytes;
    report(`downloaded ${MODEL_JSON}; ${paths.length} weight file${paths.length === 1 ? '' : 's'} to fetch`);
    const hashes: Record<string, string> = {};
    await writeFile(join(tmp, MODEL_JSON), jsonBytes);
    hashes[MODEL_JSON] = sha256(jsonBytes);
    let fetchedWeights = 0;
    for (const [i, p] of paths.entries()) {
      const fileUrl = new URL(p, url).toString();
      const bytes = await fetchBytes(fileUrl, fetchFn, signal, (n) => {
        done += n;
        report(`downloading ${p} (${i + 1}/${paths.length})`);
      }, url);
      fetchedWeights += bytes.byteLength;
      const file = join(tmp, p);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
      hashes[p] = sha256(bytes);
    }
    if (weightBytes !== null && fetchedWeights < weightBytes) {
      throw downloadError(url, `the weight files hold ${fetchedWeights} bytes but model.json needs ${weightBytes} (truncated download)`);
    }
    if (signal?.aborted) throw cancelled(url);
    // Swap into place: move what is there aside, rename the new folder in, then drop the old one.
    const old = `${tmp}.old`;
    let moved = false;
    try {
      await rename(destDir, old);
      moved = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StudioError('io_error', `could not replace ${destDir}: ${(err as Error).message}`);
    }
    try {
      await rename(tmp, destDir);
    } catch (err) {
      if (moved) await rename(old, destDir).catch(() => undefined);
      throw new StudioError('io_error', `could not move the download into ${destDir}: ${(err as Error).message}`);
    }
    if (moved) await rm(old, { recursive: true, force: true });
    report(`downloaded ${url}`);
    return hashes;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof StudioError) throw err;
    if (signal?.aborted) throw cancelled(url);
    throw new StudioError('io_error', `could not download ${url} into ${destDir}: ${(err as Error).message}`);
  }
}
