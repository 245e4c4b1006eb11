// Recognition metrics of the OCR trainer: character error rate (Levenshtein distance over Unicode
// code points divided by the reference length) and exact line accuracy. The arithmetic is the
// evaluation library's (main/core/evaluation/ocr.ts), so training, `evaluate` and the bench report
// the same numbers.

import { editDistance, evaluateOcr, type OcrEvaluation } from '../../evaluation/ocr';

export { editDistance, evaluateOcr, type OcrEvaluation };

export interface RecognitionScores {
  /** Σ edit distance / Σ reference characters; 0 when there are no reference characters and no output, 1 when only the output has characters. */
  cer: number;
  /** Lines recognised exactly, as a fraction of the lines (0 for no lines). */
  lineAccuracy: number;
  lines: number;
  edits: number;
  referenceChars: number;
}

/** CER and exact line accuracy of recognised lines against references (same order). */
export function recognitionScores(references: readonly string[], hypotheses: readonly string[]): RecognitionScores {
  const e = evaluateOcr(references, hypotheses);
  return {
    cer: e.cer ?? (e.edits > 0 ? 1 : 0),
    lineAccuracy: e.lineAccuracy,
    lines: e.lines,
    edits: e.edits,
    referenceChars: e.referenceChars,
  };
}

/** Character error rate alone. */
export function characterErrorRate(references: readonly string[], hypotheses: readonly string[]): number {
  return recognitionScores(references, hypotheses).cer;
}

/** Exact line accuracy alone. */
export function lineAccuracy(references: readonly string[], hypotheses: readonly string[]): number {
  return recognitionScores(references, hypotheses).lineAccuracy;
}
