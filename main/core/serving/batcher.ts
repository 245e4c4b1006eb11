// Puts concurrent requests onto the model together: images that arrive while a forward pass runs
// wait, and the next pass takes up to `maxBatch` of them at once (EAS's rpc.batching, without a
// fixed wait: a lone request is never delayed).

import type { EasResult } from '../../shared/api';
import { EasError } from './protocol';
import type { DecodedImage } from './runtime';

interface Waiting {
  image: DecodedImage;
  resolve(result: EasResult): void;
  reject(err: EasError): void;
}

export interface BatchStats {
  /** Forward passes run. */
  batches: number;
  /** Images those passes took. */
  images: number;
  /** The largest batch so far. */
  largest: number;
}

export class Batcher {
  private readonly waiting: Waiting[] = [];
  private running = false;
  readonly stats: BatchStats = { batches: 0, images: 0, largest: 0 };

  constructor(
    private readonly forward: (images: DecodedImage[]) => Promise<EasResult[]>,
    private readonly maxBatch: number,
  ) {}

  /** Resolves with the image's result; rejects with EasError 2003 when its forward pass fails. */
  submit(image: DecodedImage): Promise<EasResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ image, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        // Let requests whose images finished decoding meanwhile join this pass.
        await new Promise<void>((r) => setImmediate(r));
        if (this.waiting.length === 0) return;
        const batch = this.waiting.splice(0, this.maxBatch);
        this.stats.batches++;
        this.stats.images += batch.length;
        this.stats.largest = Math.max(this.stats.largest, batch.length);
        try {
          const results = await this.forward(batch.map((w) => w.image));
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (err) {
          const error = err instanceof EasError ? err : new EasError('2003', err instanceof Error ? err.message : String(err));
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
