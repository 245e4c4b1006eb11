import type { StudioError } from '../../../main/shared/api';

export function Alert({ error, action }: { error: StudioError; action?: { label: string; onClick: () => void } }) {
  return (
    <div className="alert alert-error" role="alert">
      <span>{error.message}</span>
      {action && (
        <button type="button" className="button-link" onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  );
}
