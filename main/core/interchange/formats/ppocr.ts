import { readdir, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../../../shared/api';
import type { ExportImage, ExportTarget, FormatProvider, ImportResult } from '../format';
import { distinctNames, flattenPath, numbered, unflattenAliases, withoutExt } from './names';
import { readText } from './text';

/** PPOCRLabel reads one flat image folder: sub/a.jpg is written as sub__a.jpg (voc-devkit's convention). */

/** The lines of one folder's Label.txt, fileState.txt and rec_gt.txt. */
interface FolderLines {
  label: string[];
  state: string[];
  rec: string[];
}

/**
 * PPOCRLabel's folder: the images, Label.txt, fileState.txt, rec_gt.txt and crop_img/, all in one flat
 * folder whose name prefixes every Label.txt key (PPOCRLabel keys images by "<folder>/<file>"). The folder
 * is images/ without a split, else train/ and val/: each opens in PPOCRLabel, and PaddleOCR trains on
 * them with data_dir = the export folder (detection) or the split folder (recognition, rec_gt.txt).
 */
export const ppocr: FormatProvider = {
  id: 'ppocr',
  title: 'PaddleOCR (PPOCRLabel)',
  description: '<folder>/Label.txt for detection, rec_gt.txt + crop_img/ for recognition, and fileState.txt, as PPOCRLabel writes them.',
  types: ['ocr'],
  async export(t) {
    // Crops are named after the image's stem, so stems must be distinct, not just file names.
    const stems = distinctNames(
      t.images.map((i) => i.path),
      (p, n) => withoutExt(numbered(flattenPath(p), n)),
    );
    const folders = new Map<string, FolderLines>();
    let done = 0;
    for (const image of t.images) {
      const folder = image.split ?? 'images';
      const stem = stems.get(image.path)!;
      const rel = `${folder}/${stem}${posix.extname(image.path)}`;
      await t.writeImage(image, rel);
      const lines = folders.get(folder) ?? { label: [], state: [], rec: [] };
      folders.set(folder, lines);
      lines.label.push(`${rel}\t${pyJson(image.annotation.boxes.map(ppocrBox))}\n`);
      // PPOCRLabel marks an image as checked by its absolute path; without the mark its next save drops the labels.
      lines.state.push(`${join(t.outDir, rel)}\t1\n`);
      lines.rec.push(...(await writeCrops(t, image, rel, `${folder}/crop_img`, stem)));
      t.progress(++done);
    }
    for (const [folder, lines] of folders) {
      await t.writeFile(`${folder}/Label.txt`, lines.label.join(''));
      await t.writeFile(`${folder}/fileState.txt`, lines.state.join(''));
      await t.writeFile(`${folder}/rec_gt.txt`, lines.rec.join(''));
    }
  },
  async import(from, { signal }) {
    const result: ImportResult = { entries: [], problems: [] };
    for (const { abs, rel } of await labelFiles(from)) {
      signal.throwIfAborted();
      readLabelFile(await readText(abs), rel, result);
    }
    return result;
  },
};

function ppocrBox(b: Box) {
  return {
    transcription: b.label,
    points: [
      [b.xmin, b.ymin],
      [b.xmax, b.ymin],
      [b.xmax, b.ymax],
      [b.xmin, b.ymax],
    ],
    difficult: b.difficult,
  };
}

/**
 * Python's json.dumps(..., ensure_ascii=False), as PPOCRLabel writes Label.txt: ", " and ": " between
 * items, non-ASCII text as is. JSON.stringify escapes strings the same way (quotes, backslashes, controls).
 */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

/**
 * Crops every box but the difficult ones from the written (upright) image into crop_img/<stem>_crop_<i>.jpg,
 * i counting all boxes, as PPOCRLabel's "Export Recognition Result" does; returns the rec_gt.txt lines.
 */
async function writeCrops(t: ExportTarget, image: ExportImage, imageRel: string, cropDir: string, stem: string): Promise<string[]> {
  const boxes = image.annotation.boxes.map((b, i) => ({ b, i })).filter(({ b }) => !b.difficult);
  if (boxes.length === 0) return [];
  // Decoded once for all its crops.
  const { data, info } = await sharp(join(t.outDir, imageRel), { failOn: 'none' }).rotate().raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  const lines: string[] = [];
  for (const { b, i } of boxes) {
    // Whole pixels covering the box, kept inside the image.
    const left = Math.min(Math.max(0, Math.floor(b.xmin)), info.width - 1);
    const top = Math.min(Math.max(0, Math.floor(b.ymin)), info.height - 1);
    const width = Math.max(1, Math.min(info.width, Math.ceil(b.xmax)) - left);
    const height = Math.max(1, Math.min(info.height, Math.ceil(b.ymax)) - top);
    // Alpha is dropped, not blended: what cv2.imread, which PPOCRLabel and PaddleOCR use, sees.
    const crop = await sharp(data, { raw }).extract({ left, top, width, height }).removeAlpha().jpeg({ quality: 95 }).toBuffer();
    const name = `${stem}_crop_${i}.jpg`;
    await t.writeFile(`${cropDir}/${name}`, crop);
    // rec_gt.txt is "<file>\t<text>" per line: a tab or line break inside the text would split the record.
    lines.push(`crop_img/${name}\t${b.label.replace(/[\t\r\n]/g, ' ')}\n`);
  }
  return lines;
}

/** `from` itself when it is a file (a PaddleOCR det label list), else its Label.txt or those of its sub-folders. */
async function labelFiles(from: string): Promise<Array<{ abs: string; rel: string }>> {
  const st = await stat(from).catch(() => null);
  if (!st) throw new Error(`not found: ${from}`);
  if (st.isFile()) return [{ abs: from, rel: basename(from) }];
  const top = await readdir(from, { withFileTypes: true });
  const candidates = top.some((e) => e.isFile() && e.name === 'Label.txt')
    ? ['Label.txt']
    : top.filter((e) => e.isDirectory()).map((e) => `${e.name}/Label.txt`).sort();
  const found: string[] = [];
  for (const rel of candidates) if ((await stat(join(from, rel)).catch(() => null))?.isFile()) found.push(rel);
  if (found.length === 0) throw new Error(`no Label.txt in ${from} or its sub-folders`);
  return found.map((rel) => ({ abs: join(from, rel), rel }));
}

/** Label.txt: "<folder>/<image>\t<JSON list of boxes>" per line; each unusable line or box is a problem at file:line. */
function readLabelFile(text: string, rel: string, out: ImportResult): void {
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const problem = (reason: string) => out.problems.push({ path: `${rel}:${i + 1}`, reason });
    const tab = line.indexOf('\t');
    if (tab < 0) {
      problem('expected "<image>\\t<JSON list of boxes>"');
      continue;
    }
    const image = line.slice(0, tab);
    let list: unknown;
    try {
      list = JSON.parse(line.slice(tab + 1));
    } catch (err) {
      problem(`not JSON: ${(err as Error).message}`);
      continue;
    }
    if (!Array.isArray(list)) {
      problem('expected a JSON list of boxes');
      continue;
    }
    const boxes: Box[] = [];
    list.forEach((item, k) => {
      const box = readBox(item);
      if (typeof box === 'string') problem(`box ${k + 1}: ${box}`);
      else boxes.push(box);
    });
    // Our own export flattened sub/a.jpg to <folder>/sub__a.jpg: offer the dataset path too.
    const file = image.slice(image.indexOf('/') + 1);
    const aliases = unflattenAliases(file);
    out.entries.push({ image, aliases, annotation: { label: null, boxes }, size: null });
  }
}

/** A PPOCRLabel box (4 points, or PaddleOCR's longer polygons) as its axis-aligned bounds, or why it cannot be one. */
function readBox(item: unknown): Box | string {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const { transcription, points, difficult } = item as Record<string, unknown>;
  if (typeof transcription !== 'string' || transcription === '') return 'no "transcription" text';
  const valid = Array.isArray(points) && points.length > 0 && points.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!valid) return '"points" is not a list of [x, y] numbers';
  const xs = (points as number[][]).map((p) => p[0]!);
  const ys = (points as number[][]).map((p) => p[1]!);
  const box = { label: transcription, xmin: Math.min(...xs), ymin: Math.min(...ys), xmax: Math.max(...xs), ymax: Math.max(...ys), difficult: difficult === true, truncated: false };
  if (!(box.xmax > box.xmin && box.ymax > box.ymin)) return `the points enclose no area: ${JSON.stringify(points)}`;
  return box;
}
