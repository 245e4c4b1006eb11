import { readdir, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import type { Box, InstanceType } from '../../../shared/api';
import type { FormatProvider, ImportEntry, ImportResult } from '../format';
import { distinctNames, numbered } from './names';
import { readText } from './text';

/** The one category of an OCR export: COCO-Text's convention, the transcription rides on each annotation. */
const OCR_CATEGORY = 'text';

interface CocoFile {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: unknown[];
}

/**
 * COCO detection JSON in the layout CVAT (Datumaro) writes and reads back:
 * annotations/instances_<subset>.json with the images under images/<subset>/, where <subset> is
 * train/val for a split export and "default" otherwise. `file_name` is the image's dataset-relative
 * path, so sub-folders survive and equal names in different folders cannot clash.
 */
export const coco: FormatProvider = {
  id: 'coco',
  title: 'COCO JSON',
  description: 'annotations/instances_<subset>.json + images/<subset>/, as CVAT and Roboflow exchange it.',
  types: ['detection', 'ocr'],
  async export(t) {
    const ocr = t.type === 'ocr';
    const categories = (ocr ? [OCR_CATEGORY] : t.classes).map((name, i) => ({ id: i + 1, name, supercategory: '' }));
    const categoryId = new Map(categories.map((c) => [c.name, c.id]));
    const subsets = new Map<string, CocoFile>(
      (t.images.some((i) => i.split !== null) ? ['train', 'val'] : ['default']).map((s) => [s, { images: [], annotations: [] }]),
    );
    // Two paths differing only in case would collide on Windows and macOS: the second gets a _1 suffix.
    const fileNames = distinctNames(t.images.map((i) => i.path), numbered);
    let imageId = 0;
    let annotationId = 0;
    let done = 0;
    for (const image of t.images) {
      const subset = image.split ?? 'default';
      const fileName = fileNames.get(image.path)!;
      await t.writeImage(image, `images/${subset}/${fileName}`);
      const file = subsets.get(subset)!;
      const id = ++imageId;
      file.images.push({ id, file_name: fileName, width: image.width, height: image.height });
      for (const b of image.annotation.boxes) {
        const w = b.xmax - b.xmin;
        const h = b.ymax - b.ymin;
        file.annotations.push({
          id: ++annotationId,
          image_id: id,
          category_id: categoryId.get(ocr ? OCR_CATEGORY : b.label)!,
          // Boxes only; the empty list is what CVAT writes, for readers that index it unconditionally.
          segmentation: [],
          area: w * h,
          bbox: [b.xmin, b.ymin, w, h],
          iscrowd: 0,
          // CVAT's place for per-shape attributes; define difficult/truncated (and text) on the label there to see them.
          attributes: { difficult: b.difficult, truncated: b.truncated, ...(ocr ? { text: b.label } : {}) },
          ...(ocr ? { utf8_string: b.label } : {}),
        });
      }
      t.progress(++done);
    }
    for (const [subset, file] of subsets) {
      const doc = { info: { description: t.datasetName }, licenses: [], categories, ...file };
      await t.writeFile(`annotations/instances_${subset}.json`, JSON.stringify(doc));
    }
  },
  async import(from, { type, signal }) {
    const result: ImportResult = { entries: [], problems: [] };
    for (const { abs, rel } of await cocoFiles(from)) {
      signal.throwIfAborted();
      let doc: unknown;
      try {
        doc = JSON.parse(await readText(abs));
      } catch (err) {
        result.problems.push({ path: rel, reason: `not readable as JSON: ${(err as Error).message}` });
        continue;
      }
      readCoco(doc, rel, type, result);
    }
    return result;
  },
};

/**
 * The COCO files to read: `from` itself when it is a file; otherwise every .json in the folder and in its
 * direct sub-folders (CVAT's annotations/, Roboflow's train/_annotations.coco.json). A folder holding
 * instances_*.json also holds captions or keypoints files of the same images: only the instances are read.
 */
async function cocoFiles(from: string): Promise<Array<{ abs: string; rel: string }>> {
  const st = await stat(from).catch(() => null);
  if (!st) throw new Error(`not found: ${from}`);
  if (st.isFile()) return [{ abs: from, rel: basename(from) }];
  const top = await readdir(from, { withFileTypes: true });
  const folders = ['', ...top.filter((e) => e.isDirectory()).map((e) => e.name).sort()];
  const files: string[] = [];
  for (const folder of folders) {
    const json = (folder ? await readdir(join(from, folder)) : top.map((e) => e.name)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    const instances = json.filter((n) => n.startsWith('instances_'));
    files.push(...(instances.length > 0 ? instances : json).map((n) => posix.join(folder, n)));
  }
  if (files.length === 0) throw new Error(`no COCO JSON in ${from} (looked for annotations/instances_*.json, */_annotations.coco.json and *.json)`);
  return files.map((rel) => ({ abs: join(from, rel), rel }));
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A list of records: COCO's arrays, or COCO-Text's id → record objects (`imgs`, `anns`). */
function records(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  return isObj(v) ? Object.values(v) : null;
}

/** CVAT writes checkbox attributes as booleans, Datumaro sometimes as text. */
function flag(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

function readCoco(doc: unknown, rel: string, type: InstanceType, out: ImportResult): void {
  const problem = (reason: string) => out.problems.push({ path: rel, reason });
  const images = isObj(doc) ? records(doc['images'] ?? doc['imgs']) : null;
  if (!isObj(doc) || images === null) {
    problem('not a COCO annotation file: no "images" list');
    return;
  }
  const categories = new Map<string, string>();
  for (const c of records(doc['categories']) ?? []) {
    if (isObj(c) && typeof c['name'] === 'string') categories.set(String(c['id']), c['name']);
  }

  const byId = new Map<string, ImportEntry>();
  images.forEach((img, i) => {
    if (!isObj(img) || typeof img['file_name'] !== 'string' || img['id'] === undefined) {
      problem(`images[${i}]: no file_name or id`);
      return;
    }
    const { width, height } = img;
    const size = typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0 ? { width, height } : null;
    const entry: ImportEntry = { image: img['file_name'], annotation: { label: null, boxes: [] }, size };
    byId.set(String(img['id']), entry);
    out.entries.push(entry);
  });

  (records(doc['annotations'] ?? doc['anns']) ?? []).forEach((a, i) => {
    if (!isObj(a)) {
      problem(`annotations[${i}]: not an object`);
      return;
    }
    const where = `annotations[${i}]${a['id'] === undefined ? '' : ` (id ${String(a['id'])})`}`;
    const entry = byId.get(String(a['image_id']));
    const box = readAnnotation(a, type, categories);
    if (!entry) problem(`${where}: image_id ${String(a['image_id'])} is not among the images`);
    else if (typeof box === 'string') problem(`${where}: ${box}`);
    else entry.annotation.boxes.push(box);
  });
}

/** One annotation as a box, or why it cannot be one. */
function readAnnotation(a: Obj, type: InstanceType, categories: Map<string, string>): Box | string {
  const bbox = a['bbox'];
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return 'bbox is not [x, y, width, height]';
  }
  const [x, y, w, h] = bbox as [number, number, number, number];
  if (!(w > 0 && h > 0)) return `bbox [${bbox.join(', ')}] is empty`;
  const attributes = isObj(a['attributes']) ? a['attributes'] : {};
  let label: string | undefined;
  if (type === 'ocr') {
    const text = attributes['text'] ?? a['utf8_string'];
    if (typeof text !== 'string' || text === '') return 'no transcription (attributes.text or utf8_string)';
    label = text;
  } else {
    label = categories.get(String(a['category_id']));
    if (label === undefined) return `category_id ${String(a['category_id'])} is not among the categories`;
  }
  return {
    label,
    xmin: x,
    ymin: y,
    xmax: x + w,
    ymax: y + h,
    // A crowd region is not one countable object: the nearest studio notion is "difficult".
    difficult: a['iscrowd'] === 1 || flag(attributes['difficult']),
    truncated: flag(attributes['truncated']),
  };
}
