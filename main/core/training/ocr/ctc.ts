// Connectionist Temporal Classification (Graves et al. 2006) for tfjs, which has no CTC op.
//
// The loss of one sample is −log p(label | x), summed over every alignment of the label to the
// input frames (blank between and around the symbols, repeats collapsed). It is computed with the
// forward–backward algorithm in log space, in plain JS over the log-softmax of the logits, and
// wrapped in `tf.customGrad` with the analytic gradient with respect to the logits:
//
//   ∂L/∂u[t,k] = softmax(u)[t,k] − Σ_{s : l'[s] = k} α_t(s)·β_t(s) / p(l|x)
//
// where l' is the label with blanks inserted (length 2L+1), α_t(s) the probability of the prefixes
// of all alignments that are at l'[s] at frame t (emission at t included), and β_t(s) that of the
// suffixes after frame t given l'[s] at t (emission at t excluded), so α·β/p is the posterior
// occupancy of state s at frame t (it sums to 1 over s for each frame).
//
// Batched; each sample has its own label length and input length (frames ≥ its input length are
// padding: they contribute nothing to the loss and get a zero gradient). Written from the paper;
// no existing tfjs implementation was consulted.

import * as tf from '@tensorflow/tfjs-core';

/** Loss reported for a sample whose label cannot be aligned to its frames (label too long). */
export const IMPOSSIBLE_LOSS = 1e4;

export interface CtcOptions {
  /** Index of the blank symbol in the class axis (default 0). */
  blank?: number;
  /** Frames of each sample that are real input (default: all T). */
  inputLengths?: readonly number[];
  /**
   * What an impossible sample (label needs more frames than it has: its length plus one per pair
   * of equal neighbours) contributes: its loss is `impossibleLoss` (default IMPOSSIBLE_LOSS, finite)
   * and its gradient is zero, so it never turns a batch into NaN or Infinity. Pass 0 to ignore
   * such samples entirely (PyTorch's `zero_infinity`).
   */
  impossibleLoss?: number;
}

export interface CtcSampleResult {
  /** log p(label | x); −Infinity when no alignment exists. */
  logLikelihood: number;
  /**
   * Occupancy per frame and class: Σ over the label states of class k of α_t(s)β_t(s)/p, a
   * [frames × classes] row-major array (frames = the sample's input length). All zero when
   * impossible.
   */
  occupancy: Float64Array;
}

/**
 * Frames the label needs at least: one per symbol, plus a blank between each pair of equal
 * neighbours ("11" cannot be told from "1" without a blank in between).
 */
export function minFrames(label: readonly number[]): number {
  let n = label.length;
  for (let i = 1; i < label.length; i++) if (label[i] === label[i - 1]) n++;
  return n;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Forward–backward for one sample over log-probabilities (already log-softmaxed).
 * @param logProbs row-major [frames × classes] (at least `frames` rows; extra rows ignored)
 * @param offset where the sample's first row starts in `logProbs`
 */
export function ctcForwardBackward(
  logProbs: ArrayLike<number>,
  frames: number,
  classes: number,
  label: readonly number[],
  blank = 0,
  offset = 0,
): CtcSampleResult {
  for (const k of label) {
    if (!Number.isInteger(k) || k < 0 || k >= classes) throw new RangeError(`CTC label symbol ${k} is outside [0, ${classes})`);
    if (k === blank) throw new RangeError(`CTC label contains the blank symbol ${blank}`);
  }
  const occupancy = new Float64Array(frames * classes);
  const L = label.length;
  const S = 2 * L + 1;
  if (frames <= 0 || minFrames(label) > frames) return { logLikelihood: L === 0 && frames === 0 ? 0 : -Infinity, occupancy };

  // l'[s]: blank at even s, label[(s−1)/2] at odd s. skip[s]: the transition s−2 → s is allowed
  // (s is a symbol different from the symbol two states back).
  const ext = new Int32Array(S);
  const skip = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    ext[s] = s % 2 === 0 ? blank : label[(s - 1) >> 1]!;
    skip[s] = s % 2 === 1 && s >= 3 && ext[s] !== ext[s - 2] ? 1 : 0;
  }
  const lp = (t: number, k: number) => logProbs[offset + t * classes + k]!;

  // α in log space, [frames × S].
  const alpha = new Float64Array(frames * S).fill(-Infinity);
  alpha[0] = lp(0, ext[0]!);
  if (S > 1) alpha[1] = lp(0, ext[1]!);
  for (let t = 1; t < frames; t++) {
    const prev = (t - 1) * S;
    const cur = t * S;
    // States that can still reach the end and could have been reached by now.
    const lo = Math.max(0, S - 2 * (frames - t));
    const hi = Math.min(S - 1, 2 * t + 1);
    for (let s = lo; s <= hi; s++) {
      let a = alpha[prev + s]!;
      if (s >= 1) a = logAdd(a, alpha[prev + s - 1]!);
      if (skip[s]) a = logAdd(a, alpha[prev + s - 2]!);
      alpha[cur + s] = a === -Infinity ? -Infinity : a + lp(t, ext[s]!);
    }
  }
  const last = (frames - 1) * S;
  const logP = S > 1 ? logAdd(alpha[last + S - 1]!, alpha[last + S - 2]!) : alpha[last]!;
  if (logP === -Infinity) return { logLikelihood: -Infinity, occupancy };

  // β in log space (emission at t excluded), [frames × S].
  const beta = new Float64Array(frames * S).fill(-Infinity);
  beta[last + S - 1] = 0;
  if (S > 1) beta[last + S - 2] = 0;
  for (let t = frames - 2; t >= 0; t--) {
    const next = (t + 1) * S;
    const cur = t * S;
    for (let s = 0; s < S; s++) {
      // Going forward from s: stay, advance one, or skip a blank (if s+2 may be entered from s).
      let b = beta[next + s]! + lp(t + 1, ext[s]!);
      if (s + 1 < S) b = logAdd(b, beta[next + s + 1]! + lp(t + 1, ext[s + 1]!));
      if (s + 2 < S && skip[s + 2]) b = logAdd(b, beta[next + s + 2]! + lp(t + 1, ext[s + 2]!));
      beta[cur + s] = b;
    }
  }

  for (let t = 0; t < frames; t++) {
    for (let s = 0; s < S; s++) {
      const g = alpha[t * S + s]! + beta[t * S + s]! - logP;
      if (g > -700) occupancy[t * classes + ext[s]!]! += Math.exp(g);
    }
  }
  return { logLikelihood: logP, occupancy };
}

/**
 * Per-sample CTC loss, −log p(label | x), of a batch of logits [batch, T, classes] (unnormalised
 * scores; log-softmax is applied here). Differentiable with respect to the logits.
 * @param labels one array of class indices per sample (never the blank); lengths may differ.
 * @returns a [batch] tensor of losses.
 */
export function ctcLoss(logits: tf.Tensor3D, labels: readonly (readonly number[])[], options: CtcOptions = {}): tf.Tensor1D {
  const [batch, T, classes] = logits.shape as [number, number, number];
  const blank = options.blank ?? 0;
  const impossibleLoss = options.impossibleLoss ?? IMPOSSIBLE_LOSS;
  if (labels.length !== batch) throw new RangeError(`CTC: ${labels.length} labels for a batch of ${batch}`);
  if (!Number.isInteger(blank) || blank < 0 || blank >= classes) throw new RangeError(`CTC: blank ${blank} is outside [0, ${classes})`);
  const lengths = options.inputLengths ?? new Array<number>(batch).fill(T);
  if (lengths.length !== batch) throw new RangeError(`CTC: ${lengths.length} input lengths for a batch of ${batch}`);
  for (const n of lengths) if (!Number.isInteger(n) || n < 0 || n > T) throw new RangeError(`CTC: input length ${n} is outside [0, ${T}]`);

  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor3D;
    const save = args[1] as tf.GradSaveFunc;
    const logp = tf.logSoftmax(x);
    const lpData = logp.dataSync();
    const losses = new Float32Array(batch);
    // −occupancy over real frames, and a 1/0 frame mask: grad = mask·softmax − occupancy.
    const occ = new Float32Array(batch * T * classes);
    const mask = new Float32Array(batch * T);
    for (let b = 0; b < batch; b++) {
      const frames = lengths[b]!;
      const r = ctcForwardBackward(lpData, frames, classes, labels[b]!, blank, b * T * classes);
      if (r.logLikelihood === -Infinity) {
        losses[b] = impossibleLoss;
        continue;
      }
      losses[b] = -r.logLikelihood;
      occ.set(r.occupancy, b * T * classes);
      mask.fill(1, b * T, b * T + frames);
    }
    save([logp]);
    return {
      value: tf.tensor1d(losses),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const softmax = tf.exp(saved[0]!);
        const g = tf.sub(tf.mul(softmax, tf.tensor3d(mask, [batch, T, 1])), tf.tensor3d(occ, [batch, T, classes]));
        return tf.mul(g, tf.reshape(dy, [batch, 1, 1]));
      },
    };
  });
  return fn(logits) as tf.Tensor1D;
}

/** Mean CTC loss of a batch (a scalar to minimise). */
export function ctcLossMean(logits: tf.Tensor3D, labels: readonly (readonly number[])[], options: CtcOptions = {}): tf.Scalar {
  return tf.mean(ctcLoss(logits, labels, options));
}

/** Best path → label: merges repeated symbols, then drops blanks (so "a a" needs a blank between). */
export function collapse(path: ArrayLike<number>, blank = 0): number[] {
  const out: number[] = [];
  let prev = -1;
  for (let t = 0; t < path.length; t++) {
    const k = path[t]!;
    if (k !== prev && k !== blank) out.push(k);
    prev = k;
  }
  return out;
}

export interface GreedyDecoded {
  /** The label: class indices, blanks and repeats removed. */
  label: number[];
  /**
   * Confidence of the line: the geometric mean of the winning probabilities of the frames that
   * emitted a symbol (1 for an empty line whose frames are all confidently blank: the mean over
   * all frames is used then).
   */
  confidence: number;
}

/**
 * Greedy (best-path) decoding of logits [batch, T, classes]: the arg-max class per frame,
 * collapsed. Frames past a sample's input length are ignored.
 */
export function ctcGreedyDecode(logits: tf.Tensor3D, options: { blank?: number; inputLengths?: readonly number[] } = {}): GreedyDecoded[] {
  const [batch, T, classes] = logits.shape as [number, number, number];
  const blank = options.blank ?? 0;
  const logp = tf.tidy(() => tf.logSoftmax(logits));
  const data = logp.dataSync();
  logp.dispose();
  const out: GreedyDecoded[] = [];
  for (let b = 0; b < batch; b++) {
    const frames = options.inputLengths?.[b] ?? T;
    const path = new Int32Array(frames);
    const best = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      const base = (b * T + t) * classes;
      let k = 0;
      for (let c = 1; c < classes; c++) if (data[base + c]! > data[base + k]!) k = c;
      path[t] = k;
      best[t] = data[base + k]!;
    }
    const label: number[] = [];
    let sum = 0;
    let all = 0;
    let prev = -1;
    for (let t = 0; t < frames; t++) {
      all += best[t]!;
      const k = path[t]!;
      if (k !== prev && k !== blank) {
        label.push(k);
        sum += best[t]!;
      }
      prev = k;
    }
    const confidence = label.length > 0 ? Math.exp(sum / label.length) : frames > 0 ? Math.exp(all / frames) : 0;
    out.push({ label, confidence });
  }
  return out;
}
