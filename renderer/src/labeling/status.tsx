// What every labeling page shows about saving.
//
//   <SaveIndicator state={editor.saveState} />          // "Saved" / "Saving…" / "Not saved, retrying"
//   {editor.stale && <StaleBanner onReload={editor.reload} />}
import type { SaveState } from './annotationSaver';

const SAVE_TEXT: Record<SaveState, string> = {
  saved: 'Saved',
  pending: 'Saving…',
  saving: 'Saving…',
  error: 'Not saved, retrying…',
};

export function SaveIndicator({ state }: { state: SaveState }) {
  return (
    <span className={`save-indicator save-${state}`} role="status" aria-label={`Save status: ${SAVE_TEXT[state]}`}>
      {SAVE_TEXT[state]}
    </span>
  );
}

export function StaleBanner({ onReload }: { onReload: () => void }) {
  return (
    <div className="alert alert-warn" role="alert">
      <span>This image was changed in another window or by a re-index. Your last edit was not saved, to keep that change.</span>
      <button type="button" className="button button-small" onClick={onReload}>
        Reload
      </button>
    </div>
  );
}
