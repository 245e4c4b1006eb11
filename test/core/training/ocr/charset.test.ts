import { describe, expect, it } from 'vitest';
import { BLANK, Charset, symbols } from '../../../../main/core/training/ocr/charset';

describe('charset', () => {
  it('learns every character of the transcriptions in code-point order, class 0 being the blank', () => {
    const cs = Charset.fromTexts(['6222 0212', '张三', 'ZHANG SAN', '12/28']);
    expect(BLANK).toBe(0);
    expect(cs.chars).toEqual([' ', '/', '0', '1', '2', '6', '8', 'A', 'G', 'H', 'N', 'S', 'Z', '三', '张']);
    expect(cs.classes).toBe(cs.chars.length + 1);
    expect(cs.encode('62')).toEqual([6, 5]);
    expect(cs.decode(cs.encode('张三 12/28'))).toBe('张三 12/28');
  });

  it('does not depend on the order or repetition of the texts', () => {
    const a = Charset.fromTexts(['工商银行', '6222', 'ABC']);
    const b = Charset.fromTexts(['ABC', 'ABC', '6222', '银行工商']);
    expect(a.chars).toEqual(b.chars);
  });

  it('counts code points, not UTF-16 units: supplementary characters are one symbol', () => {
    // U+20000 (CJK Extension B) and U+1F600 are surrogate pairs in JS strings.
    const text = '𠀀a😀';
    expect(text.length).toBe(5);
    expect(symbols(text)).toEqual(['𠀀', 'a', '😀']);
    const cs = Charset.fromTexts([text]);
    expect(cs.chars).toHaveLength(3);
    expect(cs.encode(text)).toHaveLength(3);
    expect(cs.decode(cs.encode(text))).toBe(text);
  });

  it('normalises to NFC so a decomposed accent is the same symbol as the precomposed one', () => {
    const nfd = 'e\u0301';
    const nfc = '\u00e9';
    const cs = Charset.fromTexts([nfd]);
    expect(cs.chars).toEqual([nfc]);
    expect(cs.encode(nfc)).toEqual(cs.encode(nfd));
  });

  it('drops control characters, rejects or skips unknown characters', () => {
    const cs = Charset.fromTexts(['ab\n\tc']);
    expect(cs.chars).toEqual(['a', 'b', 'c']);
    expect(cs.encode('a\nb')).toEqual([1, 2]);
    expect(() => cs.encode('abz')).toThrow(/"z" \(U\+007A\) is not in the charset/);
    expect(cs.encode('abz', true)).toEqual([1, 2]);
    expect(cs.unknown('zaz银')).toEqual(['z', '银']);
    expect(cs.has('a')).toBe(true);
  });

  it('decoding ignores the blank and out-of-range classes', () => {
    const cs = Charset.fromTexts(['ab']);
    expect(cs.decode([0, 1, 0, 2, 3, -1])).toBe('ab');
  });

  it('serialises into model metadata and back', () => {
    const cs = Charset.fromTexts(['中国银行 6222', 'VALID THRU 12/28']);
    const json = JSON.parse(JSON.stringify(cs)) as { chars: string[] };
    const back = Charset.fromJSON(json);
    expect(back.chars).toEqual(cs.chars);
    expect(back.encode('中国 12')).toEqual(cs.encode('中国 12'));
    // The chars list doubles as a model's `labels`.
    expect(Charset.fromChars([...cs.chars]).classes).toBe(cs.classes);
    expect(() => Charset.fromChars(['a', 'a'])).toThrow(/twice/);
    expect(() => Charset.fromChars(['ab'])).toThrow(/not one character/);
  });
});
