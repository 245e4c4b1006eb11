import type { Annotation, ExportFormat, InstanceType, PathIssue } from '../../shared/api';

/** One image as an exporter sees it: its annotation is in the displayed (upright) pixel frame. */
export interface ExportImage {
  /** Path relative to the dataset folder, '/'-separated. */
  path: string;
  /** Width and height as displayed (after EXIF orientation). */
  width: number;
  height: number;
  /** Channels of the image (3 for colour, 1 for grey); VOC's <depth>. */
  depth: number;
  /** EXIF orientation of the source file (1–8); such files are written upright. */
  orientation: number;
  annotation: Annotation;
  /** Reviewed by a person (VOC `verified="yes"`). */
  verified: boolean;
  /** Set when the export was asked for a train/val split. */
  split: 'train' | 'val' | null;
}

/** What an exporter writes into. Images are always written upright, so boxes and pixels agree in every tool. */
export interface ExportTarget {
  /** Absolute path of the export folder (VOC's <path> elements point into it). */
  outDir: string;
  type: InstanceType;
  datasetName: string;
  /** Class names in a stable order (sorted); for OCR, the distinct transcriptions are not classes and this is empty. */
  classes: string[];
  images: ExportImage[];
  /** Puts the image into the export at `relPath` (link or copy; an upright copy for EXIF-rotated photos). */
  writeImage(image: ExportImage, relPath: string): Promise<void>;
  /** Writes a new text or binary file (never overwriting one), creating folders. */
  writeFile(relPath: string, data: string | Buffer): Promise<void>;
  /** Reports progress in images written. */
  progress(done: number): void;
  signal: AbortSignal;
}

/** One annotation found by an importer, keyed by the image it belongs to. */
export interface ImportEntry {
  /** The image's path as the format names it (relative path or bare file name). */
  image: string;
  /** Other names the image may have, tried after `image` (e.g. a path the format had to flatten). */
  aliases?: string[];
  annotation: Annotation;
  /** The pixel size the annotation was made against, when the format records it. */
  size?: { width: number; height: number } | null;
}

export interface ImportResult {
  entries: ImportEntry[];
  /** Files or records that could not be read, with the reason; the rest is still imported. */
  problems: PathIssue[];
}

export interface FormatProvider {
  id: ExportFormat;
  title: string;
  /** One line for the UI and `--help`. */
  description: string;
  /** The instance types this format can carry. */
  types: readonly InstanceType[];
  export(target: ExportTarget): Promise<void>;
  import(dir: string, opts: { type: InstanceType; signal: AbortSignal }): Promise<ImportResult>;
}
