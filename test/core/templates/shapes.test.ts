import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { parseVoc } from '../../../main/core/interchange/voc';
import { classificationDemo, detectionDemo, SHAPES } from '../../../main/core/templates/shapes';
import { tempDir } from '../../helpers/fixtures';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());
const temp = () => {
  const t = tempDir('template-');
  cleanup = t.cleanup;
  return t.dir;
};

describe('template demo data', () => {
  it('classification: one folder per shape, unlabeled images at the top, the same files for the same seed', async () => {
    const dir = temp();
    const summary = await classificationDemo(join(dir, 'a'), { perClass: 4, unlabeled: 2, seed: 3 });
    expect(summary).toMatchObject({ labeled: 12, unlabeled: 2, labels: [...SHAPES] });
    for (const shape of SHAPES) expect(readdirSync(join(dir, 'a', shape))).toHaveLength(4);
    expect(readdirSync(join(dir, 'a')).filter((f) => f.endsWith('.jpg'))).toHaveLength(2);
    await classificationDemo(join(dir, 'b'), { perClass: 4, unlabeled: 2, seed: 3 });
    expect(readFileSync(join(dir, 'b', 'square', 'square_002.jpg')).equals(readFileSync(join(dir, 'a', 'square', 'square_002.jpg')))).toBe(true);
  });

  it('detection: VOC sidecars whose boxes frame the drawn shapes; the last images unlabeled', async () => {
    const dir = temp();
    await detectionDemo(dir, { images: 6, unlabeled: 2, seed: 5 });
    const xml = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
    expect(xml).toEqual(['scene_001.xml', 'scene_002.xml', 'scene_003.xml', 'scene_004.xml']);
    for (const file of xml) {
      const ann = parseVoc(readFileSync(join(dir, file)));
      expect(ann.boxes.length).toBeGreaterThan(0);
      const { data, info } = await sharp(join(dir, file.replace('.xml', '.jpg'))).raw().toBuffer({ resolveWithObject: true });
      expect([ann.size?.width, ann.size?.height]).toEqual([info.width, info.height]);
      for (const b of ann.boxes) {
        expect(['circle', 'square']).toContain(b.label);
        // The shape is dark on a light background: its box's centre pixel is dark, a pixel just outside is not.
        const lum = (x: number, y: number) => {
          const o = (Math.round(y) * info.width + Math.round(x)) * 3;
          return 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
        };
        expect(lum((b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2)).toBeLessThan(lum(Math.max(0, b.xmin - 2), Math.max(0, b.ymin - 2)));
      }
    }
  });
});
