import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FormatProvider, ImportEntry } from '../format';
import { IO_CONCURRENCY, pool } from '../../jobs/pool';
import { distinctNames, numbered } from './names';

const SPLIT_DIRS = new Set(['train', 'val', 'valid', 'validation', 'test']);

/** AutoLearning's classification layout (and torchvision's ImageFolder): one folder per label. */
export const folders: FormatProvider = {
  id: 'folders',
  title: 'Folders per label',
  description: 'DIR/<label>/<image> (DIR/<train|val>/<label>/<image> with a split) plus labels.csv.',
  types: ['classification'],
  async export(t) {
    const byPath = new Map(t.images.map((i) => [i.path, i]));
    const rel = (path: string) => {
      const image = byPath.get(path)!;
      return posix.join(...(image.split ? [image.split] : []), image.annotation.label!, posix.basename(path));
    };
    // Two "1.jpg" from different sub-folders with the same label: the second becomes 1_1.jpg.
    const names = distinctNames([...byPath.keys()], (p, n) => numbered(rel(p), n));
    const rows: string[] = [];
    let done = 0;
    await pool(t.images, IO_CONCURRENCY, async (image) => {
      const out = names.get(image.path)!;
      await t.writeImage(image, out);
      rows.push([out, image.annotation.label!, ...(image.split ? [image.split] : [])].map(csvField).join(','));
      t.progress(++done);
    });
    const header = 'path,label' + (t.images.some((i) => i.split) ? ',split' : '');
    await t.writeFile('labels.csv', [header, ...rows.sort()].join('\n') + '\n');
  },
  async import(dir) {
    const files = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => {
      throw new Error(`folder not found: ${dir}`);
    });
    const entries: ImportEntry[] = [];
    for (const f of files) {
      if (!f.isFile() || f.name.startsWith('.') || f.name === 'labels.csv') continue;
      const dirs = f.parentPath.slice(dir.length).split(/[\\/]/).filter(Boolean);
      // DIR/<label>/x or DIR/<split>/<label>/x; files directly in DIR carry no label.
      const label = dirs.length >= 2 && SPLIT_DIRS.has(dirs[0]!.toLowerCase()) ? dirs[1] : dirs[0];
      if (label) entries.push({ image: f.name, annotation: { label, boxes: [] } });
    }
    return { entries, problems: [] };
  },
};

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
