// The model runtime: a saved model FOLDER (metadata.json + model.json + weights) that turns image
// bytes into the EAS `result` of seed 004. It is the one prediction code path: the studio's
// predict/evaluate (training/inference.ts), the local EAS service and the exported processor all
// run images through it. Each model type (metadata.type) has its own loader; classification is the
// only one so far, detection and OCR plug into LOADERS.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
// bmp-ts: sharp (libvips) has no BMP loader and the seed accepts BMP; a small, maintained, pure-JS decoder.
import { decode as decodeBmp } from 'bmp-ts';
import sharp from 'sharp';
import { StudioError, type EasResult, type InstanceType } from '../../shared/api';
import { decodeSquare } from '../training/decode';
import { toBatch } from '../training/images';
import { loadLayers } from '../training/backbones/cut';
import { isDetectionMetadata, type DetectionModelMetadata } from '../training/detection/metadata';
import { Charset, type CharsetJson } from '../training/ocr/charset';
import { decodeRgb, type RgbImage } from '../training/ocr/crops';
import { RECOGNIZER_DIR, recognizeBoxes } from '../training/ocr/recognize';
import { Detector } from '../training/detection/predict';
import type { ModelMetadata } from '../training/model-metadata';
import { diskModels, loadModel } from '../training/saved-model';
import { initBackend, type DeviceChoice } from '../training/tf/backend';
import { compileInference, type InferenceModel } from '../training/tf/inference-graph';
import { EasError } from './protocol';

/** One image ready for the model, with the size it has as displayed (the response's `meta`). */
export interface DecodedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  /** OCR: the whole image, which the recognizer crops text lines from. */
  rgb?: RgbImage;
}

/** What every model type provides. */
export interface TypedModel {
  readonly meta: ModelMetadata;
  /** Image bytes → model input. Throws EasError 1002 when the bytes are not an image. */
  decode(bytes: Buffer, name: string): Promise<DecodedImage>;
  /** One forward pass (chunked to the model's batch size) → one EAS result per image. Throws EasError 2003. */
  forward(images: readonly DecodedImage[]): Promise<EasResult[]>;
  dispose(): void;
}

export type Outcome = { ok: true; result: EasResult } | { ok: false; error: EasError };

/**
 * Images per model.predict call. On the CPU backends (WASM, plain JS) a larger batch buys nothing
 * per image, and the event loop is blocked while a call runs: small chunks with a yield between
 * them keep the service answering (health checks, 401, 2002) while a long batch is computed.
 */
const CHUNK = { native: 16, cpu: 4 } as const;
/** Largest image accepted (pixels), against decompression bombs: 100 megapixels. */
const MAX_PIXELS = 100_000_000;

type Loader = (model: tfl.LayersModel, meta: ModelMetadata, dir: string) => TypedModel | Promise<TypedModel>;

/** How each model type is served. */
const LOADERS: Partial<Record<InstanceType, Loader>> = {
  classification: (model, meta, dir) => new ClassificationModel(model, meta, dir),
  detection: (model, meta, dir) => {
    if (!isDetectionMetadata(meta)) throw new StudioError('io_error', `${dir}: metadata.json of a detector has no "detection" section`);
    return new DetectionModel(new Detector(model, meta));
  },
  ocr: async (model, meta, dir) => {
    const ocr = (meta as ModelMetadata & { ocr?: { charset: CharsetJson } }).ocr;
    if (!ocr) throw new StudioError('io_error', `${dir}: metadata.json of an OCR model has no "ocr" section`);
    // The text detector is the folder's model.json; its metadata is the detector's plus the "ocr" section.
    const detector = new Detector(model, { ...meta, type: 'detection' } as unknown as DetectionModelMetadata);
    const recognizer = await loadLayers(diskModels, join(dir, RECOGNIZER_DIR));
    return new OcrModel(detector, recognizer, Charset.fromJSON(ocr.charset), meta);
  },
};

export class ModelRuntime {
  private constructor(
    readonly dir: string,
    private readonly typed: TypedModel,
  ) {}

  /** Loads a model folder on the best backend. Errors name the folder and the reason. */
  static async load(dir: string, opts: { device?: DeviceChoice } = {}): Promise<ModelRuntime> {
    await initBackend(opts.device ?? 'auto');
    const { model, meta } = await loadModel(dir);
    const loader = LOADERS[meta.type];
    if (!loader) {
      model.dispose();
      throw new StudioError('invalid_input', `${dir}: serving ${meta.type} models is not available yet; this build serves ${Object.keys(LOADERS).join(', ')} models`, 'modelId');
    }
    try {
      return new ModelRuntime(dir, await loader(model, meta, dir));
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  get meta(): ModelMetadata {
    return this.typed.meta;
  }

  /** A file path or image bytes → model input; EasError 1002 if it is not a readable image. */
  async decode(source: string | Buffer, name = typeof source === 'string' ? source : 'image'): Promise<DecodedImage> {
    let bytes: Buffer;
    if (typeof source === 'string') {
      try {
        bytes = await readFile(source);
      } catch (err) {
        throw new EasError('1002', `${name}: cannot decode image (${(err as Error).message})`);
      }
    } else bytes = source;
    return this.typed.decode(bytes, name);
  }

  forward(images: readonly DecodedImage[]): Promise<EasResult[]> {
    return this.typed.forward(images);
  }

  /** Decodes every source and runs the decodable ones in one forward pass; one outcome per source. */
  async predict(sources: ReadonlyArray<{ source: string | Buffer; name: string }>): Promise<Outcome[]> {
    const decoded = await Promise.all(sources.map((s) => this.decode(s.source, s.name).then((image) => ({ image }), (error: unknown) => ({ error: asEasError(error, '1002') }))));
    const ok = decoded.flatMap((d) => ('image' in d ? [d.image] : []));
    let results: EasResult[] = [];
    let failure: EasError | null = null;
    if (ok.length) {
      try {
        results = await this.forward(ok);
      } catch (err) {
        failure = asEasError(err, '2003');
      }
    }
    let next = 0;
    return decoded.map((d): Outcome => {
      if ('error' in d) return { ok: false, error: d.error };
      if (failure) return { ok: false, error: failure };
      return { ok: true, result: results[next++]! };
    });
  }

  /** The detector, for scoring boxes (evaluate). */
  detector(): Detector {
    if (!(this.typed instanceof DetectionModel)) throw new StudioError('invalid_input', `${this.dir} is a ${this.meta.type} model, not a detector`, 'modelId');
    return this.typed.raw;
  }

  /** The classification model, for scoring class probabilities (evaluate). */
  classifier(): ClassificationModel {
    if (!(this.typed instanceof ClassificationModel)) throw new StudioError('invalid_input', `${this.dir} is a ${this.meta.type} model, not a classifier`, 'modelId');
    return this.typed;
  }

  dispose(): void {
    this.typed.dispose();
  }
}

/** Image classification: a centred square crop at the model's input size; all classes, highest first. */
export class ClassificationModel implements TypedModel {
  /** The network with BatchNormalization and activations folded into its convolutions. */
  private readonly net: InferenceModel;

  constructor(
    private readonly model: tfl.LayersModel,
    readonly meta: ModelMetadata,
    dir: string,
  ) {
    const input = model.inputs[0]?.shape ?? [];
    const size = meta.preprocessing.size;
    if ((typeof input[1] === 'number' && input[1] !== size) || (typeof input[2] === 'number' && input[2] !== size)) {
      throw new StudioError('io_error', `${dir}: metadata.json says the input is ${size}×${size} but model.json takes ${input[1]}×${input[2]}`);
    }
    const units = model.outputs[0]?.shape.at(-1);
    if (typeof units === 'number' && units !== meta.labels.length) {
      throw new StudioError('io_error', `${dir}: metadata.json lists ${meta.labels.length} labels but the model has ${units} outputs`);
    }
    this.net = compileInference(model);
  }

  async decode(bytes: Buffer, name: string): Promise<DecodedImage> {
    return decodeSquare(await decodable(bytes, name), this.meta.preprocessing.size, name).catch((err: unknown) => {
      throw err instanceof EasError ? err : new EasError('1002', StudioError.wrap(err).message);
    });
  }

  /** Class probabilities, `labels.length` per image in label order. Throws EasError 2003. */
  async probabilities(images: readonly DecodedImage[]): Promise<Float32Array> {
    const k = this.meta.labels.length;
    const out = new Float32Array(images.length * k);
    const step = tf.getBackend() === 'tensorflow' ? CHUNK.native : CHUNK.cpu;
    try {
      for (let start = 0; start < images.length; start += step) {
        if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const chunk = images.slice(start, start + step).map((i) => i.pixels);
        const y = tf.tidy(() => this.net.predict(toBatch(tf, chunk, this.meta.preprocessing)) as tf.Tensor);
        try {
          out.set(await y.data(), start * k);
        } finally {
          y.dispose();
        }
      }
    } catch (err) {
      throw new EasError('2003', `the model failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    return out;
  }

  async forward(images: readonly DecodedImage[]): Promise<EasResult[]> {
    const probs = await this.probabilities(images);
    const k = this.meta.labels.length;
    return images.map((img, i) => easResult(this.meta.labels, probs.subarray(i * k, (i + 1) * k), img.width, img.height));
  }

  dispose(): void {
    this.net.dispose();
    this.model.dispose();
  }
}

/** Object detection: the image letterboxed at the model's input size; boxes as seed 004's detection result. */
class DetectionModel implements TypedModel {
  constructor(private readonly detector: Detector) {}

  get meta(): ModelMetadata {
    return this.detector.meta as unknown as ModelMetadata;
  }

  async decode(bytes: Buffer, name: string): Promise<DecodedImage> {
    return this.detector.decode(await decodable(bytes, name), name).catch((err: unknown) => {
      throw err instanceof EasError ? err : new EasError('1002', StudioError.wrap(err).message);
    });
  }

  async forward(images: readonly DecodedImage[]): Promise<EasResult[]> {
    try {
      return await this.detector.easResults(images);
    } catch (err) {
      throw new EasError('2003', `the model failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The detector itself, for scoring boxes (evaluate). */
  get raw(): Detector {
    return this.detector;
  }

  dispose(): void {
    this.detector.dispose();
  }
}

/**
 * OCR: text lines found by the detector, read by the recognizer. Items in reading order (top to
 * bottom, then left to right): `label` the text, `conf` the line's detection score × the
 * recognizer's confidence, `pos` the corners TL, TR, BR, BL in image pixels (seed 004's OCR result).
 */
class OcrModel implements TypedModel {
  constructor(
    private readonly detector: Detector,
    private readonly recognizer: tfl.LayersModel,
    private readonly charset: Charset,
    readonly meta: ModelMetadata,
  ) {}

  async decode(bytes: Buffer, name: string): Promise<DecodedImage> {
    try {
      const image = await decodable(bytes, name);
      const [letterboxed, rgb] = await Promise.all([this.detector.decode(image, name), decodeRgb(image, name)]);
      return { ...letterboxed, rgb };
    } catch (err) {
      throw err instanceof EasError ? err : new EasError('1002', StudioError.wrap(err).message);
    }
  }

  async forward(images: readonly DecodedImage[]): Promise<EasResult[]> {
    try {
      const lines = await this.detector.detect(images);
      return await Promise.all(
        images.map(async (img, i) => {
          const boxes = [...lines[i]!].sort((a, b) => a.ymin - b.ymin || a.xmin - b.xmin);
          const read = await recognizeBoxes(this.recognizer, this.charset, img.rgb!, boxes);
          const body = boxes.map((b, k) => {
            const [x0, y0, x1, y1] = [b.xmin, b.ymin, b.xmax, b.ymax].map(Math.round) as [number, number, number, number];
            return { label: read[k]!.text, conf: b.score * read[k]!.confidence, pos: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as Array<[number, number]> };
          });
          return { output: [{ type: 'cv_common' as const, body }], meta: { height: img.height, width: img.width } };
        }),
      );
    } catch (err) {
      throw new EasError('2003', `the model failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    this.detector.dispose();
    this.recognizer.dispose();
  }
}

/** Seed 004's classification result: every class, highest confidence first. */
export function easResult(labels: readonly string[], probs: ArrayLike<number>, width: number, height: number): EasResult {
  const body = labels.map((label, i) => ({ label, conf: probs[i]! })).sort((a, b) => b.conf - a.conf);
  return { output: [{ type: 'cv_common', body }], meta: { height, width } };
}

function asEasError(err: unknown, fallback: '1002' | '2003'): EasError {
  return err instanceof EasError ? err : new EasError(fallback, StudioError.wrap(err).message);
}

/** The image formats accepted, by their first bytes (SVG and anything else are refused). */
function sniff(b: Buffer): 'jpeg' | 'png' | 'bmp' | 'gif' | 'webp' | 'tiff' | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 6 && b.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*')) return 'tiff';
  return null;
}

/** Image bytes sharp can read: BMP is decoded here (to a lossless PNG); unknown formats are refused. */
async function decodable(bytes: Buffer, name: string): Promise<Buffer> {
  const format = sniff(bytes);
  if (format === null) throw new EasError('1002', `${name}: cannot decode image (not a JPEG, PNG, BMP, GIF, WebP or TIFF file)`);
  if (format !== 'bmp') return bytes;
  const width = Math.abs(bytes.readInt32LE(18));
  const height = Math.abs(bytes.readInt32LE(22));
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) throw new EasError('1002', `${name}: cannot decode image (BMP of ${width}×${height} pixels is empty or too large)`);
  let rgba: Buffer;
  try {
    const bmp = decodeBmp(bytes, { toRGBA: true });
    rgba = bmp.data;
    if (rgba.length < width * height * 4) throw new Error('pixel data is truncated');
  } catch (err) {
    throw new EasError('1002', `${name}: cannot decode image (BMP: ${(err as Error).message})`);
  }
  // bmp-ts leaves alpha at 0 for formats without one: keep RGB only.
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = rgba[p]!;
    rgb[q + 1] = rgba[p + 1]!;
    rgb[q + 2] = rgba[p + 2]!;
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}
