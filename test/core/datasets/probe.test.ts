import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jpegHasEoi, pngHasIend, probeImage, sniffFormat } from '../../../main/core/datasets/probe';
import { jpeg, png, tempDir } from '../../helpers/fixtures';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

async function probeBytes(name: string, bytes: Buffer, looksLikeImage = true) {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return probeImage(p, bytes.length, looksLikeImage);
}

describe('probeImage', () => {
  it('reads JPEG and PNG size from the header', async () => {
    expect(await probeBytes('a.jpg', await jpeg(640, 480))).toMatchObject({ ok: true, format: 'jpeg', width: 640, height: 480, orientation: 1, note: null });
    expect(await probeBytes('b.png', await png(33, 40))).toMatchObject({ ok: true, format: 'png', width: 33, height: 40 });
  });

  it('detects the format by content, not by extension', async () => {
    expect(await probeBytes('really-a-png.JPG', await png(50, 50))).toMatchObject({ ok: true, format: 'png' });
    expect(await probeBytes('noext', await jpeg(40, 40), false)).toMatchObject({ ok: true, format: 'jpeg' });
  });

  it('reads a frame header that lies beyond the first 64 KiB (large metadata segments)', async () => {
    const base = await jpeg(120, 90);
    const app = (n: number) => Buffer.concat([Buffer.from([0xff, 0xef, 0xff, 0xff]), Buffer.alloc(0xfffd, n)]); // APP15, max size
    const big = Buffer.concat([base.subarray(0, 2), app(1), app(2), base.subarray(2)]);
    expect(await probeBytes('bigmeta.jpg', big)).toMatchObject({ ok: true, width: 120, height: 90, note: null });
  });

  it('reports the displayed frame of an EXIF-rotated photo', async () => {
    const r = await probeBytes('rot.jpg', await jpeg(400, 300, { orientation: 6 }));
    expect(r).toMatchObject({ ok: true, orientation: 6, width: 300, height: 400 });
  });

  it('refuses a JPEG with much of the picture missing', async () => {
    const full = await jpeg(320, 240);
    const r = await probeBytes('cut.jpg', full.subarray(0, Math.floor(full.length * 0.6)));
    expect(r).toMatchObject({ ok: false, format: 'jpeg' });
    expect(r && !r.ok && r.reason).toMatch(/^truncated JPEG .*% of the picture missing/);
  });

  it('keeps a JPEG that only lacks its end marker, with a note', async () => {
    const full = await jpeg(320, 240);
    const r = await probeBytes('almost.jpg', full.subarray(0, full.length - 2));
    expect(r).toMatchObject({ ok: true, format: 'jpeg' });
    expect(r && r.ok && r.note).toMatch(/lacks its end-of-image marker/);
  });

  it('accepts data after the end marker (motion photos, maker trailers)', async () => {
    const withTrailer = Buffer.concat([await jpeg(100, 80), Buffer.alloc(200_000, 7)]);
    expect(await probeBytes('trailer.jpg', withTrailer)).toMatchObject({ ok: true, note: null });
  });

  it('refuses a PNG without IEND', async () => {
    const full = await png(64, 64);
    expect(await probeBytes('cut.png', full.subarray(0, full.length - 12))).toMatchObject({ ok: false, reason: 'truncated PNG (no IEND chunk)' });
  });

  it('names unsupported image formats and non-images posing as images', async () => {
    expect(await probeBytes('x.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toMatchObject({ ok: false, reason: 'GIF images are not supported (JPEG and PNG only)' });
    expect(await probeBytes('fake.jpg', Buffer.from('hello, not an image at all'))).toMatchObject({ ok: false, reason: 'not an image: content matches no image format' });
    expect(await probeBytes('empty.png', Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty file' });
    expect(await probeBytes('notes.bin', Buffer.from('plain data'), false)).toBeNull();
  });
});

describe('format helpers', () => {
  it('sniffs magic numbers', async () => {
    expect(sniffFormat(await jpeg(8, 8))).toBe('jpeg');
    expect(sniffFormat(await png(8, 8))).toBe('png');
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('WebP');
    expect(sniffFormat(Buffer.from('BM' + '\0'.repeat(12), 'latin1'))).toBe('BMP');
    expect(sniffFormat(Buffer.from('just some text here'))).toBeNull();
  });

  it('walks JPEG markers to the end-of-image marker', async () => {
    const full = await jpeg(64, 64);
    expect(jpegHasEoi(full)).toBe(true);
    expect(jpegHasEoi(Buffer.concat([full, Buffer.from('trailing')]))).toBe(true);
    expect(jpegHasEoi(full.subarray(0, full.length - 100))).toBe(false);
  });

  it('walks PNG chunks to IEND', async () => {
    const full = await png(16, 16);
    expect(pngHasIend(full)).toBe(true);
    expect(pngHasIend(full.subarray(0, full.length - 12))).toBe(false);
  });
});
