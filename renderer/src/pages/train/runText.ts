// How runs, algorithms and stop reasons are named on the Train screens.

import type { Algorithm, InstanceType, StopReason, TrainingRun } from '../../../../main/shared/api';

export const ALGORITHM_NAMES: Record<Algorithm, string> = {
  fast: 'High-speed',
  accurate: 'High-accuracy',
};

/** The seed's one-line trade-off of each algorithm (分类-高性能 / 分类-高精度). */
export const ALGORITHM_TRADE_OFFS: Record<Algorithm, string> = {
  fast: 'Fast to predict on a client or a server, and trains in minutes: the backbone stays frozen and only a small head learns.',
  accurate: 'Predicts more slowly than high-speed but more accurately: the backbone’s top blocks are fine-tuned, with augmentation.',
};

/** Algorithms each instance type offers (OCR has only a high-speed one in the seed). */
export const ALGORITHMS_BY_TYPE: Record<InstanceType, readonly Algorithm[]> = {
  classification: ['fast', 'accurate'],
  detection: ['fast', 'accurate'],
  ocr: ['fast'],
};

export const STOP_REASONS: Record<StopReason, string> = {
  completed: 'completed',
  early_stop: 'early stop',
  time_budget: 'max training time reached',
  user: 'stopped by user',
  failed: 'failed',
};

export type RunTone = 'running' | 'good' | 'warn' | 'bad';

/** The status word and colour of a run. */
export function runStatus(run: Pick<TrainingRun, 'status' | 'stopReason'>): { text: string; tone: RunTone } {
  if (run.status === 'running') return { text: 'Running', tone: 'running' };
  if (run.status === 'failed') return { text: 'Failed', tone: 'bad' };
  const reason = run.stopReason;
  if (reason === 'user') return { text: 'Stopped', tone: 'warn' };
  if (reason === 'time_budget') return { text: 'Finished (time limit)', tone: 'good' };
  if (reason === 'early_stop') return { text: 'Finished (early stop)', tone: 'good' };
  return { text: 'Finished', tone: 'good' };
}

/** Milliseconds the run has taken (so far, for a running one). */
export function runDurationMs(run: Pick<TrainingRun, 'startedAt' | 'endedAt'>, now: number): number {
  const start = Date.parse(run.startedAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? 0 : Math.max(0, end - start);
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A param value for display: numbers compact, others as text. */
export function formatParam(value: unknown): string {
  if (typeof value === 'number') return String(Number(value.toPrecision(4)));
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
}
