import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
// data.yaml is YAML with flow lists, maps, quoting and comments in the wild (Ultralytics, Roboflow,
// CVAT): a real YAML library reads and writes it; hand-written parsing would miss cases.
import { Document, Pair, Scalar, YAMLMap, parse as parseYaml } from 'yaml';
import type { Box, PathIssue } from '../../../shared/api';
import { probeImage } from '../../datasets/probe';
import type { FormatProvider, ImportEntry } from '../format';
import { distinctNames, numbered, withoutExt } from './names';
import { readText } from './text';

const IMAGE_EXTS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);

/** Where Ultralytics looks for an image's labels: the last /images/ becomes /labels/, the extension .txt. */
function mirroredLabelPath(imageRel: string): string | null {
  const p = `/${imageRel}`;
  const at = p.lastIndexOf('/images/');
  if (at < 0) return null;
  return `${p.slice(1, at + 1)}labels/${withoutExt(p.slice(at + '/images/'.length))}.txt`;
}

/** Ultralytics' layout: images/{train,val}/ and labels/{train,val}/, classes.txt and data.yaml. */
export const yolo: FormatProvider = {
  id: 'yolo',
  title: 'YOLO (Ultralytics)',
  description: 'images/{train,val}/ + labels/{train,val}/*.txt ("class cx cy w h", normalized), data.yaml and classes.txt.',
  types: ['detection'],
  async export(t) {
    const classId = new Map(t.classes.map((c, i) => [c, i]));
    // a.jpg and a.png would share a.txt: the second becomes a_1.png + a_1.txt.
    const stems = distinctNames(
      t.images.map((i) => i.path),
      (p, n) => withoutExt(numbered(p, n)),
    );
    let hasVal = false;
    let done = 0;
    for (const image of t.images) {
      // Without a requested split everything is train, and data.yaml validates on train.
      const split = image.split ?? 'train';
      hasVal ||= split === 'val';
      const imageRel = `images/${split}/${stems.get(image.path)!}${posix.extname(image.path)}`;
      await t.writeImage(image, imageRel);
      const { width: w, height: h } = image;
      const lines = image.annotation.boxes.map((b) => {
        const values = [(b.xmin + b.xmax) / 2 / w, (b.ymin + b.ymax) / 2 / h, (b.xmax - b.xmin) / w, (b.ymax - b.ymin) / h];
        return `${classId.get(b.label)!} ${values.map((v) => v.toFixed(6)).join(' ')}\n`;
      });
      // An image without boxes still gets its (empty) file: Ultralytics counts it as a background image.
      await t.writeFile(mirroredLabelPath(imageRel)!, lines.join(''));
      t.progress(++done);
    }
    await t.writeFile('classes.txt', t.classes.map((c) => `${c}\n`).join(''));
    await t.writeFile('data.yaml', dataYaml(t.classes, hasVal));
  },
  async import(dir, { signal }) {
    const listing = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => {
      throw new Error(`folder not found: ${dir}`);
    });
    const rel = (e: { parentPath: string; name: string }) => posix.join(...e.parentPath.slice(dir.length).split(/[\\/]/).filter(Boolean), e.name);
    const files = new Set(listing.filter((e) => e.isFile()).map(rel));
    const folders = new Set(listing.filter((e) => e.isDirectory()).map(rel));
    const { names, source, splitDirs } = await classNames(dir, files, folders);

    const entries: ImportEntry[] = [];
    const problems: PathIssue[] = [];
    const used = new Set<string>();
    for (const imageRel of [...files].sort()) {
      if (!IMAGE_EXTS.has(posix.extname(imageRel).toLowerCase())) continue;
      signal.throwIfAborted();
      // Ultralytics' images/ → labels/ mirror first, else labelImg's flat a.jpg + a.txt.
      const labelRel = [mirroredLabelPath(imageRel), `${withoutExt(imageRel)}.txt`].find((p) => p !== null && files.has(p));
      if (!labelRel) continue;
      used.add(labelRel);
      const abs = join(dir, imageRel);
      const probe = await probeImage(abs, (await stat(abs)).size, true);
      if (!probe?.ok) {
        problems.push({ path: imageRel, reason: `cannot read the image size to place its labels: ${probe?.reason ?? 'not an image'}` });
        continue;
      }
      const size = { width: probe.width, height: probe.height };
      const boxes = parseLabels(await readText(join(dir, labelRel)), labelRel, names, source, size, problems);
      // Named relative to its split folder (images/train/sub/a.jpg → sub/a.jpg): the dataset's own path.
      const splitDir = splitDirs.filter((d) => imageRel.startsWith(`${d}/`)).sort((a, b) => b.length - a.length)[0];
      entries.push({ image: splitDir ? imageRel.slice(splitDir.length + 1) : imageRel, annotation: { label: null, boxes }, size });
    }
    for (const f of files) {
      if (f.endsWith('.txt') && f.split('/').includes('labels') && !used.has(f)) problems.push({ path: f, reason: 'no image found for this label file' });
    }
    return { entries, problems };
  },
};

/**
 * data.yaml as Ultralytics reads it. No `path:` key: Ultralytics resolves a relative `path` against the
 * working directory, while without one it uses data.yaml's own folder, which is what an export needs.
 * Names are always double-quoted, so PyYAML (YAML 1.1) cannot read "yes", "007" or "1:20" as non-text.
 */
function dataYaml(classes: string[], hasVal: boolean): string {
  const names = new YAMLMap<Scalar<number>, Scalar<string>>();
  classes.forEach((c, i) => {
    const name = new Scalar(c);
    name.type = Scalar.QUOTE_DOUBLE;
    names.items.push(new Pair(new Scalar(i), name));
  });
  const doc = new Document({ train: 'images/train', val: hasVal ? 'images/val' : 'images/train', nc: classes.length });
  doc.set('names', names);
  return doc.toString({ lineWidth: 0 });
}

interface ClassNames {
  names: Array<string | undefined>;
  /** The file the names came from, for messages. */
  source: string;
  /** data.yaml's train/val/test folders, relative to the import folder. */
  splitDirs: string[];
}

/** Class names from data.yaml (Ultralytics, Roboflow, CVAT), else classes.txt (labelImg, Ultralytics). */
async function classNames(dir: string, files: Set<string>, folders: Set<string>): Promise<ClassNames> {
  if (files.has('data.yaml')) {
    let doc: unknown;
    try {
      // Failsafe schema: every scalar is text, so names like 007 or yes come back exactly as written.
      doc = parseYaml(await readText(join(dir, 'data.yaml')), { schema: 'failsafe' });
    } catch (err) {
      throw new Error(`cannot read ${join(dir, 'data.yaml')}: ${(err as Error).message}`);
    }
    const y = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    const names = yamlNames(y['names']);
    if (names === null) throw new Error(`${join(dir, 'data.yaml')} has no "names" list or map`);
    return { names, source: 'data.yaml', splitDirs: yamlSplitDirs(y, folders) };
  }
  if (files.has('classes.txt')) {
    // Without the final line break; inner lines all count, empty or not.
    const names = (await readText(join(dir, 'classes.txt'))).replace(/(\r?\n)+$/, '').split(/\r?\n/);
    return { names, source: 'classes.txt', splitDirs: [] };
  }
  throw new Error(`no data.yaml or classes.txt in ${dir}: YOLO labels are class numbers and need the names`);
}

/** `names:` as a list (index = id) or a map id → name. */
function yamlNames(v: unknown): Array<string | undefined> | null {
  if (Array.isArray(v)) return v.map((n) => (typeof n === 'string' ? n : undefined));
  if (typeof v !== 'object' || v === null) return null;
  const names: Array<string | undefined> = [];
  for (const [k, n] of Object.entries(v)) if (/^\d+$/.test(k) && typeof n === 'string') names[Number(k)] = n;
  return names;
}

/**
 * The train/val/test folders data.yaml names, resolved as Ultralytics does (relative to `path`, and
 * "../x" also tried as "x", which Roboflow's exports rely on), or relative to data.yaml where `path`
 * points outside the folder read (Ultralytics' own `path: ../datasets/x`); .txt image lists are not folders.
 */
function yamlSplitDirs(y: Record<string, unknown>, folders: Set<string>): string[] {
  const bases = typeof y['path'] === 'string' && !posix.isAbsolute(y['path']) ? [y['path'], '.'] : ['.'];
  const dirs = ['train', 'val', 'test']
    .flatMap((k) => [y[k]].flat())
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => bases.flatMap((base) => [posix.join(base, v), ...(v.startsWith('../') ? [posix.join(base, v.slice(3))] : [])]))
    .map((d) => d.replace(/\/$/, ''));
  return dirs.filter((d) => folders.has(d));
}

/** Boxes of one label file in pixels of the upright image; each unusable line becomes a problem at file:line. */
function parseLabels(
  text: string,
  labelRel: string,
  names: Array<string | undefined>,
  source: string,
  size: { width: number; height: number },
  problems: PathIssue[],
): Box[] {
  const boxes: Box[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '') continue;
    const box = parseLine(fields, names, source);
    if (typeof box === 'string') {
      problems.push({ path: `${labelRel}:${i + 1}`, reason: box });
      continue;
    }
    const [x0, y0, x1, y1, label] = box;
    boxes.push({ label, xmin: x0 * size.width, ymin: y0 * size.height, xmax: x1 * size.width, ymax: y1 * size.height, difficult: false, truncated: false });
  }
  return boxes;
}

/** One line as normalized corners and a name, or why it is unusable. */
function parseLine(fields: string[], names: Array<string | undefined>, source: string): [number, number, number, number, string] | string {
  const [cls, ...rest] = fields as [string, ...string[]];
  // class cx cy w h, or a segmentation polygon (class x1 y1 x2 y2 x3 y3 …) whose bounds Ultralytics trains on.
  const polygon = rest.length >= 6 && rest.length % 2 === 0;
  if (rest.length !== 4 && !polygon) return `expected "class cx cy w h" (or a polygon), found ${fields.length} values`;
  const label = /^\d+$/.test(cls) ? names[Number(cls)] : undefined;
  if (!label) return `class id "${cls}" has no name in ${source} (${names.length} classes)`;
  const v = rest.map(Number);
  if (!v.every((x) => x >= 0 && x <= 1)) return `coordinates must be numbers in [0, 1]: ${rest.join(' ')}`;
  let corners: [number, number, number, number];
  if (polygon) {
    const xs = v.filter((_, k) => k % 2 === 0);
    const ys = v.filter((_, k) => k % 2 === 1);
    corners = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  } else {
    const [cx, cy, w, h] = v as [number, number, number, number];
    corners = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }
  if (!(corners[2] > corners[0] && corners[3] > corners[1])) return `empty box: ${rest.join(' ')}`;
  return [...corners, label];
}
