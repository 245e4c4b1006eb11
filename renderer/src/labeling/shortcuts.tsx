// Keyboard shortcuts of the labeling pages, remappable by the user (kept in localStorage).
//
//   useShortcuts({
//     nextImage: () => nav.next(),
//     undo: () => editor.undo(),
//     nudgeLeft: (e) => move(e.shiftKey ? -10 : -1, 0),  // handlers get the KeyboardEvent
//   }, { enabled: !helpOpen });
//   <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} actions={['nextImage', 'undo', 'nudgeLeft']}
//                 names={{ label1: 'Label “car”' }} />  // optional page-specific names
//   const keymap = useKeymap(); formatKeys(keymap.skip)  // → "S", for button titles and hints
//
// Keys are written "mod+shift+z": `mod` is Ctrl (Cmd on a Mac); printable characters are matched as
// typed ("?", "1"), so Shift is only spelled out with `mod` or for named keys. A binding without
// "shift+" also fires with Shift held (Shift+Arrow nudges by 10 px through the same action).
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore, type KeyboardEvent as ReactKeyboardEvent } from 'react';

export const ACTIONS = {
  prevImage: 'Previous image',
  nextImage: 'Next image',
  draw: 'Draw a box',
  save: 'Save now',
  undo: 'Undo',
  redo: 'Redo',
  cancel: 'Cancel drawing / clear selection',
  deleteBox: 'Delete the selected box',
  duplicate: 'Duplicate the selected box',
  copyPrevious: "Copy the previous image's boxes",
  verify: 'Mark the image verified',
  acceptSuggestion: "Accept the model's suggestion",
  rejectSuggestion: "Reject the model's suggestion",
  submit: 'Submit',
  skip: 'Skip',
  help: 'Show keyboard shortcuts',
  fit: 'Fit to window',
  actualSize: 'Actual size (1:1)',
  nudgeLeft: 'Nudge left (Shift: 10 px)',
  nudgeRight: 'Nudge right (Shift: 10 px)',
  nudgeUp: 'Nudge up (Shift: 10 px)',
  nudgeDown: 'Nudge down (Shift: 10 px)',
  label1: 'Label 1',
  label2: 'Label 2',
  label3: 'Label 3',
  label4: 'Label 4',
  label5: 'Label 5',
  label6: 'Label 6',
  label7: 'Label 7',
  label8: 'Label 8',
  label9: 'Label 9',
} as const;

export type ActionId = keyof typeof ACTIONS;
export type Keymap = Record<ActionId, string[]>;

export const LABEL_ACTIONS = ['label1', 'label2', 'label3', 'label4', 'label5', 'label6', 'label7', 'label8', 'label9'] as const satisfies readonly ActionId[];

export const DEFAULT_SHORTCUTS: Keymap = {
  prevImage: ['a'],
  nextImage: ['d'],
  draw: ['w'],
  save: ['mod+s'],
  undo: ['mod+z'],
  redo: ['mod+shift+z', 'mod+y'],
  cancel: ['escape'],
  deleteBox: ['delete', 'backspace'],
  duplicate: ['mod+d'],
  copyPrevious: ['mod+v'],
  verify: ['space'],
  // Before submit, which shares Enter: a page binds it only while there is a suggestion to accept.
  acceptSuggestion: ['enter'],
  rejectSuggestion: ['x'],
  submit: ['enter'],
  skip: ['s'],
  help: ['?'],
  fit: ['f'],
  actualSize: ['0'],
  nudgeLeft: ['arrowleft'],
  nudgeRight: ['arrowright'],
  nudgeUp: ['arrowup'],
  nudgeDown: ['arrowdown'],
  label1: ['1'],
  label2: ['2'],
  label3: ['3'],
  label4: ['4'],
  label5: ['5'],
  label6: ['6'],
  label7: ['7'],
  label8: ['8'],
  label9: ['9'],
};

const STORAGE_KEY = 'studio.shortcuts';
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);
const MODIFIER_KEYS = new Set(['Control', 'Meta', 'Shift', 'Alt', 'AltGraph', 'CapsLock']);

/** The combo a key event spells, in the keymap's notation; null for a lone modifier. */
export function comboOf(event: KeyboardEvent): string | null {
  if (MODIFIER_KEYS.has(event.key)) return null;
  const key = event.key === ' ' ? 'space' : event.key.toLowerCase();
  const mod = IS_MAC ? event.metaKey : event.ctrlKey;
  const printable = key.length === 1;
  const parts = [mod && 'mod', event.altKey && 'alt', event.shiftKey && (mod || !printable) && 'shift', key];
  return parts.filter(Boolean).join('+');
}

const KEY_NAMES: Record<string, string> = {
  mod: IS_MAC ? '⌘' : 'Ctrl',
  shift: 'Shift',
  alt: IS_MAC ? '⌥' : 'Alt',
  space: 'Space',
  enter: 'Enter',
  escape: 'Esc',
  delete: 'Del',
  backspace: 'Backspace',
  arrowleft: '←',
  arrowright: '→',
  arrowup: '↑',
  arrowdown: '↓',
};

export function formatCombo(combo: string): string {
  return combo
    .split('+')
    .map((part) => KEY_NAMES[part] ?? part.toUpperCase())
    .join('+');
}

/** "S" or "Ctrl+Shift+Z / Ctrl+Y", for hints and titles; empty when unbound. */
export function formatKeys(keys: readonly string[]): string {
  return keys.map(formatCombo).join(' / ');
}

// ---- the stored keymap, shared by every component of the window (and other windows, via `storage`)

function readKeymap(): Keymap {
  let stored: Partial<Record<string, unknown>> = {};
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Record<string, unknown>>;
  } catch {
    // A corrupt entry only costs the user their remaps, never the page.
  }
  const map = { ...DEFAULT_SHORTCUTS };
  for (const action of Object.keys(ACTIONS) as ActionId[]) {
    const keys = stored[action];
    if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) map[action] = keys;
  }
  return map;
}

let current = readKeymap();
const listeners = new Set<() => void>();

function publish(next: Keymap): void {
  current = next;
  const changed = (Object.keys(next) as ActionId[]).filter((a) => next[a].join() !== DEFAULT_SHORTCUTS[a].join());
  if (changed.length === 0) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(changed.map((a) => [a, next[a]]))));
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key !== STORAGE_KEY) return;
    current = readKeymap();
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useKeymap(): Keymap {
  return useSyncExternalStore(subscribe, () => current);
}

/**
 * Actions that may share a key: the first is bound by a page only while it applies (a suggestion to
 * accept), and the key falls through to the second otherwise (Enter: accept, else submit).
 */
const SHARED_KEYS: ReadonlyArray<readonly [ActionId, ActionId]> = [['acceptSuggestion', 'submit']];
const mayShare = (a: ActionId, b: ActionId) => SHARED_KEYS.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

/** Binds `combo` to `action` alone: any other action that had it loses it (except a partner it may share with). */
export function remapShortcut(action: ActionId, combo: string): void {
  const next = { ...current };
  for (const other of Object.keys(next) as ActionId[]) {
    if (other !== action && !mayShare(action, other) && next[other].includes(combo)) next[other] = next[other].filter((k) => k !== combo);
  }
  next[action] = [combo];
  publish(next);
}

export function resetShortcuts(): void {
  publish({ ...DEFAULT_SHORTCUTS });
}

// ---- dispatch

const BUTTON_LIKE = 'button, a[href], summary, input[type="checkbox"], input[type="radio"], input[type="button"], input[type="submit"]';

/** Whether the key belongs to the focused control rather than to the page's shortcuts. */
function ownedByControl(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  // A modal form (a confirmation, the help overlay) has its own keys.
  if (target.closest('dialog[open]')) return true;
  if (event.key === 'Escape') return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement && !target.matches(BUTTON_LIKE)) return true;
  // Enter and Space activate a focused button natively; stealing them would make it unusable by keyboard.
  return (event.key === 'Enter' || event.key === ' ') && target.matches(BUTTON_LIKE);
}

function actionFor(keymap: Keymap, combo: string, handled: (action: ActionId) => boolean): ActionId | null {
  const actions = Object.keys(keymap) as ActionId[];
  const exact = actions.find((a) => keymap[a].includes(combo) && handled(a));
  if (exact) return exact;
  if (!combo.startsWith('shift+')) return null;
  const unshifted = combo.slice('shift+'.length);
  return actions.find((a) => keymap[a].includes(unshifted) && handled(a)) ?? null;
}

export type ShortcutHandlers = Partial<Record<ActionId, (event: KeyboardEvent) => void>>;

/** Calls the handler of the action a key press maps to; handled keys get `preventDefault`. */
export function useShortcuts(handlers: ShortcutHandlers, options: { enabled?: boolean } = {}): void {
  const enabled = options.enabled ?? true;
  const keymap = useKeymap();
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing || ownedByControl(event)) return;
      const combo = comboOf(event);
      if (!combo) return;
      const action = actionFor(keymap, combo, (a) => latest.current[a] !== undefined);
      if (!action) return;
      event.preventDefault();
      latest.current[action]?.(event);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled, keymap]);
}

// ---- the "?" overlay

interface ShortcutHelpProps {
  open: boolean;
  onClose: () => void;
  /** The actions this page offers, in the order to list them. */
  actions: readonly ActionId[];
  /** Page-specific names, e.g. `{ label1: 'Label “ants”' }`. */
  names?: Partial<Record<ActionId, string>>;
}

export function ShortcutHelp({ open, onClose, actions, names = {} }: ShortcutHelpProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const keymap = useKeymap();
  const [capturing, setCapturing] = useState<ActionId | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Not the scrolling list: a focus ring around it reads as a broken frame.
      closeRef.current?.focus();
    }
    if (!open && dialog.open) dialog.close();
    if (!open) setCapturing(null);
  }, [open]);

  const capture = useCallback(
    (event: ReactKeyboardEvent) => {
      if (!capturing) return;
      event.preventDefault();
      event.stopPropagation();
      if (event.key === 'Escape') {
        setCapturing(null);
        return;
      }
      const combo = comboOf(event.nativeEvent);
      if (!combo) return;
      remapShortcut(capturing, combo);
      setCapturing(null);
    },
    [capturing],
  );

  return (
    <dialog
      ref={ref}
      className="dialog shortcut-help"
      aria-labelledby={titleId}
      onKeyDown={capture}
      onCancel={(event) => {
        event.preventDefault();
        // Escape while waiting for a key only ends the wait (handled in `capture`).
        if (!capturing) onClose();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        Keyboard shortcuts
      </h2>
      <div className="dialog-body">
        <p className="muted">Choose “Change” and press the new key. Shortcuts are ignored while you type in a text field.</p>
        <table className="shortcut-table">
          <tbody>
            {actions.map((action) => (
              <tr key={action}>
                <th scope="row">{names[action] ?? ACTIONS[action]}</th>
                <td>
                  {capturing === action ? (
                    <span className="shortcut-capture" role="status">
                      Press a key… (Esc cancels)
                    </span>
                  ) : keymap[action].length > 0 ? (
                    keymap[action].map((combo) => (
                      <kbd key={combo} className="kbd">
                        {formatCombo(combo)}
                      </kbd>
                    ))
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className="button-link"
                    aria-label={`Change shortcut for ${names[action] ?? ACTIONS[action]}`}
                    onClick={() => setCapturing(action)}
                    disabled={capturing !== null && capturing !== action}
                  >
                    Change
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={resetShortcuts} disabled={capturing !== null}>
          Reset to defaults
        </button>
        <button ref={closeRef} type="button" className="button button-primary" onClick={onClose} disabled={capturing !== null}>
          Close
        </button>
      </div>
    </dialog>
  );
}
