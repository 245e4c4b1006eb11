import { readdir, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { extname, join, posix } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface ScannedFile {
  /** Relative to the dataset root, '/'-separated. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Its extension names an image format, so a mismatching content is reported, not ignored. */
  looksLikeImage: boolean;
}

export interface FolderScan {
  images: ScannedFile[];
  /** VOC sidecars by image key: relative directory + '/' + lower-cased stem. */
  annotations: Map<string, ScannedFile>;
}

const IMAGE_EXTS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.gif', '.bmp', '.webp', '.tif', '.tiff', '.heic', '.heif', '.avif']);
// Read without sniffing: these are never images, and datasets hold thousands of them (one XML per image).
const NEVER_IMAGES = new Set(['.xml', '.txt', '.json', '.csv', '.tsv', '.yaml', '.yml', '.md', '.html', '.py', '.db', '.ini', '.log']);

/** Key that pairs `dir/a.jpg` with `dir/a.xml` (case-insensitive stem, as on OSS-like stores people expect). */
export function sidecarKey(relPath: string): string {
  const ext = posix.extname(relPath);
  return relPath.slice(0, relPath.length - ext.length).toLowerCase();
}

/** Lists candidate images and VOC sidecars under `root` (recursively; hidden entries skipped). */
export async function scanFolder(root: string, signal?: AbortSignal): Promise<FolderScan> {
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat) throw new Error(`folder not found: ${root}`);
  if (!rootStat.isDirectory()) throw new Error(`not a folder: ${root}`);

  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  const images: ScannedFile[] = [];
  const annotations = new Map<string, ScannedFile>();
  let n = 0;
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    const dir = e.parentPath.slice(root.length).split(/[\\/]/).filter(Boolean);
    if (dir.some((d) => d.startsWith('.'))) continue;
    const ext = extname(e.name).toLowerCase();
    if (NEVER_IMAGES.has(ext) && ext !== '.xml') continue;
    const rel = [...dir, e.name].join('/');
    // Sync stat in slices: an order of magnitude faster than promise-per-file, yielding so that
    // cancellation and other requests still get through.
    const st = statSync(join(e.parentPath, e.name), { throwIfNoEntry: false });
    if (!st) continue;
    const file = { path: rel, size: st.size, mtimeMs: st.mtimeMs, looksLikeImage: IMAGE_EXTS.has(ext) };
    if (ext === '.xml') annotations.set(sidecarKey(rel), file);
    else images.push(file);
    if (++n % 2000 === 0) {
      signal?.throwIfAborted();
      await yieldToLoop();
    }
  }
  images.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { images, annotations };
}
