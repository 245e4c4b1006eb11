import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import type { StudioError } from '../../../main/shared/api';
import { useAction } from '../hooks';
import { Alert } from './Alert';

interface DialogProps {
  title: string;
  onClose: () => void;
  /** The dialog is a form; Enter submits. */
  onSubmit: () => void;
  submitLabel: string;
  busy?: boolean;
  canSubmit?: boolean;
  danger?: boolean;
  error?: StudioError | null;
  /** The input fields whose errors the form shows under their controls; any other error shows on top. */
  fields: readonly string[];
  /** Any edit in the form; lets the caller clear an error that is now stale. */
  onEdit?: () => void;
  children: ReactNode;
}

/** A modal form on the native <dialog>: focus trap, Escape and backdrop come from the browser. */
export function Dialog(props: DialogProps) {
  const { title, onClose, onSubmit, submitLabel, busy = false, canSubmit = true, danger = false, error, fields, onEdit, children } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // Unmounting (rather than close()) skips the browser's focus restore: do it here.
    const opener = document.activeElement;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canSubmit && !busy) onSubmit();
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      role="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form onSubmit={submit} onChange={onEdit} noValidate>
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <div className="dialog-body">
          {error && !(error.field && fields.includes(error.field)) && <Alert error={error} />}
          {children}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'button button-danger' : 'button button-primary'} disabled={!canSubmit || busy}>
            {busy ? `${submitLabel}…` : submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  children: ReactNode;
}

/** A destructive confirmation; closes itself once `onConfirm` succeeds. */
export function ConfirmDialog({ title, confirmLabel, onConfirm, onClose, children }: ConfirmDialogProps) {
  const confirm = useAction(async () => {
    await onConfirm();
    onClose();
  });
  return (
    <Dialog
      title={title}
      submitLabel={confirmLabel}
      danger
      onClose={onClose}
      onSubmit={() => void confirm.run()}
      busy={confirm.busy}
      error={confirm.error}
      fields={[]}
    >
      {children}
    </Dialog>
  );
}
