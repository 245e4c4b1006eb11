// One message of the browser training host's protocol in one binary WebSocket frame: a JSON header
// and the message's binary parts (decoded pixels, model weights) after it, so they cross as raw
// bytes, not as JSON numbers. Received parts are views into the frame, not copies. Runs in Node
// and in browsers alike (DataView, TextEncoder).

const ALIGN = 8;
const TYPED = {
  Uint8Array,
  Int32Array,
  Float32Array,
} as const;
type TypedName = keyof typeof TYPED;

interface BinRef {
  $bin: number;
  /** ArrayBuffer, or the typed array's constructor. */
  as: TypedName | 'ArrayBuffer';
}

const pad = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

function isBinRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && typeof (v as BinRef).$bin === 'number' && typeof (v as BinRef).as === 'string';
}

/** Encodes `message` (plain JSON values, ArrayBuffers and Uint8/Int32/Float32 arrays) into one frame. */
export function encodeFrame(message: unknown): ArrayBuffer {
  const parts: Uint8Array[] = [];
  const json = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    if (value instanceof ArrayBuffer) {
      parts.push(new Uint8Array(value));
      return { $bin: parts.length - 1, as: 'ArrayBuffer' } satisfies BinRef;
    }
    for (const name of Object.keys(TYPED) as TypedName[]) {
      if (value instanceof TYPED[name]) {
        const v = value as Uint8Array | Int32Array | Float32Array;
        parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        return { $bin: parts.length - 1, as: name } satisfies BinRef;
      }
    }
    return value;
  });
  const header = new TextEncoder().encode(json);
  const offsets: number[] = [];
  let at = pad(8 + header.byteLength);
  for (const p of parts) {
    offsets.push(at);
    at = pad(at + p.byteLength);
  }
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.byteLength, true);
  view.setUint32(4, parts.length, true);
  out.set(header, 8);
  // The part table follows the JSON header's padding: offset and length of each part.
  const table = new Uint8Array(parts.length * 8);
  const tv = new DataView(table.buffer);
  parts.forEach((p, i) => {
    tv.setUint32(i * 8, offsets[i]!, true);
    tv.setUint32(i * 8 + 4, p.byteLength, true);
    out.set(p, offsets[i]!);
  });
  // Appended, so a frame is [counts][JSON][parts][table]; the table is small.
  const framed = new Uint8Array(out.byteLength + table.byteLength);
  framed.set(out);
  framed.set(table, out.byteLength);
  return framed.buffer;
}

/** Decodes a frame made by encodeFrame; binary parts come back as views of `frame`. */
export function decodeFrame(frame: ArrayBuffer | Uint8Array): unknown {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  const tableAt = bytes.byteLength - count * 8;
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  // A Node Buffer may sit at any offset in a shared pool: copy once to an aligned buffer if needed.
  const aligned = bytes.byteOffset % ALIGN === 0 ? bytes : bytes.slice();
  const base = aligned.byteOffset;
  return JSON.parse(header, (_key, value: unknown) => {
    if (!isBinRef(value)) return value;
    const at = view.getUint32(tableAt + value.$bin * 8, true);
    const length = view.getUint32(tableAt + value.$bin * 8 + 4, true);
    if (value.as === 'ArrayBuffer') return (aligned.buffer as ArrayBuffer).slice(base + at, base + at + length);
    const T = TYPED[value.as];
    return new T(aligned.buffer as ArrayBuffer, base + at, length / T.BYTES_PER_ELEMENT);
  }) as unknown;
}
