import { readdir, readFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import type { PathIssue } from '../../../shared/api';
import type { ExportImage, ExportTarget, FormatProvider, ImportEntry, ImportResult } from '../format';
import { parseVoc, writeVoc } from '../voc';
import { IO_CONCURRENCY, pool } from '../../jobs/pool';
import { distinctNames, flattenPath, numbered, unflattenAliases, withoutExt } from './names';

/** Writes one image and its VOC XML, the XML describing the image where it now lies. */
async function writeImageAndXml(t: ExportTarget, image: ExportImage, imageRel: string, xmlRel: string, folder: string): Promise<void> {
  await t.writeImage(image, imageRel);
  const xml = writeVoc({
    folder,
    filename: posix.basename(imageRel),
    path: join(t.outDir, imageRel),
    width: image.width,
    height: image.height,
    depth: image.depth,
    verified: image.verified,
    boxes: image.annotation.boxes,
  });
  await t.writeFile(xmlRel, xml);
}

/** Parses every XML of `files` (paths relative to `dir`); unreadable ones become problems. */
async function readVocFiles(
  dir: string,
  files: string[],
  imageOf: (xmlRel: string, filename: string | null) => Pick<ImportEntry, 'image' | 'aliases'>,
): Promise<ImportResult> {
  const entries: ImportEntry[] = [];
  const problems: PathIssue[] = [];
  for (const rel of files) {
    try {
      const voc = parseVoc(await readFile(join(dir, rel)));
      entries.push({ ...imageOf(rel, voc.filename), annotation: { label: null, boxes: voc.boxes }, size: voc.size });
    } catch (err) {
      problems.push({ path: rel, reason: (err as Error).message });
    }
  }
  return { entries, problems };
}

async function xmlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => {
    throw new Error(`folder not found: ${dir}`);
  });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
    .map((e) => posix.join(...e.parentPath.slice(dir.length).split(/[\\/]/).filter(Boolean), e.name))
    .sort();
}

/** AutoLearning's OSS layout: each image beside its same-name `.xml`, sub-folders kept. */
export const voc: FormatProvider = {
  id: 'voc',
  title: 'PASCAL VOC (image + .xml side by side)',
  description: 'The OSS folder layout of AutoLearning and labelImg: a.jpg next to a.xml.',
  types: ['detection', 'ocr'],
  async export(t) {
    // a.jpg and a.png would both want a.xml: the second becomes a_1.png + a_1.xml.
    const stems = distinctNames(
      t.images.map((i) => i.path),
      (p, n) => withoutExt(numbered(p, n)),
    );
    let done = 0;
    await pool(t.images, IO_CONCURRENCY, async (image) => {
      const stem = stems.get(image.path)!;
      const imageRel = stem + posix.extname(image.path);
      const dir = posix.dirname(imageRel);
      await writeImageAndXml(t, image, imageRel, `${stem}.xml`, dir === '.' ? basename(t.outDir) : posix.basename(dir));
      t.progress(++done);
    });
  },
  async import(dir) {
    // Paired like the index pairs sidecars: by the XML's own name (its <filename> often names an old file).
    return readVocFiles(dir, await xmlFilesUnder(dir), (rel) => ({ image: withoutExt(rel) }));
  },
};

/** The VOC devkit layout (VOC2007/2012) that most training code reads. */
export const vocDevkit: FormatProvider = {
  id: 'voc-devkit',
  title: 'PASCAL VOC devkit',
  description: 'Annotations/, JPEGImages/, ImageSets/Main/{train,val,trainval}.txt and labels.txt.',
  types: ['detection', 'ocr'],
  async export(t) {
    const ids = distinctNames(
      t.images.map((i) => i.path),
      (p, n) => numbered(flattenPath(withoutExt(p)), n),
    );
    const sets = { train: [] as string[], val: [] as string[] };
    let done = 0;
    await pool(t.images, IO_CONCURRENCY, async (image) => {
      const id = ids.get(image.path)!;
      await writeImageAndXml(t, image, `JPEGImages/${id}${posix.extname(image.path)}`, `Annotations/${id}.xml`, t.datasetName);
      // Without a requested split everything is train (trainval = train, val empty).
      sets[image.split === 'val' ? 'val' : 'train'].push(id);
      t.progress(++done);
    });
    const lines = (ids: string[]) => [...ids].sort().map((id) => `${id}\n`).join('');
    await t.writeFile('ImageSets/Main/train.txt', lines(sets.train));
    await t.writeFile('ImageSets/Main/val.txt', lines(sets.val));
    await t.writeFile('ImageSets/Main/trainval.txt', lines([...sets.train, ...sets.val]));
    await t.writeFile('labels.txt', t.classes.map((c) => `${c}\n`).join(''));
  },
  async import(dir) {
    const annotations = join(dir, 'Annotations');
    const files = await xmlFilesUnder(annotations);
    // <filename> names the JPEGImages file; our own export flattened sub/a.jpg to sub__a.jpg.
    const result = await readVocFiles(annotations, files, (rel, filename) => {
      const image = filename ?? withoutExt(rel);
      const aliases = unflattenAliases(image);
      return aliases ? { image, aliases } : { image };
    });
    result.problems = result.problems.map((p) => ({ ...p, path: `Annotations/${p.path}` }));
    return result;
  },
};
