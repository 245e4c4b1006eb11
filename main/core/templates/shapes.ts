// Demo data for "create from template" (seed 004 从模板创建): coloured shapes that a model learns in a
// minute or two, so a new user goes from nothing to a tried model before bringing their own images.
// Classification: one subfolder per shape plus a few unlabeled images at the top. Detection: shapes on
// backgrounds with VOC sidecars, the last few images left unlabeled. Seeded: the same seed, the same files.

import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../datasets/split';
import { writeVoc } from '../interchange/voc';

export const SHAPES = ['circle', 'square', 'triangle'] as const;
export type Shape = (typeof SHAPES)[number];

interface Placed {
  shape: Shape;
  x: number;
  y: number;
  size: number;
}

type Random = () => number;

const between = (random: Random, lo: number, hi: number) => lo + random() * (hi - lo);

function hsl(random: Random, lightness: [number, number]): string {
  return `hsl(${Math.round(random() * 360)},${Math.round(between(random, 45, 85))}%,${Math.round(between(random, ...lightness))}%)`;
}

function shapeSvg({ shape, x, y, size }: Placed, fill: string): string {
  switch (shape) {
    case 'circle':
      return `<circle cx="${x + size / 2}" cy="${y + size / 2}" r="${size / 2}" fill="${fill}"/>`;
    case 'square':
      return `<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${fill}"/>`;
    case 'triangle':
      return `<polygon points="${x + size / 2},${y} ${x + size},${y + size} ${x},${y + size}" fill="${fill}"/>`;
  }
}

/** A light two-colour gradient with a few faint distractor strokes, as JPEG. */
async function render(width: number, height: number, shapes: Placed[], random: Random): Promise<Buffer> {
  const strokes = Array.from({ length: 3 }, () => `<line x1="${between(random, 0, width)}" y1="${between(random, 0, height)}" x2="${between(random, 0, width)}" y2="${between(random, 0, height)}" stroke="${hsl(random, [70, 85])}" stroke-width="${between(random, 2, 6)}"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${hsl(random, [80, 92])}"/><stop offset="1" stop-color="${hsl(random, [70, 88])}"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#g)"/>${strokes}${shapes.map((s) => shapeSvg(s, hsl(random, [25, 55]))).join('')}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/** Shapes that do not overlap (a few tries each; a shape that finds no room is left out). */
function place(random: Random, width: number, height: number, count: number, kinds: readonly Shape[]): Placed[] {
  const placed: Placed[] = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const size = Math.round(between(random, 0.18, 0.34) * Math.min(width, height));
      const candidate = { shape: kinds[Math.floor(random() * kinds.length)]!, x: Math.round(between(random, 2, width - size - 2)), y: Math.round(between(random, 2, height - size - 2)), size };
      const clear = placed.every((p) => candidate.x + size + 4 < p.x || p.x + p.size + 4 < candidate.x || candidate.y + size + 4 < p.y || p.y + p.size + 4 < candidate.y);
      if (clear) {
        placed.push(candidate);
        break;
      }
    }
  }
  return placed;
}

export interface DemoSummary {
  root: string;
  labeled: number;
  unlabeled: number;
  labels: string[];
}

/** One subfolder per shape (`perClass` images each) and `unlabeled` images at the top of `root`. */
export async function classificationDemo(root: string, { perClass = 16, unlabeled = 6, seed = 1 } = {}): Promise<DemoSummary> {
  const random = seededRandom(seed);
  const [width, height] = [160, 120];
  const one = (shape: Shape) => {
    const size = Math.round(between(random, 0.45, 0.8) * height);
    return [{ shape, x: Math.round(between(random, 0, width - size)), y: Math.round(between(random, 0, height - size)), size }];
  };
  for (const shape of SHAPES) {
    await mkdir(join(root, shape), { recursive: true });
    for (let i = 1; i <= perClass; i++) await writeFile(join(root, shape, `${shape}_${String(i).padStart(3, '0')}.jpg`), await render(width, height, one(shape), random));
  }
  for (let i = 1; i <= unlabeled; i++) {
    await writeFile(join(root, `new_${String(i).padStart(3, '0')}.jpg`), await render(width, height, one(SHAPES[i % SHAPES.length]!), random));
  }
  return { root, labeled: perClass * SHAPES.length, unlabeled, labels: [...SHAPES] };
}

/** `images` scenes of 1–3 circles and squares; all but the last `unlabeled` get a VOC sidecar. */
export async function detectionDemo(root: string, { images = 40, unlabeled = 4, seed = 1 } = {}): Promise<DemoSummary> {
  const random = seededRandom(seed);
  const [width, height] = [320, 240];
  const kinds = ['circle', 'square'] as const;
  await mkdir(root, { recursive: true });
  for (let i = 1; i <= images; i++) {
    const shapes = place(random, width, height, 1 + Math.floor(random() * 3), kinds);
    const file = join(root, `scene_${String(i).padStart(3, '0')}.jpg`);
    await writeFile(file, await render(width, height, shapes, random));
    if (i > images - unlabeled) continue;
    const xml = writeVoc({
      folder: basename(root),
      filename: basename(file),
      path: file,
      width,
      height,
      depth: 3,
      verified: true,
      boxes: shapes.map((s) => ({ label: s.shape, xmin: s.x, ymin: s.y, xmax: s.x + s.size, ymax: s.y + s.size, difficult: false, truncated: false })),
    });
    await writeFile(file.replace(/\.jpg$/, '.xml'), xml);
  }
  return { root, labeled: images - unlabeled, unlabeled, labels: [...kinds] };
}
