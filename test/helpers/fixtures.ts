import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import sharp from 'sharp';

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix = 'autolearn-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real photo-like JPEG (noise, so it does not compress to nothing), optionally with an EXIF orientation. */
export function jpeg(width: number, height: number, opts: { orientation?: number; seed?: number } = {}): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 100 + (opts.seed ?? 0), sigma: 40 } } }).jpeg({ quality: 80 });
  return (opts.orientation ? img.withMetadata({ orientation: opts.orientation }) : img).toBuffer();
}

export function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
}

/** labelImg-style VOC XML. */
export function vocXml(filename: string, width: number, height: number, boxes: Array<[string, number, number, number, number]>): string {
  const objects = boxes
    .map(
      ([name, xmin, ymin, xmax, ymax]) =>
        `\t<object>\n\t\t<name>${name}</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>${xmin}</xmin>\n\t\t\t<ymin>${ymin}</ymin>\n\t\t\t<xmax>${xmax}</xmax>\n\t\t\t<ymax>${ymax}</ymax>\n\t\t</bndbox>\n\t</object>\n`,
    )
    .join('');
  return `<annotation>\n\t<folder>data</folder>\n\t<filename>${filename}</filename>\n\t<size>\n\t\t<width>${width}</width>\n\t\t<height>${height}</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n${objects}</annotation>\n`;
}

/** ../shared/datasets/<name> beside the checkout, or null (tests then skip with a message). */
export function sharedDataset(name: string): string | null {
  const dir = resolve(import.meta.dirname, '../../../shared/datasets', name);
  return existsSync(dir) ? dir : null;
}

export const SHARED_MISSING = 'skipped: ../shared/datasets is not beside this checkout';
