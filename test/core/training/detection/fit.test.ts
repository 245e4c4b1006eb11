// The shared training loop with a task's own loss and validation (what detection and OCR plug in):
// the monitored figure decides the best epoch and early stop, and the best epoch's weights are kept.

import * as tf from '@tensorflow/tfjs-core';
// Registers the gradients.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../main/core/datasets/split';
import { fit, improves, type FitSpec, type Validation } from '../../../../main/core/training/fit';
import { initBackend } from '../../../../main/core/training/tf/backend';

beforeAll(async () => {
  await initBackend('auto');
});

/** A one-weight "model" whose validations are scripted per epoch (epoch 0 = initial weights). */
function scripted(script: Validation[], monitor: 'loss' | 'metric', patience: number) {
  const w = tf.variable(tf.scalar(0));
  let epoch = 0;
  const seen: number[] = [];
  const spec: FitSpec<Validation & { epoch: number }> = {
    trainCount: 4,
    loss: () => tf.square(tf.sub(w, 3)) as tf.Scalar,
    validate: () => ({ ...script[Math.min(epoch, script.length - 1)]!, epoch: epoch++ }),
    monitor,
    variables: () => [w],
    snapshot: () => {
      const saved = w.dataSync()[0]!;
      return { restore: () => w.assign(tf.scalar(saved)), dispose: () => {} };
    },
    learningRate: () => 0.1,
    batchSize: 2,
    maxEpochs: script.length - 1,
    patience,
    random: seededRandom(1),
    deadline: Date.now() + 60_000,
    stopRequested: () => false,
    trial: null,
    onEpoch: (record, _improved, v) => {
      seen.push(v.epoch);
      expect(record.valAccuracy).toBe(v.metric);
      expect(record.valLoss).toBe(v.loss);
    },
  };
  return { spec, w, seen };
}

describe('fit with a task-defined loss and validation', () => {
  it("monitor 'metric': the best epoch is the highest metric (ties: lower loss), early stop counts from it", async () => {
    const script = [
      { loss: 5, metric: 0 },
      { loss: 4, metric: 0.5 },
      { loss: 3, metric: 0.8 },
      { loss: 2.5, metric: 0.8 }, // tie on the metric, lower loss: better
      { loss: 1, metric: 0.7 },
      { loss: 0.5, metric: 0.6 },
      { loss: 0.4, metric: 0.9 },
    ];
    const { spec, seen } = scripted(script, 'metric', 2);
    const result = await fit(spec);
    expect(result.bestEpoch).toBe(3);
    expect(result.stopReason).toBe('early_stop');
    expect(result.epochs).toBe(5);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.bestValidation).toMatchObject({ loss: 2.5, metric: 0.8, epoch: 3 });
    expect(result.best).toEqual({ valLoss: 2.5, valAccuracy: 0.8 });
  });

  it("monitor 'loss' follows validation loss, and the weights of the best epoch are restored", async () => {
    const script = [
      { loss: 5, metric: 0 },
      { loss: 4, metric: 0.1 },
      { loss: 4.5, metric: 0.9 },
      { loss: 4.6, metric: 0.9 },
      { loss: 3.9, metric: 0.2 },
    ];
    const snapshots: number[] = [];
    const { spec, w } = scripted(script, 'loss', 5);
    const onEpoch = spec.onEpoch!;
    spec.onEpoch = (r, improved, v) => {
      snapshots.push(w.dataSync()[0]!);
      return onEpoch(r, improved, v);
    };
    const result = await fit(spec);
    expect(result.stopReason).toBe('completed');
    expect(result.bestEpoch).toBe(4);
    expect(w.dataSync()[0]).toBeCloseTo(snapshots[4]!, 6);
    expect(improves({ loss: 1, metric: 0 }, { loss: 1 + 5e-5, metric: 0.5 }, 'loss')).toBe(false);
    expect(improves({ loss: 1, metric: 0.6 }, { loss: 1 + 5e-5, metric: 0.5 }, 'loss')).toBe(true);
  });
});
