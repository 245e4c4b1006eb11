// The detector's loss, in tf ops with gradients only: every mask and target comes from
// ./targets (plain JS, from the labels), so nothing here compares predictions.
//
//  - Loss/classification_loss: CenterNet's penalty-reduced focal loss on the heatmap logits,
//      −Σ [pos · (1−p)² · log p + neg · p² · log(1−p)] / objects, with neg = (1 − heat)^4;
//  - Loss/localization_loss: GIoU loss of the regressed boxes (distances stride·exp(t) from the
//      cell centre) against the target boxes, weighted per cell (each object's weights sum to 1),
//      / objects;
//  - loss = classification + LOCALIZATION_WEIGHT · localization.

import * as tf from '@tensorflow/tfjs-core';
import { cellCount, cellGeometry, type Layout } from './layout';
import type { ImageTargets } from './targets';

export const LOCALIZATION_WEIGHT = 2;
/** Regression log-distances are clipped to ±this before exp (keeps early training finite). */
const MAX_LOG_DISTANCE = 10;

export interface BatchTargets {
  positive: tf.Tensor3D;
  negative: tf.Tensor3D;
  box: tf.Tensor3D;
  boxWeight: tf.Tensor2D;
  /** Objects in the batch (at least 1: the normaliser). */
  objects: number;
}

export interface DetectionLoss {
  loss: tf.Scalar;
  classification: tf.Scalar;
  localization: tf.Scalar;
}

/** Stacks per-image targets into batch tensors. */
export function stackTargets(list: readonly ImageTargets[], layout: Layout): BatchTargets {
  const n = list.length;
  const cells = cellCount(layout);
  const C = layout.classes;
  const cat = (pick: (t: ImageTargets) => Float32Array, per: number) => {
    const out = new Float32Array(n * cells * per);
    list.forEach((t, i) => out.set(pick(t), i * cells * per));
    return out;
  };
  return {
    positive: tf.tensor3d(cat((t) => t.positive, C), [n, cells, C]),
    negative: tf.tensor3d(cat((t) => t.negative, C), [n, cells, C]),
    box: tf.tensor3d(cat((t) => t.box, 4), [n, cells, 4]),
    boxWeight: tf.tensor2d(cat((t) => t.boxWeight, 1), [n, cells]),
    objects: Math.max(1, list.reduce((s, t) => s + t.objects, 0)),
  };
}

export function disposeTargets(t: BatchTargets): void {
  tf.dispose([t.positive, t.negative, t.box, t.boxWeight]);
}

const strideCache = new WeakMap<Layout, tf.Tensor3D>();

/** [1, cells, 1] stride of each cell (kept for the layout's lifetime). */
function strides(layout: Layout): tf.Tensor3D {
  let t = strideCache.get(layout);
  if (!t || t.isDisposed) {
    const { stride } = cellGeometry(layout);
    t = tf.keep(tf.tensor3d(stride, [1, stride.length, 1]));
    strideCache.set(layout, t);
  }
  return t;
}

/** Box distances (left, top, right, bottom) in input pixels from the regression outputs [n, cells, 4]. */
export function distances(reg: tf.Tensor3D, layout: Layout): tf.Tensor3D {
  return tf.mul(tf.exp(tf.clipByValue(reg, -MAX_LOG_DISTANCE, MAX_LOG_DISTANCE)), strides(layout));
}

/** Loss of a batch of network outputs [n, cells, classes + 4]. */
export function detectionLoss(output: tf.Tensor3D, targets: BatchTargets, layout: Layout): DetectionLoss {
  const C = layout.classes;
  const [n, cells] = output.shape;
  const logits = tf.slice(output, [0, 0, 0], [n, cells, C]);
  const reg = tf.slice(output, [0, 0, C], [n, cells, 4]);

  // Focal loss on the heatmap: log p = −softplus(−x), log(1−p) = −softplus(x) (tf.logSigmoid's
  // custom gradient reads a disposed tensor under optimizer.minimize).
  const p = tf.sigmoid(logits);
  const pos = tf.mul(tf.mul(targets.positive, tf.square(tf.sub(1, p))), tf.neg(tf.softplus(tf.neg(logits))));
  const neg = tf.mul(tf.mul(targets.negative, tf.square(p)), tf.neg(tf.softplus(logits)));
  const classification = tf.div(tf.neg(tf.add(tf.sum(pos), tf.sum(neg))), targets.objects) as tf.Scalar;

  // GIoU of boxes given as distances from the same point (the cell centre): the target may lie
  // on either side of it, hence the relu on the intersection.
  const d = distances(reg, layout);
  const [pl, pt, pr, pb] = tf.split(d, 4, 2);
  const [gl, gt, gr, gb] = tf.split(targets.box, 4, 2);
  const predArea = tf.mul(tf.add(pl!, pr!), tf.add(pt!, pb!));
  const gtArea = tf.mul(tf.add(gl!, gr!), tf.add(gt!, gb!));
  const iw = tf.relu(tf.add(tf.minimum(pl!, gl!), tf.minimum(pr!, gr!)));
  const ih = tf.relu(tf.add(tf.minimum(pt!, gt!), tf.minimum(pb!, gb!)));
  const inter = tf.mul(iw, ih);
  const union = tf.sub(tf.add(predArea, gtArea), inter);
  const enclose = tf.mul(tf.add(tf.maximum(pl!, gl!), tf.maximum(pr!, gr!)), tf.add(tf.maximum(pt!, gt!), tf.maximum(pb!, gb!)));
  const giou = tf.sub(tf.div(inter, tf.add(union, 1e-6)), tf.div(tf.sub(enclose, union), tf.add(enclose, 1e-6)));
  const weighted = tf.mul(tf.reshape(tf.sub(1, giou), [n, cells]), targets.boxWeight);
  const localization = tf.div(tf.sum(weighted), targets.objects) as tf.Scalar;

  const loss = tf.add(classification, tf.mul(localization, LOCALIZATION_WEIGHT)) as tf.Scalar;
  return { loss, classification, localization };
}
