import { posix } from 'node:path';

/**
 * Gives each image a distinct output name built by `name(path, n)` (n = 0 first, then 1, 2, … on a clash),
 * comparing case-insensitively, as Windows and macOS file systems do.
 */
export function distinctNames(paths: string[], name: (path: string, n: number) => string): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const p of paths) {
    let n = 0;
    let candidate = name(p, n);
    while (used.has(candidate.toLowerCase())) candidate = name(p, ++n);
    used.add(candidate.toLowerCase());
    out.set(p, candidate);
  }
  return out;
}

/** `dir/a.jpg` → `dir/a` (the stem with its folder). */
export function withoutExt(path: string): string {
  const ext = posix.extname(path);
  return ext ? path.slice(0, -ext.length) : path;
}

/** `a.jpg`, n → `a.jpg` (n = 0) or `a_1.jpg`. */
export function numbered(file: string, n: number): string {
  if (n === 0) return file;
  const ext = posix.extname(file);
  return `${file.slice(0, file.length - ext.length)}_${n}${ext}`;
}

/** Joins the folders of an image's path where a layout has one flat image folder (devkit, PPOCRLabel). */
const FLAT_SEPARATOR = '__';

export function flattenPath(path: string): string {
  return path.replaceAll('/', FLAT_SEPARATOR);
}

/** The dataset path a flat name may have come from, offered to the importer as an alias. */
export function unflattenAliases(name: string): string[] | undefined {
  return name.includes(FLAT_SEPARATOR) ? [name.replaceAll(FLAT_SEPARATOR, '/')] : undefined;
}
