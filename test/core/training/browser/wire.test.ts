import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../../main/core/training/browser/wire';

describe('browser host wire frames', () => {
  it('carries JSON and binary parts (typed arrays and ArrayBuffers) through one frame', () => {
    const pixels = Uint8Array.from({ length: 37 }, (_, i) => i * 7);
    const weights = new Float32Array([1.5, -2.25, 3e-8]);
    const ids = new Int32Array([7, -1]);
    const raw = new Uint8Array([9, 8, 7]).buffer;
    const back = decodeFrame(encodeFrame({ type: 'reply', id: 3, value: { pixels, nested: [{ weights }], ids, raw, text: 'ok', n: null } })) as Record<string, any>;
    expect(back.type).toBe('reply');
    expect(back.value.text).toBe('ok');
    expect(back.value.n).toBeNull();
    expect(back.value.pixels).toBeInstanceOf(Uint8Array);
    expect([...back.value.pixels]).toEqual([...pixels]);
    expect(back.value.nested[0].weights).toBeInstanceOf(Float32Array);
    expect([...back.value.nested[0].weights]).toEqual([...weights]);
    expect([...back.value.ids]).toEqual([7, -1]);
    expect(back.value.raw).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(back.value.raw)]).toEqual([9, 8, 7]);
  });

  it('decodes a frame that arrives at an unaligned offset (a Node Buffer in a shared pool)', () => {
    const frame = new Uint8Array(encodeFrame({ w: new Float32Array([0.25, 4]) }));
    const pool = new Uint8Array(frame.byteLength + 3);
    pool.set(frame, 3);
    const back = decodeFrame(pool.subarray(3)) as { w: Float32Array };
    expect([...back.w]).toEqual([0.25, 4]);
  });

  it('keeps a subarray view to its own bytes', () => {
    const big = Uint8Array.from({ length: 16 }, (_, i) => i);
    const back = decodeFrame(encodeFrame({ part: big.subarray(4, 8) })) as { part: Uint8Array };
    expect([...back.part]).toEqual([4, 5, 6, 7]);
  });
});
