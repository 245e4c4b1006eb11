import { useClient } from '../api/context';
import { Field } from './Field';

interface PathFieldProps {
  label: string;
  hint: string;
  error: string | null;
  value: string;
  /** Typed or picked; a pick fires no form change event, so callers clear stale errors here. */
  onChange: (value: string) => void;
  placeholder: string;
  autoFocus?: boolean;
}

/** An absolute path typed in, or picked with the native folder dialog where the transport has one. */
export function PathField({ label, hint, error, value, onChange, placeholder, autoFocus = false }: PathFieldProps) {
  const { pickFolder } = useClient();
  const browse = async () => {
    const picked = await pickFolder?.();
    if (picked) onChange(picked);
  };
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <div className="input-row">
          <input
            id={id}
            className="input input-mono"
            value={value}
            placeholder={placeholder}
            onChange={(event) => onChange(event.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            spellCheck={false}
            data-autofocus={autoFocus || undefined}
          />
          {pickFolder && (
            <button type="button" className="button" onClick={() => void browse()}>
              Browse…
            </button>
          )}
        </div>
      )}
    </Field>
  );
}
