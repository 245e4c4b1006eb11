import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, InstanceType } from '../../main/shared/api';
import type { ExportImage, FormatProvider } from '../../main/core/interchange/format';
import { createExportTarget } from '../../main/core/interchange/target';
import { tempDir } from './fixtures';

export const signal: AbortSignal = new AbortController().signal;

export const box = (label: string, xmin: number, ymin: number, xmax: number, ymax: number, difficult = false): Box => ({ label, xmin, ymin, xmax, ymax, difficult, truncated: false });

export const exportImage = (path: string, width: number, height: number, boxes: Box[], split: ExportImage['split'] = null, orientation = 1): ExportImage => ({
  path,
  width,
  height,
  depth: 3,
  orientation,
  annotation: { label: null, boxes },
  verified: false,
  split,
});

/** Sorted '/'-separated paths of every file under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).replaceAll('\\', '/'))
    .sort();
}

/** A dataset folder (`root`) and a scratch folder whose numbered sub-folders hold exports and hand-written inputs. */
export function interchangeScratch(prefix: string) {
  const dirs = [tempDir(`${prefix}-data-`), tempDir(`${prefix}-out-`)];
  const [root, scratch] = dirs.map((d) => d.dir) as [string, string];
  let runs = 0;
  return {
    root,
    scratch,
    cleanup: () => {
      for (const d of dirs) d.cleanup();
    },
    /** Exports `images` of `root` into a fresh folder and returns it. */
    async exportWith(provider: FormatProvider, type: InstanceType, images: ExportImage[]): Promise<string> {
      const outDir = join(scratch, String(++runs));
      await provider.export(createExportTarget({ outDir, root, type, datasetName: 'ds', images, mode: 'copy', signal }));
      return outDir;
    },
    /** A hand-written input folder: strings and Buffers are written as they are, anything else as JSON. */
    fixture(entries: Record<string, string | Buffer | object>): string {
      const dir = join(scratch, String(++runs));
      for (const [rel, content] of Object.entries(entries)) {
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        writeFileSync(join(dir, rel), typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
      }
      return dir;
    },
  };
}
