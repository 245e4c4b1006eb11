// Recent workspaces for File › Open Recent: a small JSON list in the app's user data, most recent
// first. Plain Node (no Electron) so it is tested under Node.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

export const MAX_RECENT = 8;
const RecentList = z.array(z.string().min(1));

/** The list in `file`; a missing or damaged file is an empty list (it only serves a menu). */
export function readRecent(file: string): string[] {
  try {
    const parsed = RecentList.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

function write(file: string, list: string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2));
  renameSync(tmp, file);
}

/** Puts `dir` first (once), keeps MAX_RECENT, saves and returns the list. */
export function addRecent(file: string, dir: string): string[] {
  const path = resolve(dir);
  const list = [path, ...readRecent(file).filter((d) => resolve(d) !== path)].slice(0, MAX_RECENT);
  write(file, list);
  return list;
}

export function clearRecent(file: string): void {
  write(file, []);
}
