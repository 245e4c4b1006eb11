// A label field with type-ahead: suggestions from the dataset's labels, recent ones first; Enter
// takes the highlighted suggestion or the typed text (a new label), Escape gives up.
import { useId, useRef, useState, type KeyboardEvent } from 'react';

interface LabelPickerProps {
  /** The field's caption (and accessible name). */
  label: string;
  value: string;
  /** In the order to suggest them (recent labels first). */
  options: readonly string[];
  onPick(name: string): void;
  onCancel?(): void;
  autoFocus?: boolean;
  placeholder?: string;
}

const MAX_SUGGESTIONS = 8;

export function LabelPicker({ label, value, options, onPick, onCancel, autoFocus, placeholder }: LabelPickerProps) {
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(value);
  const [shownValue, setShownValue] = useState(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  // A new value from outside (another box selected, an undo) replaces what was typed.
  if (shownValue !== value) {
    setShownValue(value);
    setText(value);
  }

  const query = text.trim().toLowerCase();
  const typed = text !== value;
  const suggestions = options.filter((option) => !typed || option.toLowerCase().includes(query)).slice(0, MAX_SUGGESTIONS);

  const pick = (name: string) => {
    const clean = name.trim();
    setOpen(false);
    setActive(-1);
    if (!clean) {
      setText(value);
      return;
    }
    onPick(clean);
    // Done: the keys go back to the page (D, W, 1–9…) instead of typing into the field.
    input.current?.blur();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        setOpen(true);
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((index) => (suggestions.length === 0 ? -1 : (index + step + suggestions.length) % suggestions.length));
        break;
      }
      case 'Enter':
        event.preventDefault();
        pick(open && active >= 0 && suggestions[active] !== undefined ? suggestions[active] : text);
        break;
      case 'Escape':
        // Ours alone: the page's Escape (cancel drawing) must not fire as well.
        event.preventDefault();
        setText(value);
        setOpen(false);
        onCancel?.();
        break;
    }
  };

  return (
    <div className="label-picker">
      <label className="field">
        <span className="field-label">{label}</span>
        <input
          ref={input}
          className="input"
          role="combobox"
          aria-expanded={open && suggestions.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
          value={text}
          placeholder={placeholder}
          autoFocus={autoFocus}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(0);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            setText(value);
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      {open && suggestions.length > 0 && (
        <ul id={listId} role="listbox" aria-label={`${label} suggestions`} className="label-picker-list">
          {suggestions.map((option, index) => (
            <li
              key={option}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              // Before the input's blur, which would close the list.
              onPointerDown={(event) => {
                event.preventDefault();
                pick(option);
              }}
            >
              {option}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
