import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateDetections } from '../../../main/core/evaluation';
import { loadDetections, loadVocFolder, parseDetections } from '../../../main/core/evaluation/load';
import { SHARED_MISSING, sharedDataset, tempDir, vocXml } from '../../helpers/fixtures';

const tmp = tempDir('autolearn-eval-load-');
afterAll(() => tmp.cleanup());

describe('loadVocFolder', () => {
  it('keys the XML files directly in the folder by base name, skipping hidden files and sub-folders', async () => {
    const dir = join(tmp.dir, 'gt');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'b.xml'), vocXml('b.jpg', 100, 100, [['dog', 1, 2, 30, 40]]));
    await writeFile(join(dir, 'a.XML'), vocXml('a.jpg', 100, 100, []));
    await writeFile(join(dir, '._a.xml'), 'macOS resource fork, not XML');
    await writeFile(join(dir, 'sub', 'c.xml'), vocXml('c.jpg', 100, 100, []));
    await writeFile(join(dir, 'a.jpg'), 'not read');
    const gt = await loadVocFolder(dir);
    expect([...gt.keys()]).toEqual(['a', 'b']);
    expect(gt.get('b')).toEqual([{ label: 'dog', xmin: 1, ymin: 2, xmax: 30, ymax: 40, difficult: false, truncated: false }]);
  });

  it('names the file and the reason for a malformed XML, and the folder when there is none', async () => {
    const dir = join(tmp.dir, 'bad');
    await mkdir(dir);
    await writeFile(join(dir, 'ok.xml'), vocXml('ok.jpg', 10, 10, []));
    await writeFile(join(dir, 'broken.xml'), '<annotation><object></annotation>');
    await expect(loadVocFolder(dir)).rejects.toThrow(`${join(dir, 'broken.xml')}: malformed XML at line 1`);
    await expect(loadVocFolder(join(tmp.dir, 'missing'))).rejects.toMatchObject({ code: 'not_found', field: 'gt' });
    await mkdir(join(tmp.dir, 'empty'));
    await expect(loadVocFolder(join(tmp.dir, 'empty'))).rejects.toThrow(/no \.xml files/);
  });
});

describe('parseDetections', () => {
  const line = (o: object) => JSON.stringify({ image: 'a', label: 'dog', score: 0.5, xmin: 1, ymin: 2, xmax: 3, ymax: 4, ...o });

  it('reads JSON lines (blank lines and CRLF allowed) and JSON arrays, ignoring extra keys', () => {
    const expected = { image: 'a', label: 'dog', score: 0.5, xmin: 1, ymin: 2, xmax: 3, ymax: 4 };
    expect(parseDetections(`${line({ extra: 1 })}\r\n\r\n${line({})}\n`, 'p.jsonl')).toEqual([expected, expected]);
    expect(parseDetections(`\uFEFF [${line({})}]`, 'p.json')).toEqual([expected]);
  });

  it('names the line (or item) and the field at fault', () => {
    const text = [line({}), '', line({ score: '0.9' })].join('\n');
    expect(() => parseDetections(text, 'p.jsonl')).toThrow('p.jsonl: line 3: "score" must be a number');
    expect(() => parseDetections(`${line({})}\n{oops`, 'p.jsonl')).toThrow(/^p\.jsonl: line 2: not valid JSON/);
    expect(() => parseDetections(line({ image: '' }), 'p.jsonl')).toThrow('p.jsonl: line 1: "image" must be a non-empty string');
    expect(() => parseDetections(line({ xmax: 0 }), 'p.jsonl')).toThrow('p.jsonl: line 1: "xmax" (0) is less than "xmin" (1)');
    expect(() => parseDetections(`[${line({})}, 3]`, 'p.json')).toThrow('p.json: item 2: expected an object');
  });

  it('reports a missing predictions file as not found', async () => {
    await expect(loadDetections(join(tmp.dir, 'none.jsonl'))).rejects.toMatchObject({ code: 'not_found', field: 'pred' });
  });
});

describe('the kangaroo set against itself', () => {
  const kangaroo = sharedDataset('kangaroo');

  it.skipIf(!kangaroo)(`scores mAP 1 (${kangaroo ? 'kangaroo found' : SHARED_MISSING})`, async () => {
    const gt = await loadVocFolder(kangaroo!);
    const detections = [...gt].flatMap(([image, boxes]) => boxes.map((b) => ({ ...b, image, score: 1 })));
    expect(gt.size).toBe(164);
    expect(detections).toHaveLength(266);
    const all = evaluateDetections(gt, detections);
    expect(all).toMatchObject({ mAP: 1, cocoMAP: 1, images: 164, detections: 266 });
    expect(all.classes['kangaroo']).toMatchObject({ tp: 266, fp: 0, positives: 266 });
    // 11 × (1/11) adds up to 1 + 2⁻⁵², as in the devkit.
    expect(evaluateDetections(gt, detections, { interp: '11' }).mAP).toBeCloseTo(1, 15);
  });
});
