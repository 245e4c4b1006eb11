// Decoded images for the box canvas, kept in a small LRU so that stepping back and forth, and the
// prefetched neighbours, draw at once instead of waiting for a JPEG decode.
//
//   const { image, error } = useDecodedImage(client, id);   // image null while loading
//   prefetchImage(client, nextId);
//
// Decoded from a Blob by createImageBitmap, which Chromium does off the main thread (from an <img> it
// decodes and scales on the main thread, stalling key presses by 20–40 ms per image). The file comes
// from the HTTP cache when it was fetched before. Each entry holds the
// full size plus halvings down to 1000 px: panning a zoomed-out 6000×4000 photo then scales a small
// bitmap each frame, not 24 megapixels.
import { useEffect, useState } from 'react';
import type { StudioClient } from '../../../../main/shared/api';

type Client = Pick<StudioClient, 'mediaUrl'>;

export interface ImageLevel {
  source: ImageBitmap;
  width: number;
  height: number;
}

export interface DecodedImage {
  url: string;
  /** As displayed: browsers apply the EXIF orientation when decoding. */
  width: number;
  height: number;
  /** Full size first, then successive halvings. */
  levels: ImageLevel[];
}

/** About 320 MB of RGBA: a few 24-megapixel photos, or hundreds of small crops. */
const BUDGET_PIXELS = 80e6;
/** The current image and its two neighbours stay, whatever their size. */
const MIN_ENTRIES = 3;
/** Halvings stop at this size: smaller images draw fast enough at full size. */
const SMALLEST_LEVEL = 1000;

interface Entry {
  promise: Promise<DecodedImage>;
  value: DecodedImage | null;
  pixels: number;
  /** Canvases showing it: never evicted meanwhile, however many neighbours are prefetched. */
  users: number;
}

const entries = new Map<string, Entry>();

async function decode(url: string): Promise<DecodedImage> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const blob = await response.blob();
  // 'from-image' applies the EXIF orientation, as the index and the trainer do.
  const full = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const { width, height } = full;
  const levels: ImageLevel[] = [{ source: full, width, height }];
  for (let w = width / 2, h = height / 2; Math.max(w, h) >= SMALLEST_LEVEL; w /= 2, h /= 2) {
    const [lw, lh] = [Math.round(w), Math.round(h)];
    // From the blob again, not from `full`: scaling a bitmap would run on the main thread.
    const source = await createImageBitmap(blob, { imageOrientation: 'from-image', resizeWidth: lw, resizeHeight: lh, resizeQuality: 'medium' });
    levels.push({ source, width: lw, height: lh });
  }
  return { url, width, height, levels };
}

function evict(keep: string): void {
  let total = 0;
  for (const entry of entries.values()) total += entry.pixels;
  for (const [url, entry] of entries) {
    if (total <= BUDGET_PIXELS || entries.size <= MIN_ENTRIES) break;
    if (url === keep || !entry.value || entry.users > 0) continue;
    entries.delete(url);
    total -= entry.pixels;
    for (const level of entry.value.levels) level.source.close();
  }
}

/** Starts decoding (or marks as recently used) and resolves with the decoded image. */
function load(url: string): Promise<DecodedImage> {
  const hit = entries.get(url);
  if (hit) {
    // Re-insert: Map order is the LRU order.
    entries.delete(url);
    entries.set(url, hit);
    return hit.promise;
  }
  const entry: Entry = { promise: decode(url), value: null, pixels: 0, users: 0 };
  entries.set(url, entry);
  entry.promise.then(
    (value) => {
      entry.value = value;
      entry.pixels = value.levels.reduce((sum, level) => sum + level.width * level.height, 0);
      evict(url);
    },
    () => entries.delete(url),
  );
  return entry.promise;
}

export function prefetchImage(client: Client, imageId: number): void {
  // Failures surface when the image is shown, not here.
  load(client.mediaUrl('image', imageId)).catch(() => undefined);
}

/** The decoded image: at once when cached, else after decoding; `error` when it cannot be decoded. */
export function useDecodedImage(client: Client, imageId: number | null): { image: DecodedImage | null; error: string | null } {
  const [loaded, setLoaded] = useState<{ url: string; image: DecodedImage | null; error: string | null } | null>(null);
  const url = imageId === null ? null : client.mediaUrl('image', imageId);
  const cached = url === null ? null : (entries.get(url)?.value ?? null);

  useEffect(() => {
    if (url === null) return;
    let live = true;
    const promise = load(url);
    const entry = entries.get(url)!;
    entry.users++;
    promise.then(
      (image) => live && setLoaded({ url, image, error: null }),
      (failure: unknown) => live && setLoaded({ url, image: null, error: failure instanceof Error ? failure.message : String(failure) }),
    );
    return () => {
      live = false;
      entry.users--;
    };
  }, [url]);

  if (url === null) return { image: null, error: null };
  if (cached) return { image: cached, error: null };
  return loaded?.url === url ? { image: loaded.image, error: loaded.error } : { image: null, error: null };
}
