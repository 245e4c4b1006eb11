import type { TrainingRun } from '../../../../main/shared/api';
import { runStatus, STOP_REASONS } from './runText';

export function RunStatusTag({ run }: { run: Pick<TrainingRun, 'status' | 'stopReason' | 'error'> }) {
  const { text, tone } = runStatus(run);
  const title = run.error ?? (run.stopReason ? `Stop reason: ${STOP_REASONS[run.stopReason]}` : undefined);
  return (
    <span className={`tag run-status run-status-${tone}`} title={title}>
      {text}
    </span>
  );
}
