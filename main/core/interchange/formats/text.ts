import { readFile } from 'node:fs/promises';

/** A UTF-8 text file without the byte-order mark Windows editors put first (it would stick to the first name or number). */
export async function readText(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
}
