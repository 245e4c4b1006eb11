// OCR (text recognition) metrics. Pure functions.

import { StudioError } from '../../shared/api';

export interface OcrEvaluation {
  /** Character error rate: total edit distance / total reference length; null when the references hold no character. */
  cer: number | null;
  /** Total edit distance (insertions + deletions + substitutions) over all lines. */
  edits: number;
  /** Total reference length in code points. */
  referenceChars: number;
  lines: number;
  /** Lines recognized exactly (the strings are identical). */
  exactMatches: number;
  /** exactMatches / lines; 0 for no lines. */
  lineAccuracy: number;
}

/**
 * Levenshtein distance counted in Unicode code points: a Chinese character or a single-code-point
 * emoji is one character, a surrogate pair never two. No normalization is applied (NFC "é" is one
 * code point, NFD "é" two) and a multi-code-point emoji (ZWJ sequences, flags, skin tones) counts
 * each code point: normalize beforehand where that matters.
 */
export function editDistance(a: string, b: string): number {
  let s = Array.from(a, (ch) => ch.codePointAt(0)!);
  let t = Array.from(b, (ch) => ch.codePointAt(0)!);
  // A shared prefix and suffix cost nothing; trimming them keeps the table small for near-misses.
  let start = 0;
  while (start < s.length && start < t.length && s[start] === t[start]) start++;
  let end = 0;
  while (end < s.length - start && end < t.length - start && s[s.length - 1 - end] === t[t.length - 1 - end]) end++;
  s = s.slice(start, s.length - end);
  t = t.slice(start, t.length - end);
  if (s.length === 0 || t.length === 0) return s.length + t.length;

  // Two rows of the DP table: prev[j] is the distance between s[0, i) and t[0, j).
  let prev = Uint32Array.from({ length: t.length + 1 }, (_, j) => j);
  let row = new Uint32Array(t.length + 1);
  for (let i = 1; i <= s.length; i++) {
    row[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const substitution = prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1);
      row[j] = Math.min(substitution, prev[j]! + 1, row[j - 1]! + 1);
    }
    [prev, row] = [row, prev];
  }
  return prev[t.length]!;
}

/** Scores recognized lines against reference lines (same length, same order). */
export function evaluateOcr(references: readonly string[], hypotheses: readonly string[]): OcrEvaluation {
  if (references.length !== hypotheses.length) {
    throw new StudioError('invalid_input', `${references.length} reference lines but ${hypotheses.length} recognized lines`, 'hypotheses');
  }
  let edits = 0;
  let referenceChars = 0;
  let exactMatches = 0;
  for (const [i, reference] of references.entries()) {
    const hypothesis = hypotheses[i]!;
    edits += editDistance(reference, hypothesis);
    for (const _ of reference) referenceChars++;
    if (reference === hypothesis) exactMatches++;
  }
  return {
    cer: referenceChars === 0 ? null : edits / referenceChars,
    edits,
    referenceChars,
    lines: references.length,
    exactMatches,
    lineAccuracy: references.length === 0 ? 0 : exactMatches / references.length,
  };
}
