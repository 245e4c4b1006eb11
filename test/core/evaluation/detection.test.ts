// Detection metrics on small cases worked out by hand. Boxes are [xmin, ymin, xmax, ymax]; VOC areas
// count pixels inclusively, so [0, 0, 9, 9] is 10 × 10 = 100 pixels.

import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  cocoIoU,
  evaluateDetections,
  vocIoU,
  type Detection,
  type GroundTruthBox,
} from '../../../main/core/evaluation';

type Coords = [number, number, number, number];

function obj(label: string, [xmin, ymin, xmax, ymax]: Coords, difficult = false): GroundTruthBox {
  return { label, xmin, ymin, xmax, ymax, difficult };
}

function det(image: string, label: string, score: number, [xmin, ymin, xmax, ymax]: Coords): Detection {
  return { image, label, score, xmin, ymin, xmax, ymax };
}

const gt = (entries: Record<string, GroundTruthBox[]>) => new Map(Object.entries(entries));

describe('evaluateDetections (VOC)', () => {
  it('scores a single perfect detection AP 1', () => {
    const r = evaluateDetections(gt({ a: [obj('dog', [10, 10, 49, 49])] }), [det('a', 'dog', 0.9, [10, 10, 49, 49])]);
    expect(r.classes['dog']).toMatchObject({ ap: 1, tp: 1, fp: 0, positives: 1, precision: [1], recall: [1], scores: [0.9], cocoAP: 1 });
    expect(r).toMatchObject({ mAP: 1, cocoMAP: 1, iou: 0.5, interp: 'all', images: 1, detections: 1 });
  });

  it('ranks equal scores in input order', () => {
    const truth = gt({ a: [obj('dog', [0, 0, 9, 9])] });
    const miss = det('a', 'dog', 0.8, [50, 50, 59, 59]);
    const hit = det('a', 'dog', 0.8, [0, 0, 9, 9]);
    // miss first: precision 0/1 then 1/2 at recall 0 then 1; the envelope at recall 1 is 0.5, so AP = 1 · 0.5.
    const missFirst = evaluateDetections(truth, [miss, hit]).classes['dog']!;
    expect(missFirst).toMatchObject({ ap: 0.5, precision: [0, 0.5], recall: [0, 1] });
    // hit first: precision 1 at recall 1 straight away, AP 1.
    const hitFirst = evaluateDetections(truth, [hit, miss]).classes['dog']!;
    expect(hitFirst).toMatchObject({ ap: 1, precision: [1, 0.5], recall: [1, 1] });
  });

  it('counts a second detection of a matched object as FP', () => {
    // IoU of the duplicate: 100·99 / (100·100 + 100·99 − 100·99) = 0.99.
    const r = evaluateDetections(gt({ a: [obj('dog', [0, 0, 99, 99])] }), [
      det('a', 'dog', 0.9, [0, 0, 99, 99]),
      det('a', 'dog', 0.8, [0, 0, 99, 98]),
    ]);
    expect(r.classes['dog']).toMatchObject({ ap: 1, tp: 1, fp: 1, precision: [1, 0.5], recall: [1, 1] });
  });

  it('matches the highest-IoU object even when it is taken (devkit), while COCO moves on to the next', () => {
    // A = [0,0,99,99], B = [20,0,119,99]. The second detection [5,0,104,99]:
    //   VOC IoU with A = 95·100 / (2·10000 − 9500) = 0.905, with B = 85·100 / (20000 − 8500) = 0.739.
    // A is taken, so VOC calls it a duplicate (FP) although B is free: tp 1, fp 1 of 2 positives,
    // precision [1, 0.5], recall [0.5, 0.5], AP = 0.5 · 1 = 0.5.
    // COCO IoU with B (continuous) = 84·99 / (2·9801 − 8316) = 0.7368: a TP at thresholds .50–.70
    // (AP 1 there), a FP at .75–.95, where precision 1 holds up to recall 0.5 (51 of the 101 recall
    // points): COCO AP = (5·101 + 5·51) / 1010 = 76/101.
    const r = evaluateDetections(gt({ a: [obj('dog', [0, 0, 99, 99]), obj('dog', [20, 0, 119, 99])] }), [
      det('a', 'dog', 0.9, [0, 0, 99, 99]),
      det('a', 'dog', 0.8, [5, 0, 104, 99]),
    ]);
    expect(r.classes['dog']).toMatchObject({ ap: 0.5, tp: 1, fp: 1, positives: 2, precision: [1, 0.5], recall: [0.5, 0.5] });
    expect(r.classes['dog']!.cocoAP).toBeCloseTo(76 / 101, 14);
  });

  it('ignores detections of difficult objects, which are not positives', () => {
    const truth = gt({ a: [obj('dog', [0, 0, 99, 99]), obj('dog', [200, 200, 299, 299], true)] });
    const onObject = det('a', 'dog', 0.9, [0, 0, 99, 99]);
    const onDifficult = det('a', 'dog', 0.8, [200, 200, 299, 299]);
    const miss = det('a', 'dog', 0.7, [400, 400, 409, 409]);
    // Ranked: TP, ignored, FP → precision [1, 0.5] at recall [1, 1] over 1 positive; AP 1.
    const withIt = evaluateDetections(truth, [onObject, onDifficult, miss]).classes['dog']!;
    expect(withIt).toMatchObject({ ap: 1, tp: 1, fp: 1, ignored: 1, positives: 1, difficult: 1, detections: 3 });
    expect(withIt).toMatchObject({ precision: [1, 0.5], recall: [1, 1], scores: [0.9, 0.7], cocoAP: 1 });
    // The detection on the difficult object changes nothing.
    const without = evaluateDetections(truth, [onObject, miss]).classes['dog']!;
    expect({ ...without, ignored: 1, detections: 3 }).toEqual(withIt);
  });

  it('leaves a class whose objects are all difficult out of mAP', () => {
    const r = evaluateDetections(gt({ a: [obj('dog', [0, 0, 9, 9]), obj('cat', [20, 20, 29, 29], true)] }), [
      det('a', 'dog', 0.9, [0, 0, 9, 9]),
    ]);
    expect(r.classes['cat']).toMatchObject({ ap: null, cocoAP: null, positives: 0, difficult: 1 });
    expect(r.mAP).toBe(1);
  });

  it('scores a class with objects but no detections AP 0, counted in mAP', () => {
    const r = evaluateDetections(gt({ a: [obj('cat', [0, 0, 9, 9]), obj('dog', [20, 20, 29, 29])] }), [
      det('a', 'cat', 1, [0, 0, 9, 9]),
    ]);
    expect(r.classes['dog']).toEqual({
      ap: 0, tp: 0, fp: 0, ignored: 0, positives: 1, difficult: 0, detections: 0, precision: [], recall: [], scores: [], cocoAP: 0,
    });
    // (cat 1 + dog 0) / 2
    expect(r.mAP).toBe(0.5);
    expect(r.cocoMAP).toBe(0.5);
  });

  it('counts detections on images without objects, or unknown ones, as FP; lists classes without objects', () => {
    const truth = gt({ a: [obj('cat', [0, 0, 9, 9])], empty: [] });
    const r = evaluateDetections(truth, [
      det('a', 'cat', 0.9, [0, 0, 9, 9]),
      det('empty', 'cat', 0.95, [0, 0, 9, 9]),
      det('ghost', 'cat', 0.5, [0, 0, 9, 9]),
      det('a', 'bird', 0.4, [0, 0, 9, 9]),
    ]);
    // cat ranked: empty (FP), a (TP), ghost (FP) → precision [0, 1/2, 1/3], recall [0, 1, 1]; AP = 1 · 1/2.
    expect(r.classes['cat']).toMatchObject({ ap: 0.5, tp: 1, fp: 2, positives: 1 });
    expect(r.classes['cat']!.precision).toEqual([0, 0.5, 1 / 3]);
    // bird has no objects: its detection is a FP, its AP undefined, and it is not in mAP.
    expect(r.classes['bird']).toMatchObject({ ap: null, tp: 0, fp: 1, positives: 0, precision: [0], recall: [0] });
    expect(r.mAP).toBe(0.5);
    expect(r).toMatchObject({ images: 2, detections: 4, unknownImages: { images: 1, detections: 1 } });
  });

  it('computes 11-point and all-point AP, which differ', () => {
    // 3 objects; ranked TP, FP, TP, FP, TP:
    //   precision 1, 1/2, 2/3, 1/2, 3/5 at recall 1/3, 1/3, 2/3, 2/3, 1.
    // All-point: envelope 1 on (0, 1/3], 2/3 on (1/3, 2/3], 3/5 on (2/3, 1]:
    //   AP = 1/3 + 2/9 + 1/5 = 34/45 = 0.7556.
    // 11-point: levels 0–0.3 → 1 (4 levels), 0.4–0.6 → 2/3 (3), 0.7–1 → 3/5 (4):
    //   AP = (4 + 2 + 2.4) / 11 = 42/55 = 0.7636.
    const truth = gt({ a: [obj('dog', [0, 0, 9, 9]), obj('dog', [20, 0, 29, 9]), obj('dog', [40, 0, 49, 9])] });
    const miss = (score: number) => det('a', 'dog', score, [100, 100, 109, 109]);
    const dets = [det('a', 'dog', 0.9, [0, 0, 9, 9]), miss(0.8), det('a', 'dog', 0.7, [20, 0, 29, 9]), miss(0.6), det('a', 'dog', 0.5, [40, 0, 49, 9])];
    expect(evaluateDetections(truth, dets).classes['dog']!.ap).toBeCloseTo(34 / 45, 15);
    expect(evaluateDetections(truth, dets, { interp: '11' }).classes['dog']!.ap).toBeCloseTo(42 / 55, 15);
  });

  it('places the 11 recall levels where np.arange(0, 1.1, 0.1) does', () => {
    // 5 positives; precision 1, 1, 1 at recall 0.2, 0.4, 0.6, then 4/5 at recall 0.8. Level 6 is
    // 0.6000000000000001, just above 3/5, so it takes 4/5: (6·1 + 3·0.8 + 2·0) / 11 = 8.4/11.
    expect(averagePrecision([0.2, 0.4, 0.6, 0.8], [1, 1, 1, 0.8], '11')).toBeCloseTo(8.4 / 11, 15);
  });

  it('uses inclusive pixel coordinates: IoU exactly 0.5 matches at 0.5', () => {
    // Object [0,0,9,9] = 100 px; detection [0,0,9,4] = 10·5 = 50 px inside it: IoU 50/100 = 0.5 >= 0.5.
    // With continuous coordinates (COCO) it is 9·4 / (9·9) = 0.444, below every COCO threshold.
    const object = obj('dog', [0, 0, 9, 9]);
    const half = det('a', 'dog', 1, [0, 0, 9, 4]);
    expect(vocIoU(half, object)).toBe(0.5);
    expect(cocoIoU(half, object)).toBe(36 / 81);
    const r = evaluateDetections(gt({ a: [object] }), [half]);
    expect(r.classes['dog']).toMatchObject({ ap: 1, tp: 1, fp: 0, cocoAP: 0 });
    // One pixel row less: 40/100 = 0.4, a FP.
    expect(evaluateDetections(gt({ a: [object] }), [det('a', 'dog', 1, [0, 0, 9, 3])]).classes['dog']).toMatchObject({ ap: 0, fp: 1 });
    // A threshold just above 0.5 rejects the first one.
    expect(evaluateDetections(gt({ a: [object] }), [half], { iou: 0.51 }).classes['dog']).toMatchObject({ ap: 0, fp: 1 });
  });

  it('treats difficult objects as COCO crowd regions, measured against the detection area', () => {
    // A small detection inside a difficult object: VOC IoU 21² / 101² = 0.043, a FP; COCO crowd IoU
    // 20² / 20² = 1, ignored. With the exact detection of the other object ranked after it:
    // VOC precision [0, 1/2] at recall [0, 1], AP 0.5; COCO AP 1.
    const truth = gt({ a: [obj('dog', [0, 0, 100, 100], true), obj('dog', [200, 200, 299, 299])] });
    const inside = det('a', 'dog', 0.9, [10, 10, 30, 30]);
    expect(cocoIoU(inside, truth.get('a')![0]!, true)).toBe(1);
    const r = evaluateDetections(truth, [inside, det('a', 'dog', 0.5, [200, 200, 299, 299])]);
    expect(r.classes['dog']).toMatchObject({ ap: 0.5, tp: 1, fp: 1, cocoAP: 1 });
  });

  it('rejects a threshold outside (0, 1] and non-finite numbers', () => {
    const truth = gt({ a: [obj('dog', [0, 0, 9, 9])] });
    expect(() => evaluateDetections(truth, [], { iou: 0 })).toThrow(/IoU threshold/);
    expect(() => evaluateDetections(truth, [det('a', 'dog', Number.NaN, [0, 0, 9, 9])])).toThrow(/detection 1: score/);
    expect(() => evaluateDetections(truth, [det('a', 'dog', 1, [0, 0, Infinity, 9])])).toThrow(/detection 1: xmax/);
  });
});
