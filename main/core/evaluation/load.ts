// Reads evaluation inputs from disk for the CLI: a folder of VOC ground truths and a predictions file.
// Errors are StudioErrors naming the file and the reason (and the line for predictions).

import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError, type Box } from '../../shared/api';
import { MAX_VOC_BYTES, parseVoc, VocError } from '../interchange/voc';
import { IO_CONCURRENCY, pool } from '../jobs/pool';
import { compareLabels } from './classification';
import type { Detection } from './detection';

/**
 * The VOC XML files directly in `dir` (not in sub-folders; hidden files skipped), keyed by file
 * name without the .xml extension, in code-point order of the key.
 */
export async function loadVocFolder(dir: string): Promise<Map<string, Box[]>> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('not_found', `ground-truth folder not found: ${dir}`, 'gt');
    if (code === 'ENOTDIR') throw new StudioError('invalid_input', `ground truth must be a folder of VOC XML files: ${dir}`, 'gt');
    throw new StudioError('io_error', `cannot read ${dir}: ${(err as Error).message}`, 'gt');
  }
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.') && /\.xml$/i.test(e.name))
    .map((e) => e.name)
    .sort(compareLabels);
  if (names.length === 0) throw new StudioError('invalid_input', `no .xml files in ${dir}`, 'gt');

  const keys = new Map<string, string>();
  for (const name of names) {
    const key = name.slice(0, -'.xml'.length);
    const other = keys.get(key);
    if (other !== undefined) throw new StudioError('invalid_input', `${join(dir, other)} and ${join(dir, name)} are both ground truth for image "${key}"`, 'gt');
    keys.set(key, name);
  }

  const boxes: Box[][] = new Array(names.length);
  await pool([...names.keys()], IO_CONCURRENCY, async (i) => {
    boxes[i] = await readVoc(join(dir, names[i]!));
  });
  return new Map([...keys.keys()].map((key, i) => [key, boxes[i]!]));
}

async function readVoc(path: string): Promise<Box[]> {
  try {
    const { size } = await stat(path);
    if (size > MAX_VOC_BYTES) throw new VocError(`file is ${size} bytes; annotation files are limited to ${MAX_VOC_BYTES}`);
    return parseVoc(await readFile(path)).boxes;
  } catch (err) {
    if (err instanceof VocError) throw new StudioError('invalid_input', `${path}: ${err.message}`, 'gt');
    throw new StudioError('io_error', `cannot read ${path}: ${(err as Error).message}`, 'gt');
  }
}

/** Reads a predictions file: see parseDetections. */
export async function loadDetections(file: string): Promise<Detection[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StudioError('not_found', `predictions file not found: ${file}`, 'pred');
    throw new StudioError('io_error', `cannot read ${file}: ${(err as Error).message}`, 'pred');
  }
  return parseDetections(text, file);
}

/**
 * Parses predictions: a JSON array, or JSON lines (one object per line, blank lines skipped), of
 * `{image, label, score, xmin, ymin, xmax, ymax}`; other keys are ignored. `file` names the source
 * in error messages, which give the line (JSON lines) or item (array) and the field at fault.
 */
export function parseDetections(text: string, file: string): Detection[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('[')) {
    const items = parseJson(body, file);
    if (!Array.isArray(items)) throw invalid(`${file}: expected a JSON array or JSON lines`);
    return items.map((item, i) => toDetection(item, `${file}: item ${i + 1}`));
  }
  const detections: Detection[] = [];
  for (const [i, line] of body.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const where = `${file}: line ${i + 1}`;
    detections.push(toDetection(parseJson(line, where), where));
  }
  return detections;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${where}: not valid JSON (${(err as Error).message})`);
  }
}

const COORDS = ['xmin', 'ymin', 'xmax', 'ymax'] as const;

function toDetection(value: unknown, where: string): Detection {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}: expected an object`);
  const o = value as Record<string, unknown>;
  for (const key of ['image', 'label'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') throw invalid(`${where}: "${key}" must be a non-empty string`);
  }
  for (const key of ['score', ...COORDS] as const) {
    if (typeof o[key] !== 'number' || !Number.isFinite(o[key])) throw invalid(`${where}: "${key}" must be a number`);
  }
  const d = o as unknown as Detection;
  if (d.xmax < d.xmin) throw invalid(`${where}: "xmax" (${d.xmax}) is less than "xmin" (${d.xmin})`);
  if (d.ymax < d.ymin) throw invalid(`${where}: "ymax" (${d.ymax}) is less than "ymin" (${d.ymin})`);
  return { image: d.image, label: d.label, score: d.score, xmin: d.xmin, ymin: d.ymin, xmax: d.xmax, ymax: d.ymax };
}

function invalid(message: string): StudioError {
  return new StudioError('invalid_input', message, 'pred');
}
