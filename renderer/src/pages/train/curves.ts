// Per-epoch curves of a run, shaped for the line charts.

import type { EpochRecord, TrainingRun } from '../../../../main/shared/api';

export interface Curves {
  epochs: number[];
  loss: Array<number | null>;
  valLoss: Array<number | null>;
  score: Array<number | null>;
}

/** The final training's epochs (search trials record theirs too, with a trial number), in order. */
export function finalEpochs(run: Pick<TrainingRun, 'epochs'>): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const record of run.epochs) if (record.trial === null) byEpoch.set(record.epoch, record);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function runCurves(run: Pick<TrainingRun, 'epochs'>): Curves {
  const records = finalEpochs(run);
  return {
    epochs: records.map((r) => r.epoch),
    loss: records.map((r) => finite(r.loss)),
    valLoss: records.map((r) => finite(r.valLoss)),
    score: records.map((r) => finite(r.valAccuracy)),
  };
}

/** Two runs' curves on one epoch axis (0 … the longer run's last epoch), null where a run has no epoch. */
export function alignCurves(a: Curves, b: Curves): { epochs: number[]; a: Curves; b: Curves } {
  const last = Math.max(-1, ...a.epochs, ...b.epochs);
  const epochs = Array.from({ length: last + 1 }, (_, i) => i);
  const spread = (curves: Curves): Curves => {
    const at = new Map(curves.epochs.map((epoch, i) => [epoch, i]));
    const pick = (values: Array<number | null>) => epochs.map((epoch) => (at.has(epoch) ? (values[at.get(epoch)!] ?? null) : null));
    return { epochs, loss: pick(curves.loss), valLoss: pick(curves.valLoss), score: pick(curves.score) };
  };
  return { epochs, a: spread(a), b: spread(b) };
}
