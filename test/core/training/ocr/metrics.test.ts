import { describe, expect, it } from 'vitest';
import { characterErrorRate, editDistance, lineAccuracy, recognitionScores } from '../../../../main/core/training/ocr/metrics';

describe('recognition metrics', () => {
  it('CER = total Levenshtein distance over code points / total reference characters', () => {
    // "6222 0212" vs "6222 0213": 1 substitution; "张三" vs "张": 1 deletion; "12/28" exact.
    const refs = ['6222 0212', '张三', '12/28'];
    const hyps = ['6222 0213', '张', '12/28'];
    expect(editDistance(refs[0]!, hyps[0]!)).toBe(1);
    expect(editDistance('张三', '张')).toBe(1);
    const s = recognitionScores(refs, hyps);
    expect(s.edits).toBe(2);
    expect(s.referenceChars).toBe(9 + 2 + 5);
    expect(s.cer).toBeCloseTo(2 / 16, 12);
    expect(s.lineAccuracy).toBeCloseTo(1 / 3, 12);
    expect(characterErrorRate(refs, hyps)).toBe(s.cer);
    expect(lineAccuracy(refs, hyps)).toBe(s.lineAccuracy);
  });

  it('insertions count too, so CER can exceed 1', () => {
    expect(characterErrorRate(['ab'], ['xxabyy'])).toBe(2);
    expect(characterErrorRate(['ab'], [''])).toBe(1);
  });

  it('a surrogate pair is one character', () => {
    expect(editDistance('𠀀', '𠀁')).toBe(1);
    expect(recognitionScores(['𠀀a'], ['a']).referenceChars).toBe(2);
  });

  it('edge cases: no lines, empty references', () => {
    expect(recognitionScores([], [])).toMatchObject({ cer: 0, lineAccuracy: 0, lines: 0 });
    expect(recognitionScores([''], [''])).toMatchObject({ cer: 0, lineAccuracy: 1 });
    expect(recognitionScores([''], ['x']).cer).toBe(1);
    expect(() => recognitionScores(['a'], [])).toThrow();
  });
});
