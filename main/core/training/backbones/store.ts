// The backbone cache of a workspace (<workspace>/models/backbones):
//   <id>/                catalog backbones, downloaded on first use
//   imported-<sha12>/    local tfjs layers model folders, copied in so later runs do not need the original
// Each holds the model files and a source.json with the sha256 of every file, recomputed and compared
// on every resolve.
//
// Corruption policy: a catalog backbone whose checksums differ is downloaded again automatically (it
// has a canonical URL, and a corrupt copy is worth nothing); if that download fails the error says the
// cache is corrupt and why it could not be fetched. An imported backbone cannot be fetched again, so a
// mismatch is an io_error naming the file and asking to import the folder again (or, when resolved by
// its original path while that folder still exists, it is silently re-copied from there).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StudioError } from '../../../shared/api';
import { downloadModel, type DownloadProgress } from './download';
import { MODEL_JSON, readModelFolder } from './folder-io';
import { BACKBONES, MOBILENET_PREPROCESSING, type BackboneEntry, type Preprocessing } from './zoo';

export const SOURCE_JSON = 'source.json';
export const BACKBONE_JSON = 'backbone.json';
const IMPORTED_PREFIX = 'imported-';

export interface ResolvedBackbone {
  id: string;
  title: string;
  /** Folder holding model.json + weights (inside the store). */
  dir: string;
  source: 'zoo' | 'imported';
  /** sha256 per file name (model.json, weight files, backbone.json if any). */
  sha256: Record<string, string>;
  preprocessing: Preprocessing;
  /** Layer to cut at; null = let findFeatureLayer choose. */
  featureLayer: string | null;
}

export interface BackboneInfo {
  id: string;
  title: string;
  source: 'zoo' | 'imported';
  /** Files are in the store (always true for imported). */
  cached: boolean;
  dir: string;
  /** Catalog entries only. */
  family?: BackboneEntry['family'];
  alpha?: number;
  inputSize?: number;
  url?: string;
  /** Imported only: the folder it was copied from. */
  importedFrom?: string;
}

export interface ResolveOptions {
  signal?: AbortSignal;
  progress?: DownloadProgress;
}

/** What backbone.json beside an imported model may say. */
export interface BackboneMeta {
  preprocessing?: Preprocessing;
  featureLayer?: string;
  title?: string;
}

interface ZooSource {
  id: string;
  url: string;
  sha256: Record<string, string>;
  downloadedAt: string;
}

interface ImportedSource {
  id: string;
  importedFrom: string;
  sha256: Record<string, string>;
  importedAt: string;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function isPathRef(ref: string): boolean {
  return ref.startsWith('.') || ref.startsWith('/') || ref.startsWith('~') || ref.includes('/') || ref.includes('\\') || /^[a-zA-Z]:/.test(ref);
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new StudioError('io_error', `could not write ${file}: ${(err as Error).message}`);
  }
}

function readJsonSync(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isRecordOfStrings(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Checks a backbone.json object; `where` names the file in messages. */
export function parseBackboneMeta(value: unknown, where: string): BackboneMeta {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new StudioError('invalid_input', `${where} must be a JSON object`);
  const o = value as Record<string, unknown>;
  const meta: BackboneMeta = {};
  if (o.title !== undefined) {
    if (typeof o.title !== 'string' || o.title.trim() === '') throw new StudioError('invalid_input', `${where}: title must be a non-empty string`, 'title');
    meta.title = o.title;
  }
  if (o.featureLayer !== undefined) {
    if (typeof o.featureLayer !== 'string' || o.featureLayer === '') throw new StudioError('invalid_input', `${where}: featureLayer must be a layer name`, 'featureLayer');
    meta.featureLayer = o.featureLayer;
  }
  if (o.preprocessing !== undefined) {
    const p = o.preprocessing as Record<string, unknown> | null;
    const ok =
      p !== null &&
      typeof p === 'object' &&
      typeof p.size === 'number' &&
      Number.isInteger(p.size) &&
      p.size >= 8 &&
      p.size <= 4096 &&
      typeof p.scale === 'number' &&
      Number.isFinite(p.scale) &&
      p.scale !== 0 &&
      typeof p.offset === 'number' &&
      Number.isFinite(p.offset);
    if (!ok) throw new StudioError('invalid_input', `${where}: preprocessing must be {size: integer 8..4096, scale: non-zero number, offset: number}`, 'preprocessing');
    meta.preprocessing = { size: p.size as number, scale: p.scale as number, offset: p.offset as number };
  }
  return meta;
}

async function readBackboneMeta(file: string): Promise<BackboneMeta> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new StudioError('invalid_input', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseBackboneMeta(raw, file);
}

/** The model's square input size from model.json's topology (first input layer), or null if dynamic/unknown. */
export function inputSizeOf(modelTopology: unknown): number | null {
  const t = modelTopology as Record<string, unknown> | null;
  const config = ((t?.model_config as Record<string, unknown> | undefined) ?? t)?.config as Record<string, unknown> | unknown[] | undefined;
  const layers = (Array.isArray(config) ? config : (config?.layers as unknown[] | undefined)) ?? [];
  for (const l of layers as Array<Record<string, unknown>>) {
    const c = l?.config as Record<string, unknown> | undefined;
    const shape = (c?.batch_input_shape ?? c?.batchInputShape) as unknown[] | undefined;
    if (Array.isArray(shape) && shape.length === 4) {
      return typeof shape[1] === 'number' && shape[1] > 0 ? shape[1] : null;
    }
    if (Array.isArray(shape)) return null;
  }
  return null;
}

/** The files a model folder is made of: model.json, its weight files, backbone.json if present. */
async function modelFiles(dir: string): Promise<string[]> {
  const { json } = await readModelFolder(dir); // validates model.json and the weight sizes
  const files = [MODEL_JSON, ...(json.weightsManifest ?? []).flatMap((g) => g.paths)];
  if (existsSync(join(dir, BACKBONE_JSON))) files.push(BACKBONE_JSON);
  return [...new Set(files)];
}

async function hashFiles(dir: string, files: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) out[f] = sha256(await readFile(join(dir, f)));
  return out;
}

/** The first file whose sha256 differs (or is missing), or null when all match. */
async function firstMismatch(dir: string, expected: Record<string, string>): Promise<{ file: string; why: string } | null> {
  for (const [file, hash] of Object.entries(expected)) {
    let data: Buffer;
    try {
      data = await readFile(join(dir, file));
    } catch {
      return { file, why: 'is missing' };
    }
    if (sha256(data) !== hash) return { file, why: 'checksum differs' };
  }
  return null;
}

export class BackboneStore {
  readonly rootDir: string;
  private readonly fetchFn: typeof fetch | undefined;
  private readonly catalog: BackboneEntry[];
  /** One download per id at a time within this process. */
  private readonly inflight = new Map<string, Promise<ResolvedBackbone>>();

  constructor(rootDir: string, opts: { fetch?: typeof fetch; catalog?: BackboneEntry[] } = {}) {
    this.rootDir = resolve(rootDir);
    this.fetchFn = opts.fetch;
    this.catalog = opts.catalog ?? BACKBONES;
  }

  /** Catalog entries (cached or not), then the imported folders in the store. */
  list(): BackboneInfo[] {
    const out: BackboneInfo[] = this.catalog.map((e) => {
      const dir = join(this.rootDir, e.id);
      const src = readJsonSync(join(dir, SOURCE_JSON)) as Partial<ZooSource> | undefined;
      return {
        id: e.id,
        title: e.title,
        source: 'zoo',
        cached: existsSync(join(dir, MODEL_JSON)) && src?.url === e.url && isRecordOfStrings(src.sha256),
        dir,
        family: e.family,
        alpha: e.alpha,
        inputSize: e.inputSize,
        url: e.url,
      };
    });
    let names: string[] = [];
    try {
      names = readdirSync(this.rootDir).filter((n) => n.startsWith(IMPORTED_PREFIX)).sort();
    } catch {
      names = [];
    }
    for (const name of names) {
      const dir = join(this.rootDir, name);
      try {
        if (!statSync(dir).isDirectory()) continue;
      } catch {
        continue;
      }
      const src = readJsonSync(join(dir, SOURCE_JSON)) as Partial<ImportedSource> | undefined;
      if (!src || !isRecordOfStrings(src.sha256)) continue;
      let title = `imported from ${src.importedFrom ?? '?'}`;
      try {
        const meta = parseBackboneMeta(readJsonSync(join(dir, BACKBONE_JSON)) ?? {}, join(dir, BACKBONE_JSON));
        if (meta.title) title = meta.title;
      } catch {
        // listed with the default title; resolve() reports the problem
      }
      const info: BackboneInfo = { id: name, title, source: 'imported', cached: true, dir };
      if (typeof src.importedFrom === 'string') info.importedFrom = src.importedFrom;
      out.push(info);
    }
    return out;
  }

  /**
   * A catalog id (downloaded on first use), an imported id (imported-<sha12>), or a path to a local
   * folder with model.json (copied into the store). Files are checksummed on every call.
   */
  async resolve(ref: string, opts: ResolveOptions = {}): Promise<ResolvedBackbone> {
    const entry = this.catalog.find((e) => e.id === ref);
    if (entry) {
      const running = this.inflight.get(entry.id);
      if (running) return running;
      const p = this.resolveZoo(entry, opts).finally(() => this.inflight.delete(entry.id));
      this.inflight.set(entry.id, p);
      return p;
    }
    if (ref.startsWith(IMPORTED_PREFIX) && !isPathRef(ref) && existsSync(join(this.rootDir, ref, SOURCE_JSON))) {
      return this.resolveImportedId(ref);
    }
    if (isPathRef(ref) || existsSync(ref)) return this.importFolder(resolve(ref), opts);
    const ids = this.catalog.map((e) => e.id).join(', ');
    throw new StudioError('not_found', `unknown backbone "${ref}": not a catalog id (${ids}), an imported id, or a folder with ${MODEL_JSON}`, 'backbone');
  }

  private async resolveZoo(entry: BackboneEntry, opts: ResolveOptions): Promise<ResolvedBackbone> {
    const dir = join(this.rootDir, entry.id);
    const resolved = (sha: Record<string, string>): ResolvedBackbone => ({
      id: entry.id,
      title: entry.title,
      dir,
      source: 'zoo',
      sha256: sha,
      preprocessing: { ...entry.preprocessing },
      featureLayer: entry.featureLayer,
    });
    const src = readJsonSync(join(dir, SOURCE_JSON)) as Partial<ZooSource> | undefined;
    let corrupt: string | null = null;
    if (src && src.url === entry.url && isRecordOfStrings(src.sha256) && src.sha256[MODEL_JSON]) {
      const bad = await firstMismatch(dir, src.sha256);
      if (!bad) {
        opts.progress?.(0, null, `using cached backbone ${entry.id}`);
        return resolved(src.sha256);
      }
      corrupt = `cached backbone ${entry.id} is corrupt (${bad.file} ${bad.why})`;
      opts.progress?.(0, null, `${corrupt}; downloading it again`);
    }
    // Not cached, cached from another URL, or corrupt: (re-)download. downloadModel swaps atomically.
    await mkdir(this.rootDir, { recursive: true }).catch((err: Error) => {
      throw new StudioError('io_error', `could not create ${this.rootDir}: ${err.message}`);
    });
    let sha: Record<string, string>;
    try {
      const dlOpts: Parameters<typeof downloadModel>[2] = {};
      if (opts.signal) dlOpts.signal = opts.signal;
      if (opts.progress) dlOpts.progress = opts.progress;
      if (this.fetchFn) dlOpts.fetch = this.fetchFn;
      sha = await downloadModel(entry.url, dir, dlOpts);
    } catch (err) {
      if (corrupt && err instanceof StudioError && err.code !== 'cancelled') {
        throw new StudioError(err.code, `${corrupt} and could not be downloaded again: ${err.message}; or delete ${dir} and import a copy with --backbone DIR`);
      }
      throw err;
    }
    const source: ZooSource = { id: entry.id, url: entry.url, sha256: sha, downloadedAt: new Date().toISOString() };
    await writeJsonAtomically(join(dir, SOURCE_JSON), source);
    return resolved(sha);
  }

  private async describeImported(id: string, dir: string, sha: Record<string, string>, importedFrom: string): Promise<ResolvedBackbone> {
    const metaFile = join(dir, BACKBONE_JSON);
    const meta = existsSync(metaFile) ? await readBackboneMeta(metaFile) : {};
    let preprocessing = meta.preprocessing;
    if (!preprocessing) {
      const { json } = await readModelFolder(dir);
      preprocessing = { ...MOBILENET_PREPROCESSING, size: inputSizeOf(json.modelTopology) ?? MOBILENET_PREPROCESSING.size };
    }
    return {
      id,
      title: meta.title ?? `imported from ${importedFrom}`,
      dir,
      source: 'imported',
      sha256: sha,
      preprocessing,
      featureLayer: meta.featureLayer ?? null,
    };
  }

  private async resolveImportedId(id: string): Promise<ResolvedBackbone> {
    const dir = join(this.rootDir, id);
    const src = readJsonSync(join(dir, SOURCE_JSON)) as Partial<ImportedSource> | undefined;
    if (!src || !isRecordOfStrings(src.sha256)) throw new StudioError('io_error', `${join(dir, SOURCE_JSON)} is missing or malformed; delete ${dir} and import the folder again`);
    const from = src.importedFrom ?? '?';
    const bad = await firstMismatch(dir, src.sha256);
    if (bad) {
      throw new StudioError('io_error', `imported backbone ${id} is corrupt (${bad.file} ${bad.why}); import it again with --backbone ${from}`);
    }
    return this.describeImported(id, dir, src.sha256, from);
  }

  private async importFolder(folder: string, opts: ResolveOptions): Promise<ResolvedBackbone> {
    let st;
    try {
      st = await stat(folder);
    } catch {
      throw new StudioError('not_found', `backbone folder ${folder} does not exist`, 'backbone');
    }
    if (!st.isDirectory()) throw new StudioError('invalid_input', `backbone ${folder} is not a folder (expected a tfjs layers model folder with ${MODEL_JSON})`, 'backbone');
    const files = await modelFiles(folder);
    if (files.includes(BACKBONE_JSON)) await readBackboneMeta(join(folder, BACKBONE_JSON)); // report problems against the user's file
    const sha = await hashFiles(folder, files);
    const id = `${IMPORTED_PREFIX}${sha256(new TextEncoder().encode(Object.entries(sha).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, h]) => `${f}\0${h}\n`).join(''))).slice(0, 12)}`;
    const dir = join(this.rootDir, id);
    const src = readJsonSync(join(dir, SOURCE_JSON)) as Partial<ImportedSource> | undefined;
    if (src && isRecordOfStrings(src.sha256) && !(await firstMismatch(dir, src.sha256))) {
      opts.progress?.(0, null, `using imported backbone ${id}`);
      return this.describeImported(id, dir, src.sha256, src.importedFrom ?? folder);
    }
    // New (or a damaged copy): copy into a temp folder, then rename into place.
    opts.progress?.(0, null, `importing ${folder} as ${id}`);
    const tmp = join(this.rootDir, `.${id}.import-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      await mkdir(tmp, { recursive: true });
      for (const f of files) {
        await mkdir(dirname(join(tmp, f)), { recursive: true });
        await copyFile(join(folder, f), join(tmp, f));
      }
      const copied = await hashFiles(tmp, files);
      const bad = Object.keys(sha).find((f) => copied[f] !== sha[f]);
      if (bad) throw new StudioError('io_error', `${join(folder, bad)} changed while it was being imported; try again`);
      const source: ImportedSource = { id, importedFrom: folder, sha256: sha, importedAt: new Date().toISOString() };
      await writeFile(join(tmp, SOURCE_JSON), `${JSON.stringify(source, null, 2)}\n`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof StudioError) throw err;
      throw new StudioError('io_error', `could not import ${folder} into ${dir}: ${(err as Error).message}`);
    }
    return this.describeImported(id, dir, sha, folder);
  }
}
