import { describe, expect, it } from 'vitest';
import { editDistance, evaluateOcr } from '../../../main/core/evaluation';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('abc', 'abxc')).toBe(1); // insertion
    expect(editDistance('abc', 'ac')).toBe(1); // deletion
    expect(editDistance('abc', 'axc')).toBe(1); // substitution
    expect(editDistance('kitten', 'sitting')).toBe(3); // k→s, e→i, +g
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('counts code points: a Chinese character or an emoji is one character', () => {
    expect(editDistance('识别中文', '识别文字')).toBe(2); // 中文 → 文字: delete 中, insert 字
    expect(editDistance('中文', '中')).toBe(1);
    expect(editDistance('👍ok', 'ok')).toBe(1); // two UTF-16 units, one character
    expect(editDistance('😀', '😁')).toBe(1); // same high surrogate, still one substitution
  });
});

describe('evaluateOcr', () => {
  it('computes CER over the set and exact-match line accuracy', () => {
    // 你好世界 → 你好世: 1 deletion; hello → hallo!: 1 substitution + 1 insertion; abc exact.
    // CER = (1 + 2 + 0) / (4 + 5 + 3) = 3/12; 1 of 3 lines exact.
    const r = evaluateOcr(['你好世界', 'hello', 'abc'], ['你好世', 'hallo!', 'abc']);
    expect(r).toEqual({ cer: 0.25, edits: 3, referenceChars: 12, lines: 3, exactMatches: 1, lineAccuracy: 1 / 3 });
  });

  it('leaves CER undefined without reference characters and rejects mismatched lengths', () => {
    expect(evaluateOcr([''], ['x'])).toMatchObject({ cer: null, edits: 1, referenceChars: 0, lineAccuracy: 0 });
    expect(evaluateOcr([], [])).toMatchObject({ cer: null, lines: 0, lineAccuracy: 0 });
    expect(() => evaluateOcr(['a'], [])).toThrow(/1 reference lines but 0/);
  });
});
