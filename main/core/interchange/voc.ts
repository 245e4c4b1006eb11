import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Box } from '../../shared/api';

/** A PASCAL VOC annotation as read from disk, in the pixel frame its `<size>` describes. */
export interface VocAnnotation {
  filename: string | null;
  size: { width: number; height: number; depth: number | null } | null;
  verified: boolean;
  boxes: Box[];
}

/** An annotation file that cannot be used; the message names the reason (the caller adds the file). */
export class VocError extends Error {
  override name = 'VocError';
}

// VOC files are small; anything far larger is not an annotation and is refused before parsing.
export const MAX_VOC_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 32;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false, // names such as "1860000000" or "007" must stay text
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'object',
});

type Node = Record<string, unknown>;

/** Parses VOC XML written by labelImg, CVAT, Roboflow, the VOC devkit or AutoLearning (any element order). */
export function parseVoc(xml: string | Buffer): VocAnnotation {
  const size = typeof xml === 'string' ? Buffer.byteLength(xml) : xml.length;
  if (size > MAX_VOC_BYTES) throw new VocError(`file is ${size} bytes; annotation files are limited to ${MAX_VOC_BYTES}`);
  const text = (typeof xml === 'string' ? xml : xml.toString('utf8')).replace(/^\uFEFF/, '');
  // No DTDs: VOC never needs them, and refusing them rules out entity expansion and external entities.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new VocError('DOCTYPE/ENTITY declarations are not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new VocError(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  checkDepth(text);

  const doc = parser.parse(text) as Node;
  const root = doc['annotation'];
  if (!isNode(root)) throw new VocError('no <annotation> root element');

  const sizeNode = root['size'];
  let imageSize: VocAnnotation['size'] = null;
  if (isNode(sizeNode)) {
    const width = num(sizeNode['width'], 'size/width');
    const height = num(sizeNode['height'], 'size/height');
    const depth = sizeNode['depth'] === undefined || sizeNode['depth'] === '' ? null : num(sizeNode['depth'], 'size/depth');
    // Some exporters write 0×0 when they did not know the size: treat it as absent.
    if (width !== null && height !== null && width > 0 && height > 0) imageSize = { width, height, depth };
  }

  const objects = (root['object'] as unknown[] | undefined) ?? [];
  const boxes = objects.map((o, i) => readObject(o, i + 1));
  return {
    filename: text1(root['filename']),
    size: imageSize,
    verified: isNode(root) && (root['@verified'] === 'yes' || root['@verified'] === 'true'),
    boxes,
  };
}

function readObject(o: unknown, n: number): Box {
  if (!isNode(o)) throw new VocError(`<object> ${n} is empty`);
  const label = text1(o['name']);
  if (!label) throw new VocError(`<object> ${n} has no <name>`);
  const bb = o['bndbox'];
  if (!isNode(bb)) throw new VocError(`<object> ${n} (${label}) has no <bndbox>`);
  const at = (k: string) => {
    const v = num(bb[k], `object ${n} bndbox/${k}`);
    if (v === null) throw new VocError(`<object> ${n} (${label}) has no <${k}>`);
    return v;
  };
  const box: Box = {
    label,
    xmin: at('xmin'),
    ymin: at('ymin'),
    xmax: at('xmax'),
    ymax: at('ymax'),
    difficult: flag(o['difficult']),
    truncated: flag(o['truncated']),
  };
  // xmin == xmax is a one-pixel box in VOC's inclusive coordinates; only reversed corners are wrong.
  if (box.xmax < box.xmin || box.ymax < box.ymin) {
    throw new VocError(
      `<object> ${n} (${label}) has its corners reversed: xmin=${box.xmin} xmax=${box.xmax} ymin=${box.ymin} ymax=${box.ymax}`,
    );
  }
  return box;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text1(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isNode(v) && typeof v['#text'] === 'string') return v['#text'];
  return null;
}

function num(v: unknown, what: string): number | null {
  const t = text1(v);
  if (t === null || t === '') return null;
  const x = Number(t);
  if (!Number.isFinite(x)) throw new VocError(`<${what}> is not a number: "${t}"`);
  return x;
}

function flag(v: unknown): boolean {
  const t = text1(v);
  return t === '1' || t === 'true';
}

function checkDepth(text: string): void {
  let depth = 0;
  for (const m of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else if (!m[2]) depth++;
    if (depth > MAX_DEPTH) throw new VocError(`elements nested deeper than ${MAX_DEPTH} levels`);
  }
}

/** What the writer needs to describe one image (the annotation in that image's pixel frame). */
export interface VocImage {
  /** Name of the folder holding the image (labelImg writes the parent folder's name). */
  folder: string;
  filename: string;
  /** Where the image is now: kept true on every write, unlike labelImg's stale paths. */
  path: string;
  width: number;
  height: number;
  depth: number;
  verified: boolean;
  boxes: Box[];
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  indentBy: '\t',
  suppressEmptyNode: false,
});

/**
 * Writes VOC XML in labelImg's layout (element order, tabs, no declaration, `verified="yes"`), so tools
 * built around labelImg read it, without its bugs: coordinates are rounded (not truncated) and never
 * pushed to ≥ 1, kept inside the image with xmin < xmax and ymin < ymax; names are escaped, not altered.
 */
export function writeVoc(img: VocImage): string {
  const annotation: Record<string, unknown> = {
    ...(img.verified ? { '@verified': 'yes' } : {}),
    folder: img.folder,
    filename: img.filename,
    path: img.path,
    source: { database: 'Unknown' },
    size: { width: img.width, height: img.height, depth: img.depth },
    segmented: 0,
    object: img.boxes.map((b) => {
      const [xmin, xmax] = pixelSpan(b.xmin, b.xmax, img.width);
      const [ymin, ymax] = pixelSpan(b.ymin, b.ymax, img.height);
      return {
        name: b.label,
        pose: 'Unspecified',
        truncated: b.truncated ? 1 : 0,
        difficult: b.difficult ? 1 : 0,
        bndbox: { xmin, ymin, xmax, ymax },
      };
    }),
  };
  return builder.build({ annotation }) as string;
}

/** Integer [lo, hi] inside [0, size] with lo < hi (a sub-pixel box keeps one pixel). */
function pixelSpan(a: number, b: number, size: number): [number, number] {
  let lo = Math.min(Math.max(Math.round(a), 0), size);
  let hi = Math.min(Math.max(Math.round(b), 0), size);
  if (hi <= lo) {
    if (lo < size) hi = lo + 1;
    else lo = hi - 1;
  }
  return [lo, hi];
}
