// The recognizer's alphabet, learned from the transcriptions: every distinct character (Unicode code
// point after NFC normalisation, so a Chinese character, a digit or an accented letter is one
// symbol) in code-point order. Class 0 is the CTC blank; character i of `chars` is class i + 1.
// The order depends only on the set of characters, never on the order the texts came in, so the
// same data always gives the same classes.

import { StudioError } from '../../../shared/api';

export const BLANK = 0;

/** How the charset is stored in a model's metadata. */
export interface CharsetJson {
  /** The characters, class 1 onwards (class 0 is the blank). */
  chars: string[];
}

/** Splits a transcription into the recognizer's symbols: NFC code points. */
export function symbols(text: string): string[] {
  return Array.from(text.normalize('NFC'));
}

export class Charset {
  readonly chars: readonly string[];
  private readonly index: ReadonlyMap<string, number>;

  private constructor(chars: readonly string[]) {
    this.chars = chars;
    this.index = new Map(chars.map((c, i) => [c, i + 1]));
  }

  /** Every character of the texts, in code-point order. Line breaks and other control characters are left out. */
  static fromTexts(texts: Iterable<string>): Charset {
    const set = new Set<string>();
    for (const text of texts) for (const ch of symbols(text)) if (!isControl(ch)) set.add(ch);
    return new Charset([...set].sort(byCodePoint));
  }

  /** The charset of a saved model (`labels` of its metadata, or `toJSON()`). */
  static fromChars(chars: readonly string[]): Charset {
    const seen = new Set<string>();
    for (const ch of chars) {
      if (Array.from(ch).length !== 1) throw new StudioError('invalid_input', `charset entry ${JSON.stringify(ch)} is not one character`, 'charset');
      if (seen.has(ch)) throw new StudioError('invalid_input', `charset entry ${JSON.stringify(ch)} appears twice`, 'charset');
      seen.add(ch);
    }
    return new Charset([...chars]);
  }

  static fromJSON(json: CharsetJson): Charset {
    return Charset.fromChars(json.chars);
  }

  toJSON(): CharsetJson {
    return { chars: [...this.chars] };
  }

  /** Classes of the network's output: the characters plus the blank. */
  get classes(): number {
    return this.chars.length + 1;
  }

  has(ch: string): boolean {
    return this.index.has(ch);
  }

  /** Characters of `text` that are not in the charset (each once, in order of appearance). */
  unknown(text: string): string[] {
    const out = new Set<string>();
    for (const ch of symbols(text)) if (!this.index.has(ch) && !isControl(ch)) out.add(ch);
    return [...out];
  }

  /**
   * Class indices of a text (never the blank). Control characters are dropped; an unknown
   * character throws unless `skipUnknown`, which drops it.
   */
  encode(text: string, skipUnknown = false): number[] {
    const out: number[] = [];
    for (const ch of symbols(text)) {
      if (isControl(ch)) continue;
      const k = this.index.get(ch);
      if (k !== undefined) out.push(k);
      else if (!skipUnknown) throw new StudioError('invalid_input', `character ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is not in the charset`, 'text');
    }
    return out;
  }

  /** Text of class indices; the blank and out-of-range indices give nothing. */
  decode(label: Iterable<number>): string {
    let s = '';
    for (const k of label) if (k >= 1 && k <= this.chars.length) s += this.chars[k - 1]!;
    return s;
  }
}

function byCodePoint(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}

function isControl(ch: string): boolean {
  return /\p{Cc}/u.test(ch);
}
