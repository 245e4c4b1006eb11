// Shared by the serving tests: a real classifier trained on colour swatches, images in each
// accepted format, and HTTP helpers that send exactly the bytes a test asks for.

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { resultOf, type ModelVersion } from '../../../main/shared/api';
import { openStudio, type Studio } from '../../../main/core/studio';
import { initBackend } from '../../../main/core/training/tf/backend';
import { COLOURS, colourFolder, saveColourBackbone } from '../../helpers/training';

/** Trains a high-speed red/blue classifier in a new workspace under `root`. */
export async function trainColourModel(root: string): Promise<{ studio: Studio; model: ModelVersion; folder: string }> {
  await initBackend('auto');
  const folder = await colourFolder(join(root, 'colours'), { perClass: 10 });
  const backbone = await saveColourBackbone(join(root, 'colour-net'));
  const studio = await openStudio({ workspace: join(root, 'ws') });
  const instance = await studio.createInstance({ type: 'classification', name: 'colours' });
  const { dataset, job } = await studio.createDataset({ instanceId: instance.id, name: 'swatches', path: folder });
  resultOf(await studio.waitJob(job.id), 'index');
  const { job: training } = await studio.startTraining({ datasetId: dataset.id, algorithm: 'fast', backbone, seed: 3, hpo: false });
  const report = resultOf(await studio.waitJob(training.id), 'train');
  if (!report.model) throw new Error('training saved no model');
  return { studio, model: report.model, folder };
}

/** Raw RGB pixels of a noisy swatch of a colour, width × height. */
export function swatch(colour: keyof typeof COLOURS | string, width: number, height: number, seed = 1): Buffer {
  const [r, g, b] = COLOURS[colour] ?? [128, 128, 128];
  const pixels = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let p = 0; p < width * height; p++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const n = ((s >>> 16) / 65536 - 0.5) * 60;
    pixels[p * 3] = Math.max(0, Math.min(255, Math.round(r + n)));
    pixels[p * 3 + 1] = Math.max(0, Math.min(255, Math.round(g + n)));
    pixels[p * 3 + 2] = Math.max(0, Math.min(255, Math.round(b + n)));
  }
  return pixels;
}

export function png(rgb: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export function jpeg(rgb: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** A 24-bit bottom-up BMP (BITMAPINFOHEADER), written here independently of the decoder under test. */
export function bmp(rgb: Buffer, width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    const dst = 54 + (height - 1 - y) * row;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      out[dst + x * 3] = rgb[s + 2]!;
      out[dst + x * 3 + 1] = rgb[s + 1]!;
      out[dst + x * 3 + 2] = rgb[s]!;
    }
  }
  return out;
}

/** The seed's request body for image bytes. */
export function easBody(image: Buffer): string {
  return JSON.stringify({ dataArray: [{ name: 'image', type: 'stream', body: image.toString('base64') }] });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path sent as is (no normalisation) and the body as given. */
export function send(url: string, opts: { method?: string; path: string; token?: string; body?: string | Buffer; headers?: Record<string, string> }): Promise<Reply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== undefined) headers.authorization = opts.token;
    const req = request({ host: hostname, port, method: opts.method ?? 'POST', path: opts.path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A raw TCP exchange: writes `chunks` (then waits, never ending the request) and collects what comes back until the server closes. */
export function raw(url: string, chunks: Array<string | Buffer>): { socket: Socket; reply: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let got = '';
  const reply = new Promise<string>((resolve) => {
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
  });
  socket.on('connect', () => {
    for (const c of chunks) socket.write(c);
  });
  return { socket, reply };
}

export const ERROR = (code: string, msg: string) => `{"success":false,"errorCode":"${code}","errorMsg":"${msg}"}`;
