// The wire format of an AutoLearning model deployed on PAI-EAS (seed 004, 步骤六 "调用模型"):
// the request body, the success and error bodies byte-for-byte (key order included), and the
// error codes with their errorMsg strings. Shared by the local service and the exported processor.

import type { EasResult } from '../../shared/api';

/** Seed 004's error table: code → errorMsg. */
export const EAS_ERRORS = {
  /** Invalid JSON, no dataArray, no body or a body that is not base64. */
  '1001': 'INPUT_FORMAT_ERROR',
  /** The bytes are not an image (JPEG, PNG, BMP…). */
  '1002': 'IMAGE_DECODE_ERROR',
  /** Anything unexpected on the server. */
  '2001': 'UNKNOWN_ERROR',
  /** No instance free: the request queue is full. */
  '2002': 'GET_INSTANCE_ERROR',
  /** The model failed on the image. */
  '2003': 'MODEL_FORWARD_ERROR',
} as const;
export type EasErrorCode = keyof typeof EAS_ERRORS;

/**
 * HTTP status sent with each error body. The seed gives only the JSON; these follow EAS's own
 * status codes (400: bad request body; 5xx: server side). 2002 is 503 so the EAS SDKs, which retry
 * 5xx, retry a full queue a few times.
 */
export const EAS_ERROR_STATUS: Record<EasErrorCode, number> = { '1001': 400, '1002': 400, '2001': 500, '2002': 503, '2003': 500 };

/** A request that fails with one of the seed's error codes; `detail` says why (sent in a header, logged). */
export class EasError extends Error {
  constructor(
    readonly code: EasErrorCode,
    readonly detail: string,
  ) {
    super(`${code} ${EAS_ERRORS[code]}: ${detail}`);
    this.name = 'EasError';
  }
}

/** `{"success":true,"result":{"output":[…],"meta":{"height":H,"width":W}}}`, keys in the seed's order. */
export function successBody(result: EasResult): string {
  return JSON.stringify({
    success: true,
    result: {
      output: result.output.map((o) => ({ type: o.type, body: o.body })),
      meta: { height: result.meta.height, width: result.meta.width },
    },
  });
}

/** `{"success":false,"errorCode":"1001","errorMsg":"INPUT_FORMAT_ERROR"}`. */
export function errorBody(code: EasErrorCode): string {
  return JSON.stringify({ success: false, errorCode: code, errorMsg: EAS_ERRORS[code] });
}

// Standard or URL-safe alphabet, padded or not; line breaks (MIME wrapping) are allowed.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$|^[A-Za-z0-9_-]*={0,2}$/;

/**
 * The image bytes of a request body `{"dataArray":[{"name":"image","type":"stream","body":"<base64>"}]}`.
 * `name` and `type` are optional (the seed: type defaults to "stream" and cannot change). The entry
 * named "image" is used, else the first one. Throws EasError 1001 naming the field and the reason.
 */
export function parseRequest(raw: Buffer): Buffer {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new EasError('1001', `request body is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new EasError('1001', 'request body must be a JSON object with a "dataArray" field');
  const dataArray = (json as Record<string, unknown>).dataArray;
  if (dataArray === undefined) throw new EasError('1001', 'missing field "dataArray"');
  if (!Array.isArray(dataArray) || dataArray.length === 0) throw new EasError('1001', '"dataArray" must be a non-empty array');
  let index = dataArray.findIndex((d) => d !== null && typeof d === 'object' && (d as Record<string, unknown>).name === 'image');
  if (index < 0) index = 0;
  const item = dataArray[index] as unknown;
  const field = `dataArray[${index}]`;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new EasError('1001', `${field} must be an object {"name","type","body"}`);
  const { name, type, body } = item as Record<string, unknown>;
  if (name !== undefined && typeof name !== 'string') throw new EasError('1001', `${field}.name must be a string`);
  if (type !== undefined && type !== 'stream') throw new EasError('1001', `${field}.type must be "stream" (got ${JSON.stringify(type)})`);
  if (body === undefined) throw new EasError('1001', `missing field ${field}.body`);
  if (typeof body !== 'string' || body.length === 0) throw new EasError('1001', `${field}.body must be a non-empty base64 string`);
  const compact = body.includes('\n') || body.includes('\r') ? body.replace(/\r?\n/g, '') : body;
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) throw new EasError('1001', `${field}.body is not base64`);
  const bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
  if (bytes.length === 0) throw new EasError('1001', `${field}.body decodes to no bytes`);
  return bytes;
}
