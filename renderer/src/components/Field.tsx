import { useId, type ReactNode } from 'react';
import { nameProblem } from '../../../main/shared/names';
import type { StudioError } from '../../../main/shared/api';

interface FieldProps {
  label: string;
  /** Shown under the control; an error replaces the hint. */
  hint?: string;
  error?: string | null;
  children: (control: { id: string; describedBy: string; invalid: boolean }) => ReactNode;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, describedBy: noteId, invalid: Boolean(error) })}
      <div id={noteId} className={error ? 'field-note field-error' : 'field-note'} role={error ? 'alert' : undefined}>
        {error ?? hint}
      </div>
    </div>
  );
}

/** The server's complaint about `field`, if the last call failed on it. */
export function fieldError(error: StudioError | null, field: string): string | null {
  return error?.field === field ? error.message : null;
}

interface NameFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  serverError: string | null;
}

/** Validates live against the naming rule once the user has typed something. */
export function NameField({ label, value, onChange, serverError }: NameFieldProps) {
  const problem = value === '' ? null : nameProblem(value);
  return (
    <Field
      label={label}
      hint="1–30 characters: letters, digits or Chinese characters, then also _ or -"
      error={problem ? `Name ${problem}` : serverError}
    >
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          className="input"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
          required
        />
      )}
    </Field>
  );
}
