// Demo data for OCR templates (seed 004's "bank card" example): card-like images with a few text
// lines — bank name (Chinese when a CJK font is installed), card number in digit groups, validity
// date, holder name — and a PASCAL VOC sidecar per image whose `<object><name>` is the line's text
// and `<bndbox>` its box, the layout AutoLearning's OCR instances read.
//
// Rendering: sharp (librsvg + fontconfig + pango) renders SVG. Each line is rendered on its own
// transparent band, its box is measured from the rendered ink (alpha), and the bands are
// composited onto the background, so a box always holds exactly the ink of its line (plus a small
// margin as a person labelling would leave). Everything comes from a seeded generator: the same
// seed on the same machine (same fonts) gives the same images and labels.
//
// Fonts come from the system (fontconfig): DejaVu / Liberation for Latin text and digits,
// WenQuanYi Micro Hei (Debian: fonts-wqy-microhei) or any font covering Chinese for CJK lines.

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { StudioError, type Box } from '../../shared/api';
import { seededRandom } from '../datasets/split';
import { writeVoc } from '../interchange/voc';

export type CardLayout = 'bank-card' | 'digits';

export interface OcrCardOptions {
  outDir: string;
  count: number;
  seed?: number;
  /** 'bank-card' (default): the seed's example. 'digits': 4–6 short digit strings per image (for quick tests). */
  layout?: CardLayout;
  /** Chinese lines: 'auto' (default) uses them when fontconfig has a font for Chinese. */
  cjk?: 'auto' | boolean;
  /** Image size, default 640×400 (a bank card's 85.6 : 54 aspect). */
  width?: number;
  height?: number;
  /** File names are `${prefix}_0001.jpg` + `.xml`; default 'card'. */
  prefix?: string;
  format?: 'jpeg' | 'png';
  /** Called after each image. */
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedLine {
  text: string;
  /** Integer pixel box as written in the VOC file (inclusive coordinates). */
  box: { xmin: number; ymin: number; xmax: number; ymax: number };
}

export interface GeneratedCard {
  image: string;
  xml: string;
  width: number;
  height: number;
  lines: GeneratedLine[];
}

export interface GeneratedSet {
  cards: GeneratedCard[];
  /** Whether Chinese lines were rendered. */
  cjk: boolean;
  /** Font families used. */
  fonts: string[];
}

/** One text line to render: baseline-left anchored SVG text. */
export interface LineSpec {
  text: string;
  x: number;
  /** Baseline. */
  y: number;
  size: number;
  family: string;
  weight: 'normal' | 'bold';
  color: string;
  /** Letter spacing in px (card numbers are often spaced out). */
  spacing: number;
}

export interface CardSpec {
  width: number;
  height: number;
  /** SVG elements of the background (gradient, shapes). */
  background: string;
  lines: LineSpec[];
}

export interface RenderedCard {
  /** Final RGB pixels. */
  rgb: Buffer;
  /** The background alone, RGB (for tests: where the ink is). */
  backgroundRgb: Buffer;
  width: number;
  height: number;
  lines: GeneratedLine[];
}

const LATIN_FAMILIES = ['DejaVu Sans Mono', 'DejaVu Sans', 'Liberation Sans', 'Liberation Mono', 'DejaVu Serif', 'Liberation Serif', 'Liberation Sans Narrow'];
const CJK_FAMILIES = ['WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'AR PL UMing CN', 'Droid Sans Fallback'];

let fontCache: { latin: string[]; cjk: string[] } | null = null;

function fcList(args: string[]): string[] {
  try {
    return execFileSync('fc-list', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
      .split('\n')
      .flatMap((l) => l.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Font families fontconfig has: known Latin ones, and those covering Chinese (`fc-list :lang=zh`). */
export function availableFonts(): { latin: string[]; cjk: string[] } {
  if (fontCache) return fontCache;
  const all = new Set(fcList([':', 'family']));
  const zh = fcList([':lang=zh', 'family']);
  const zhSet = new Set(zh);
  const latin = LATIN_FAMILIES.filter((f) => all.has(f));
  const cjk = [...CJK_FAMILIES.filter((f) => zhSet.has(f)), ...zh.filter((f) => !CJK_FAMILIES.includes(f) && /^[\x20-\x7e]+$/.test(f))];
  // Without any known Latin family, whatever fontconfig resolves 'sans-serif' to.
  fontCache = { latin: latin.length > 0 ? latin : all.size > 0 ? ['sans-serif'] : [], cjk: [...new Set(cjk)].slice(0, 3) };
  return fontCache;
}

/** Whether a font for Chinese is installed (fc-list :lang=zh). */
export function cjkFontAvailable(): boolean {
  return availableFonts().cjk.length > 0;
}

const BANKS_ZH = ['中国工商银行', '中国建设银行', '中国农业银行', '中国银行', '交通银行', '招商银行', '浦发银行', '中信银行', '民生银行', '兴业银行'];
const KINDS_ZH = ['储蓄卡', '信用卡', '借记卡', '金穗卡', '龙卡'];
const BANKS_EN = ['UNION BANK', 'PACIFIC BANK', 'GLOBAL CREDIT', 'CITY SAVINGS', 'EASTERN BANK', 'HARBOUR BANK', 'SUMMIT BANK'];
const KINDS_EN = ['DEBIT', 'CREDIT', 'SAVINGS', 'PLATINUM', 'GOLD'];
const SURNAMES = ['ZHANG', 'WANG', 'LI', 'ZHAO', 'CHEN', 'LIU', 'YANG', 'HUANG', 'ZHOU', 'WU', 'XU', 'SUN', 'MA', 'ZHU', 'HU', 'GUO', 'LIN', 'HE', 'GAO', 'LUO'];
const GIVEN = ['WEI', 'FANG', 'NA', 'MIN', 'JING', 'LEI', 'QIANG', 'JUN', 'YANG', 'YONG', 'YAN', 'JIE', 'TAO', 'MING', 'CHAO', 'XIU YING', 'XIAO MING', 'HAO', 'LI NA', 'JIAN'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function int(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function digits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
  return s;
}

function hsl(h: number, s: number, l: number): string {
  return `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`;
}

/** A card's background: a two-colour diagonal gradient, translucent circles and waves, a chip. */
function backgroundSvg(random: () => number, width: number, height: number, dark: boolean, chip: boolean): string {
  const hue = random() * 360;
  const hue2 = hue + (random() * 2 - 1) * 50;
  const l1 = dark ? 18 + random() * 20 : 70 + random() * 18;
  const l2 = dark ? 30 + random() * 20 : 82 + random() * 12;
  const parts: string[] = [
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="${(0.3 + random() * 0.7).toFixed(2)}">` +
      `<stop offset="0" stop-color="${hsl(hue, 40 + random() * 40, l1)}"/><stop offset="1" stop-color="${hsl(hue2, 40 + random() * 40, l2)}"/>` +
      `</linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#bg)"/>`,
  ];
  for (let i = int(random, 1, 3); i > 0; i--) {
    const r = (0.2 + random() * 0.5) * height;
    parts.push(`<circle cx="${(random() * width).toFixed(1)}" cy="${(random() * height).toFixed(1)}" r="${r.toFixed(1)}" fill="${dark ? '#ffffff' : '#000000'}" fill-opacity="${(0.03 + random() * 0.06).toFixed(3)}"/>`);
  }
  const y0 = height * (0.55 + random() * 0.35);
  parts.push(
    `<path d="M0 ${y0.toFixed(1)} C ${(width * 0.3).toFixed(1)} ${(y0 - height * 0.2).toFixed(1)}, ${(width * 0.6).toFixed(1)} ${(y0 + height * 0.2).toFixed(1)}, ${width} ${(y0 - height * 0.05).toFixed(1)} L ${width} ${height} L 0 ${height} Z" fill="${dark ? '#ffffff' : '#000000'}" fill-opacity="${(0.04 + random() * 0.05).toFixed(3)}"/>`,
  );
  if (chip) {
    const cx = width * 0.07 + random() * width * 0.04;
    const cy = height * 0.3 + random() * height * 0.06;
    const cw = width * 0.11;
    const ch = height * 0.13;
    parts.push(`<rect x="${cx.toFixed(1)}" y="${cy.toFixed(1)}" width="${cw.toFixed(1)}" height="${ch.toFixed(1)}" rx="6" fill="${hsl(45, 60, 55 + random() * 15)}" stroke="${hsl(40, 50, 35)}" stroke-width="1"/>`);
    for (let k = 1; k < 3; k++) parts.push(`<line x1="${cx.toFixed(1)}" y1="${(cy + (ch * k) / 3).toFixed(1)}" x2="${(cx + cw).toFixed(1)}" y2="${(cy + (ch * k) / 3).toFixed(1)}" stroke="${hsl(40, 50, 35)}" stroke-width="1"/>`);
  }
  return parts.join('');
}

function textColour(random: () => number, dark: boolean): string {
  return dark ? hsl(40 + random() * 20, 10 + random() * 30, 88 + random() * 12) : hsl(200 + random() * 40, 20 + random() * 30, 8 + random() * 15);
}

/** The layout of one card, from the generator's random stream. */
export function cardSpec(random: () => number, o: { width: number; height: number; layout: CardLayout; cjk: boolean; fonts: { latin: string[]; cjk: string[] } }): CardSpec {
  const { width: W, height: H } = o;
  if (o.fonts.latin.length === 0) throw new StudioError('internal', 'no fonts found by fontconfig (fc-list); install fonts-dejavu-core (and fonts-wqy-microhei for Chinese)');
  const dark = random() < 0.6;
  const colour = textColour(random, dark);
  const s = H / 400; // sizes are designed for 640×400
  const latin = () => pick(random, o.fonts.latin);
  const lines: LineSpec[] = [];
  const line = (text: string, x: number, y: number, size: number, family: string, extra: Partial<LineSpec> = {}) =>
    lines.push({ text, x, y, size, family, weight: 'normal', color: colour, spacing: 0, ...extra });

  if (o.layout === 'digits') {
    const rows = int(random, 4, 6);
    const band = (H * 0.9) / rows;
    for (let r = 0; r < rows; r++) {
      const size = band * (0.45 + random() * 0.2);
      const y = H * 0.05 + band * r + band * 0.5 + size * 0.35;
      const text = digits(random, int(random, 3, 8));
      line(text, W * (0.04 + random() * 0.3), y, size, latin(), { weight: random() < 0.3 ? 'bold' : 'normal', spacing: random() < 0.3 ? size * 0.1 : 0 });
    }
    return { width: W, height: H, background: backgroundSvg(random, W, H, dark, false), lines };
  }

  // bank name top-left, card kind top-right
  const nameSize = (26 + random() * 8) * s;
  if (o.cjk) {
    const zh = pick(random, o.fonts.cjk);
    line(pick(random, BANKS_ZH), W * (0.05 + random() * 0.03), H * (0.14 + random() * 0.04), nameSize, zh, { weight: random() < 0.5 ? 'bold' : 'normal' });
    line(pick(random, KINDS_ZH), W * (0.74 + random() * 0.06), H * (0.14 + random() * 0.04), (20 + random() * 6) * s, zh);
  } else {
    line(pick(random, BANKS_EN), W * (0.05 + random() * 0.03), H * (0.14 + random() * 0.04), nameSize, latin(), { weight: 'bold' });
    line(pick(random, KINDS_EN), W * (0.7 + random() * 0.04), H * (0.14 + random() * 0.04), (18 + random() * 6) * s, latin());
  }
  // card number: 16 digits in 4 groups, or 19 digits (UnionPay) as 4·4 + 3
  const long = random() < 0.35;
  const prefix = random() < 0.7 ? '62' : pick(random, ['4', '5']);
  const raw = prefix + digits(random, (long ? 19 : 16) - prefix.length);
  const number = (raw.match(/.{1,4}/g) ?? []).join(' ').slice(0, long ? 23 : 19);
  const numberSize = (long ? 27 + random() * 4 : 30 + random() * 6) * s;
  const numberFamily = pick(random, o.fonts.latin.filter((f) => /Mono|Sans/.test(f)).concat(o.fonts.latin).slice(0, 4));
  line(number, W * (0.05 + random() * 0.04), H * (0.6 + random() * 0.04), numberSize, numberFamily, { spacing: random() < 0.5 ? numberSize * 0.06 : 0, weight: random() < 0.4 ? 'bold' : 'normal' });
  // validity: a small label and the date
  const month = String(int(random, 1, 12)).padStart(2, '0');
  const year = String(int(random, 24, 35));
  const validY = H * (0.73 + random() * 0.03);
  const validX = W * (0.3 + random() * 0.1);
  const labelSize = (12 + random() * 3) * s;
  line('VALID THRU', validX, validY, labelSize, latin());
  line(`${month}/${year}`, validX + labelSize * 7.5, validY + 2 * s, (20 + random() * 4) * s, numberFamily);
  // holder name bottom-left
  line(`${pick(random, SURNAMES)} ${pick(random, GIVEN)}`, W * (0.05 + random() * 0.04), H * (0.88 + random() * 0.03), (20 + random() * 5) * s, latin(), { spacing: random() < 0.5 ? 1.5 * s : 0 });
  return { width: W, height: H, background: backgroundSvg(random, W, H, dark, true), lines };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One line rendered alone on a transparent band around its baseline, with its ink's extent (band pixels). */
async function renderLine(l: LineSpec, W: number, H: number): Promise<{ data: Buffer; info: { width: number; height: number }; top: number; ink: { x0: number; y0: number; x1: number; y1: number } }> {
  // A band around the baseline: tall enough for ascenders, descenders and CJK glyphs.
  const top = Math.max(0, Math.floor(l.y - l.size * 1.4));
  const bottom = Math.min(H, Math.ceil(l.y + l.size * 0.7));
  const bandH = bottom - top;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${bandH}">` +
    `<text x="${l.x.toFixed(2)}" y="${(l.y - top).toFixed(2)}" font-family="${escapeXml(l.family)}" font-size="${l.size.toFixed(2)}" font-weight="${l.weight}"` +
    `${l.spacing ? ` letter-spacing="${l.spacing.toFixed(2)}"` : ''} fill="${l.color}" xml:space="preserve">${escapeXml(l.text)}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (data[(y * info.width + x) * 4 + 3]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) throw new StudioError('internal', `the text "${l.text}" rendered no ink with font "${l.family}": is a font installed (fc-list)?`);
  return { data, info, top, ink: { x0, y0, x1, y1 } };
}

/**
 * Renders a card spec: composites each line's band onto the background and measures its ink. A
 * line too wide for the image is rendered smaller (its spec's size is updated).
 */
export async function renderCard(spec: CardSpec): Promise<RenderedCard> {
  const { width: W, height: H } = spec;
  const bg = await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${spec.background}</svg>`))
    .removeAlpha()
    .raw()
    .toBuffer();
  const layers: OverlayOptions[] = [];
  const lines: GeneratedLine[] = [];
  for (const line of spec.lines) {
    let l = line;
    let band = await renderLine(l, W, H);
    // A font wider than the layout expected: shrink the line until it fits (keeps its left edge).
    for (let tries = 0; band.ink.x1 >= W - 1 - Math.round(l.size * 0.15) && tries < 4; tries++) {
      const room = W - 1 - Math.round(l.size * 0.15) - l.x;
      const factor = Math.max(0.5, (room / Math.max(1, band.ink.x1 - l.x)) * 0.97);
      l = { ...l, size: l.size * factor, spacing: l.spacing * factor };
      line.size = l.size;
      line.spacing = l.spacing;
      band = await renderLine(l, W, H);
    }
    const { data, info, top } = band;
    const { x0, y0, x1, y1 } = band.ink;
    if (x1 >= W - 1) throw new StudioError('internal', `the text "${l.text}" runs off the ${W}-pixel image`);
    layers.push({ input: data, raw: { width: info.width, height: info.height, channels: 4 }, left: 0, top });
    // A labeller's margin: about 12 % of the font size around the ink, inside the image.
    const pad = Math.max(1, Math.round(l.size * 0.12));
    lines.push({
      text: l.text,
      box: {
        xmin: Math.max(0, x0 - pad),
        ymin: Math.max(0, top + y0 - pad),
        xmax: Math.min(W - 1, x1 + pad),
        ymax: Math.min(H - 1, top + y1 + pad),
      },
    });
  }
  const rgb = await sharp(bg, { raw: { width: W, height: H, channels: 3 } }).composite(layers).removeAlpha().raw().toBuffer();
  return { rgb, backgroundRgb: bg, width: W, height: H, lines };
}

/**
 * Writes `count` card images with VOC sidecars into `outDir` (created if needed).
 * @throws StudioError when no font is installed.
 */
export async function generateOcrCards(o: OcrCardOptions): Promise<GeneratedSet> {
  if (!Number.isInteger(o.count) || o.count < 0) throw new StudioError('invalid_input', `count must be a whole number ≥ 0, got ${o.count}`, 'count');
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  const layout = o.layout ?? 'bank-card';
  const fonts = availableFonts();
  const cjk = o.cjk === 'auto' || o.cjk === undefined ? fonts.cjk.length > 0 : o.cjk;
  if (cjk && fonts.cjk.length === 0) throw new StudioError('invalid_input', 'no font for Chinese is installed (fc-list :lang=zh is empty); install fonts-wqy-microhei', 'cjk');
  const prefix = o.prefix ?? 'card';
  const format = o.format ?? 'jpeg';
  const outDir = resolve(o.outDir);
  await mkdir(outDir, { recursive: true });
  const random = seededRandom(o.seed ?? 1);
  const cards: GeneratedCard[] = [];
  const used = new Set<string>();
  const digitsWidth = String(Math.max(o.count, 1)).length;
  for (let i = 0; i < o.count; i++) {
    const spec = cardSpec(random, { width, height, layout, cjk, fonts });
    spec.lines.forEach((l) => used.add(l.family));
    const rendered = await renderCard(spec);
    const stem = `${prefix}_${String(i + 1).padStart(Math.max(4, digitsWidth), '0')}`;
    const file = `${stem}.${format === 'jpeg' ? 'jpg' : 'png'}`;
    const image = join(outDir, file);
    const pipeline = sharp(rendered.rgb, { raw: { width, height, channels: 3 } });
    await (format === 'jpeg' ? pipeline.jpeg({ quality: 92 }) : pipeline.png()).toFile(image);
    const boxes: Box[] = rendered.lines.map((l) => ({ label: l.text, ...l.box, difficult: false, truncated: false }));
    const xml = join(outDir, `${stem}.xml`);
    await writeFile(xml, writeVoc({ folder: basename(outDir), filename: file, path: image, width, height, depth: 3, verified: false, boxes }));
    cards.push({ image, xml, width, height, lines: rendered.lines });
    o.onProgress?.(i + 1, o.count);
  }
  return { cards, cjk, fonts: [...used].sort() };
}
