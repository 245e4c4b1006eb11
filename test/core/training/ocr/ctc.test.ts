import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradients of the core ops
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../main/core/datasets/split';
import { IMPOSSIBLE_LOSS, collapse, ctcForwardBackward, ctcGreedyDecode, ctcLoss, ctcLossMean, minFrames } from '../../../../main/core/training/ocr/ctc';
import { initBackend } from '../../../../main/core/training/tf/backend';

/** Logits whose softmax is exactly `probs` (rows of each frame sum to 1). */
function logitsOf(probs: number[][][]): tf.Tensor3D {
  return tf.tensor3d(probs.map((frames) => frames.map((row) => row.map(Math.log))));
}

/** log-softmax in float64. */
function logSoftmax64(logits: ArrayLike<number>, rows: number, classes: number): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[r * classes + c]! - max);
    const lse = max + Math.log(sum);
    for (let c = 0; c < classes; c++) out[r * classes + c] = logits[r * classes + c]! - lse;
  }
  return out;
}

/** p(label | x) by enumerating every path of length T over the classes (C^T of them). */
function bruteForce(probs: Float64Array, T: number, C: number, label: number[], blank = 0): number {
  let total = 0;
  const path = new Array<number>(T).fill(0);
  const visit = (t: number, p: number) => {
    if (t === T) {
      const l = collapse(path, blank);
      if (l.length === label.length && l.every((k, i) => k === label[i])) total += p;
      return;
    }
    for (let k = 0; k < C; k++) {
      path[t] = k;
      visit(t + 1, p * probs[t * C + k]!);
    }
  };
  visit(0, 1);
  return total;
}

async function lossValues(logits: tf.Tensor3D, labels: number[][], opts = {}): Promise<number[]> {
  const l = ctcLoss(logits, labels, opts);
  const v = Array.from(await l.data());
  l.dispose();
  return v;
}

beforeAll(async () => {
  await initBackend('cpu'); // wasm here (the CI has no native TensorFlow)
});

describe('CTC loss, hand-computed', () => {
  it('T=2, one symbol "a": paths a-, -a, aa', async () => {
    // classes: 0 = blank, 1 = a. Frame 1: p(-)=0.4 p(a)=0.6; frame 2: p(-)=0.7 p(a)=0.3.
    // Paths that collapse to "a": a- = 0.6·0.7 = 0.42, -a = 0.4·0.3 = 0.12, aa = 0.6·0.3 = 0.18.
    // p("a") = 0.72, loss = −ln 0.72 = 0.328504…
    const logits = logitsOf([[[0.4, 0.6], [0.7, 0.3]]]);
    const [loss] = await lossValues(logits, [[1]]);
    expect(loss).toBeCloseTo(-Math.log(0.72), 5);

    // Gradient w.r.t. the logits = softmax − occupancy. Occupancy of "a" at frame 1 = (a- + aa)/p
    // = 0.60/0.72 = 0.8333, of blank = (-a)/p = 0.12/0.72 = 0.1667; at frame 2: "a" = (-a + aa)/p
    // = 0.30/0.72 = 0.4167, blank = (a-)/p = 0.42/0.72 = 0.5833.
    const grad = tf.grad((x: tf.Tensor) => ctcLossMean(x as tf.Tensor3D, [[1]]))(logits);
    const g = Array.from(await grad.data());
    const want = [0.4 - 0.12 / 0.72, 0.6 - 0.6 / 0.72, 0.7 - 0.42 / 0.72, 0.3 - 0.3 / 0.72];
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    tf.dispose([logits, grad]);
  });

  it('T=3, "ab" over uniform probabilities: 5 of the 27 paths', async () => {
    // classes 0 = blank, 1 = a, 2 = b, every probability 1/3. Paths of length 3 collapsing to "ab":
    // ab-, a-b, -ab, aab, abb → p = 5/27, loss = ln(27/5) = 1.686399…
    const third = [1 / 3, 1 / 3, 1 / 3];
    const logits = logitsOf([[third, third, third]]);
    const [loss] = await lossValues(logits, [[1, 2]]);
    expect(loss).toBeCloseTo(Math.log(27 / 5), 5);
    logits.dispose();
  });

  it('T=3, a repeated symbol "aa" needs the blank between: only a-a', async () => {
    // Frames: p(-) 0.2/0.5/0.1, p(a) 0.8/0.5/0.9. The only path is a-a: 0.8·0.5·0.9 = 0.36.
    const logits = logitsOf([[[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]]]);
    const [loss] = await lossValues(logits, [[1, 1]]);
    expect(loss).toBeCloseTo(-Math.log(0.36), 5);
    // "a" alone over the same frames: every path but --- and a-a: aaa .8·.5·.9=.36, aa- .8·.5·.1=.04,
    // a-- .8·.5·.1=.04, -aa .2·.5·.9=.09, --a .2·.5·.9=.09, -a- .2·.5·.1=.01 → 0.63.
    const [single] = await lossValues(logits, [[1]]);
    expect(single).toBeCloseTo(-Math.log(0.63), 5);
    logits.dispose();
  });

  it('an empty label is the all-blank path', async () => {
    const logits = logitsOf([[[0.9, 0.1], [0.6, 0.4]]]);
    const [loss] = await lossValues(logits, [[]]);
    expect(loss).toBeCloseTo(-Math.log(0.9 * 0.6), 5);
    logits.dispose();
  });

  it('blank can be any class index', async () => {
    // Same as the first case with the classes swapped: blank = 1.
    const logits = logitsOf([[[0.6, 0.4], [0.3, 0.7]]]);
    const [loss] = await lossValues(logits, [[0]], { blank: 1 });
    expect(loss).toBeCloseTo(-Math.log(0.72), 5);
    logits.dispose();
  });
});

describe('CTC loss against brute-force enumeration', () => {
  it('matches on random small cases (varied T, C, labels, repeats)', () => {
    const random = seededRandom(42);
    for (let trial = 0; trial < 40; trial++) {
      const T = 1 + Math.floor(random() * 5); // 1..5
      const C = 2 + Math.floor(random() * 3); // 2..4
      const L = Math.floor(random() * 4); // 0..3
      const label = Array.from({ length: L }, () => 1 + Math.floor(random() * (C - 1)));
      const logits = Float64Array.from({ length: T * C }, () => (random() * 2 - 1) * 3);
      const lp = logSoftmax64(logits, T, C);
      const probs = lp.map(Math.exp);
      const want = bruteForce(probs, T, C, label);
      const got = ctcForwardBackward(lp, T, C, label);
      if (want === 0) {
        expect(got.logLikelihood, `T=${T} label=${label}`).toBe(-Infinity);
        expect(minFrames(label)).toBeGreaterThan(T);
      } else {
        expect(Math.exp(got.logLikelihood), `T=${T} C=${C} label=${label}`).toBeCloseTo(want, 10);
        // Occupancy: one state per frame, so each frame's occupancies sum to 1.
        for (let t = 0; t < T; t++) {
          let s = 0;
          for (let k = 0; k < C; k++) s += got.occupancy[t * C + k]!;
          expect(s).toBeCloseTo(1, 9);
        }
      }
    }
  });

  it('the batched tfjs loss matches per-sample brute force, with per-sample input lengths', async () => {
    const random = seededRandom(7);
    const B = 4;
    const T = 5;
    const C = 3;
    const labels = [[1], [1, 2], [2, 2], []];
    const lengths = [5, 3, 4, 2];
    const raw = Float32Array.from({ length: B * T * C }, () => random() * 4 - 2);
    const logits = tf.tensor3d(raw, [B, T, C]);
    const losses = await lossValues(logits, labels, { inputLengths: lengths });
    for (let b = 0; b < B; b++) {
      const frames = lengths[b]!;
      const lp = logSoftmax64(raw.subarray(b * T * C, b * T * C + frames * C), frames, C);
      const want = -Math.log(bruteForce(lp.map(Math.exp), frames, C, labels[b]!));
      expect(losses[b]).toBeCloseTo(want, 4);
    }
    logits.dispose();
  });
});

describe('CTC gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches central finite differences (${backend})`, async () => {
      await tf.setBackend(backend);
      const random = seededRandom(3);
      const B = 2;
      const T = 6;
      const C = 4;
      const labels = [[1, 2, 2], [3, 1]];
      const lengths = [6, 5];
      const raw = Float64Array.from({ length: B * T * C }, () => random() * 2 - 1);
      // Mean loss in float64 through the pure forward–backward.
      const meanLoss = (x: Float64Array) => {
        let sum = 0;
        for (let b = 0; b < B; b++) {
          const lp = logSoftmax64(x.subarray(b * T * C, b * T * C + lengths[b]! * C), lengths[b]!, C);
          sum -= ctcForwardBackward(lp, lengths[b]!, C, labels[b]!).logLikelihood;
        }
        return sum / B;
      };
      const logits = tf.tensor3d(Float32Array.from(raw), [B, T, C]);
      const grad = tf.grad((x: tf.Tensor) => ctcLossMean(x as tf.Tensor3D, labels, { inputLengths: lengths }))(logits);
      const g = await grad.data();
      const eps = 1e-5;
      for (let i = 0; i < raw.length; i++) {
        const plus = Float64Array.from(raw);
        const minus = Float64Array.from(raw);
        plus[i]! += eps;
        minus[i]! -= eps;
        const numeric = (meanLoss(plus) - meanLoss(minus)) / (2 * eps);
        expect(g[i], `d/dlogit[${i}]`).toBeCloseTo(numeric, 5);
      }
      // Padding frames (t ≥ input length) get exactly zero.
      for (let c = 0; c < C; c++) expect(g[(1 * T + 5) * C + c]).toBe(0);
      tf.dispose([logits, grad]);
      await initBackend('cpu');
    });
  }

  it('scales with the upstream gradient (sum vs mean)', async () => {
    const logits = tf.tensor3d([[[0.1, 0.5, -0.3], [0.2, -0.1, 0.4], [0.0, 0.3, 0.1]]]);
    const gSum = await tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ctcLoss(x as tf.Tensor3D, [[1, 2]]), 3)))(logits).data();
    const gMean = await tf.grad((x: tf.Tensor) => ctcLossMean(x as tf.Tensor3D, [[1, 2]]))(logits).data();
    gSum.forEach((v, i) => expect(v).toBeCloseTo(3 * gMean[i]!, 5));
    logits.dispose();
  });
});

describe('impossible alignments', () => {
  it('a label longer than the input gives a large finite loss and a zero gradient, never NaN', async () => {
    // 3 frames; "abcd" needs 4, "aab" needs 4 (a blank between the a's): both impossible.
    const logits = tf.tensor3d(Float32Array.from({ length: 3 * 3 * 5 }, (_, i) => Math.sin(i)), [3, 3, 5]);
    const labels = [[1, 2, 3, 4], [1, 1, 2], [1, 2]];
    expect(minFrames(labels[0]!)).toBe(4);
    expect(minFrames(labels[1]!)).toBe(4);
    const losses = await lossValues(logits, labels);
    expect(losses[0]).toBe(IMPOSSIBLE_LOSS);
    expect(losses[1]).toBe(IMPOSSIBLE_LOSS);
    expect(Number.isFinite(losses[2])).toBe(true);
    expect(losses[2]).toBeLessThan(20);
    const g = await tf.grad((x: tf.Tensor) => ctcLossMean(x as tf.Tensor3D, labels))(logits).data();
    expect(g.every((v) => Number.isFinite(v))).toBe(true);
    for (let i = 0; i < 2 * 3 * 5; i++) expect(g[i]).toBe(0);
    expect(g.slice(30).some((v) => v !== 0)).toBe(true);
    // impossibleLoss 0 drops them from the loss entirely.
    const zeroed = await lossValues(logits, labels, { impossibleLoss: 0 });
    expect(zeroed.slice(0, 2)).toEqual([0, 0]);
    logits.dispose();
  });

  it('very confident wrong logits stay finite (log space)', async () => {
    const logits = tf.tensor3d([[[500, -500, -500], [500, -500, -500], [500, -500, -500]]]);
    const [loss] = await lossValues(logits, [[1, 2]]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(1000);
    const g = await tf.grad((x: tf.Tensor) => ctcLossMean(x as tf.Tensor3D, [[1, 2]]))(logits).data();
    expect(g.every((v) => Number.isFinite(v))).toBe(true);
    logits.dispose();
  });

  it('rejects labels with the blank or out-of-range symbols', () => {
    const logits = tf.zeros([1, 3, 3]) as tf.Tensor3D;
    expect(() => ctcLoss(logits, [[0]])).toThrow(/blank/);
    expect(() => ctcLoss(logits, [[3]])).toThrow(/outside/);
    expect(() => ctcLoss(logits, [[1], [2]])).toThrow(/labels for a batch/);
    logits.dispose();
  });
});

describe('greedy decoding', () => {
  it('collapses repeats, then drops blanks', () => {
    expect(collapse([0, 1, 1, 0, 1, 2, 2, 0, 0])).toEqual([1, 1, 2]);
    expect(collapse([1, 1, 1])).toEqual([1]);
    expect(collapse([0, 0])).toEqual([]);
    expect(collapse([2, 2, 0, 2], 0)).toEqual([2, 2]);
    expect(collapse([1, 0, 0, 1], 1)).toEqual([0]);
  });

  it('round-trips: a label spelled as a path (with blanks between repeats) decodes back to itself', async () => {
    const random = seededRandom(11);
    const C = 6;
    const T = 20;
    const labels: number[][] = [];
    const onehots: number[][][] = [];
    for (let b = 0; b < 8; b++) {
      const label = Array.from({ length: Math.floor(random() * 7) }, () => 1 + Math.floor(random() * (C - 1)));
      // Path: each symbol held 1–2 frames, a blank after equal neighbours (and sometimes elsewhere), blanks to T.
      const path: number[] = [];
      label.forEach((k, i) => {
        if (i > 0 && (label[i - 1] === k || random() < 0.3)) path.push(0);
        path.push(k);
        if (random() < 0.5) path.push(k);
      });
      // Blanks to fill T, at the start or the end (inside a held symbol a blank would split it in two).
      while (path.length < T) {
        if (random() < 0.5) path.unshift(0);
        else path.push(0);
      }
      expect(collapse(path)).toEqual(label);
      labels.push(label);
      onehots.push(path.map((k) => Array.from({ length: C }, (_, c) => (c === k ? 5 : 0))));
    }
    const logits = tf.tensor3d(onehots);
    const decoded = ctcGreedyDecode(logits);
    decoded.forEach((d, b) => {
      expect(d.label).toEqual(labels[b]);
      expect(d.confidence).toBeGreaterThan(0.9);
      expect(d.confidence).toBeLessThanOrEqual(1);
    });
    // Input lengths cut the path.
    const cut = ctcGreedyDecode(tf.tensor3d([onehots[0]!]), { inputLengths: [0] });
    expect(cut[0]!.label).toEqual([]);
    logits.dispose();
  });
});
