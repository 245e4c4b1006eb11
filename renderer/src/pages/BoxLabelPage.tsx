// Labeling boxes (detection) and text boxes (OCR) on one image: the canvas, its toolbar, the box
// list and the selected box's label or transcription. Every edit goes through the annotation editor,
// which saves it within 300 ms and keeps the undo history; there is no "save changes?" anywhere.
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { StudioError, type Box, type Dataset, type SuggestedBox } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { Alert } from '../components/Alert';
import { basename, plural } from '../format';
import { BoxCanvas, type BoxCanvasHandle } from '../labeling/canvas/BoxCanvas';
import { BoxList } from '../labeling/canvas/BoxList';
import { releaseAfterClick } from '../labeling/focus';
import { clampRect, moveRect, sameRect, type Rect } from '../labeling/canvas/geometry';
import { prefetchImage, useDecodedImage } from '../labeling/canvas/imageCache';
import { LabelPicker } from '../labeling/canvas/LabelPicker';
import { labelColor } from '../labeling/canvas/paint';
import '../labeling/canvas/canvas.css';
import { LabelPanel, useLabels } from '../labeling/LabelPanel';
import { LABEL_ACTIONS, ShortcutHelp, formatKeys, useKeymap, useShortcuts, type ActionId, type ShortcutHandlers } from '../labeling/shortcuts';
import { SaveIndicator, StaleBanner } from '../labeling/status';
import { useAnnotationEditor } from '../labeling/useAnnotationEditor';
import { AssistBar } from '../labeling/assist/AssistBar';
import { percent, useSuggestions } from '../labeling/assist/useSuggestions';
import { useImageNavigator, type ImageOrder } from '../labeling/useImageNavigator';

interface BoxLabelPageProps {
  dataset: Dataset;
  imageId: number | null;
  onImageChange(id: number): void;
}

/** A drawn OCR box before its text is typed: "###" is the ICDAR/PaddleOCR mark for unreadable text. */
const OCR_UNREAD = '###';
/** OCR boxes all look alike: their labels are texts, not classes. */
const ocrColor = () => '#f58231';
const RECENT_LABELS = 5;

const HELP_ACTIONS: readonly ActionId[] = [
  'prevImage',
  'nextImage',
  'draw',
  'cancel',
  'deleteBox',
  'duplicate',
  'copyPrevious',
  'nudgeLeft',
  'nudgeRight',
  'nudgeUp',
  'nudgeDown',
  'verify',
  'save',
  'undo',
  'redo',
  'fit',
  'actualSize',
  ...LABEL_ACTIONS,
  'acceptSuggestion',
  'rejectSuggestion',
  'help',
];

const NO_SUGGESTIONS: readonly SuggestedBox[] = [];

/** The labels this user picked last in this dataset, newest first; they are suggested first. */
function useRecentLabels(datasetId: number): [string[], (label: string) => void] {
  const key = `studio.recentLabels.${datasetId}`;
  const [recent, setRecent] = useState<string[]>(() => {
    try {
      const stored: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : [];
    } catch {
      return [];
    }
  });
  const push = useCallback(
    (label: string) =>
      setRecent((list) => {
        const next = [label, ...list.filter((item) => item !== label)].slice(0, RECENT_LABELS);
        localStorage.setItem(key, JSON.stringify(next));
        return next;
      }),
    [key],
  );
  return [recent, push];
}

/** Selection, hidden boxes and a box waiting for its label belong to one image: a new image starts clean. */
interface ImageView {
  imageId: number | null;
  selected: number | null;
  hidden: ReadonlySet<number>;
  pending: Rect | null;
  /** The outcome of the last action (copied boxes, verified, a failure). */
  notice: string | null;
  /** The model's suggested box picked (Enter accepts it alone), by index into the suggestion's boxes. */
  suggestion: number | null;
}

const cleanView = (imageId: number | null): ImageView => ({ imageId, selected: null, hidden: new Set(), pending: null, notice: null, suggestion: null });

/** The indices after removing `removed`: later boxes move up by one. */
function withoutIndex(set: ReadonlySet<number>, removed: number): Set<number> {
  return new Set([...set].filter((i) => i !== removed).map((i) => (i > removed ? i - 1 : i)));
}

function ToolButton({ label, keys, onClick, disabled, pressed, children }: { label: string; keys: readonly string[]; onClick: () => void; disabled?: boolean; pressed?: boolean; children?: ReactNode }) {
  const shortcut = formatKeys(keys);
  return (
    <button
      type="button"
      className="button button-small"
      aria-label={label}
      aria-pressed={pressed}
      aria-keyshortcuts={shortcut || undefined}
      title={shortcut ? `${label} (${shortcut})` : label}
      onClick={(event) => {
        onClick();
        releaseAfterClick(event);
      }}
      disabled={disabled}
    >
      {children ?? label}
    </button>
  );
}

export function BoxLabelPage({ dataset, imageId, onImageChange }: BoxLabelPageProps) {
  const client = useClient();
  const ocr = dataset.type === 'ocr';
  const colorOf = ocr ? ocrColor : labelColor;
  const keymap = useKeymap();
  const [order, setOrder] = useState<ImageOrder>('path');
  const nav = useImageNavigator(dataset.id, 'all', { current: imageId, onChange: onImageChange, order });
  const editor = useAnnotationEditor(imageId);
  const detail = editor.image?.id === imageId ? editor.image : null;
  const decoded = useDecodedImage(client, imageId);
  const canvas = useRef<BoxCanvasHandle>(null);
  const textField = useRef<HTMLInputElement>(null);

  const [view, setView] = useState(() => cleanView(imageId));
  if (view.imageId !== imageId) setView(cleanView(imageId));
  const [drawing, setDrawing] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [focusText, setFocusText] = useState(0);
  const [recent, pushRecent] = useRecentLabels(dataset.id);

  const labels = useLabels(dataset.id);
  const modelSuggestions = useSuggestions(dataset.id, imageId === null ? [] : [imageId]);
  const suggestion = imageId === null ? undefined : modelSuggestions.get(imageId);
  const suggested = suggestion?.boxes ?? NO_SUGGESTIONS;
  const pickedSuggestion = view.suggestion !== null && view.suggestion < suggested.length ? view.suggestion : null;
  const [assisting, setAssisting] = useState(false);

  const boxes = editor.annotation.boxes;
  const selected = view.selected !== null && view.selected < boxes.length ? view.selected : null;
  const selectedBox = selected === null ? null : boxes[selected]!;

  const sizeError =
    detail && decoded.image && (decoded.image.width !== detail.width || decoded.image.height !== detail.height)
      ? `The decoded image is ${decoded.image.width}×${decoded.image.height} but the index says ${detail.width ?? '?'}×${detail.height ?? '?'}: ` +
        'boxes would land in the wrong place. Re-index the dataset.'
      : null;
  const shown = detail && decoded.image && !sizeError ? decoded.image : null;

  // The neighbours' bitmaps, so that A/D draw at once. Once this image is on screen: decoding them
  // earlier would compete with showing it.
  const shownUrl = shown?.url ?? null;
  useEffect(() => {
    if (shownUrl === null) return;
    const idle = requestIdleCallback(
      () => {
        for (const offset of [1, -1]) {
          const id = nav.ids[nav.index + offset];
          if (id !== undefined) prefetchImage(client, id);
        }
      },
      { timeout: 500 },
    );
    return () => cancelIdleCallback(idle);
  }, [client, nav.ids, nav.index, shownUrl]);

  useEffect(() => {
    if (focusText === 0) return;
    textField.current?.focus();
    textField.current?.select();
  }, [focusText]);

  // The label panel's order, which number keys follow.
  const palette = ocr ? [] : (labels.data ?? []).map((label) => label.name);
  // Recent labels still in use (the list catches up with a new one a moment after its first box).
  const recentInUse = recent.filter((label) => palette.includes(label) || boxes.some((box) => box.label === label));
  const suggestions = [...new Set([...recentInUse, ...palette])];
  const currentLabel = ocr ? OCR_UNREAD : (recentInUse[0] ?? palette[0] ?? null);

  const setNotice = (notice: string) => setView((v) => ({ ...v, notice }));
  const select = useCallback((index: number | null) => setView((v) => ({ ...v, selected: index, pending: null, suggestion: index === null ? v.suggestion : null })), []);
  const pickSuggestion = useCallback((index: number | null) => setView((v) => ({ ...v, suggestion: index, selected: index === null ? v.selected : null, pending: null })), []);
  const toggleHidden = useCallback(
    (index: number) =>
      setView((v) => {
        const hidden = new Set(v.hidden);
        if (!hidden.delete(index)) hidden.add(index);
        return { ...v, hidden };
      }),
    [],
  );

  const setBoxes = (next: Box[], coalesce?: string) => editor.set({ ...editor.annotation, boxes: next }, { coalesce });
  const patchBox = (index: number, patch: Partial<Box>, coalesce?: string) =>
    setBoxes(
      boxes.map((box, i) => (i === index ? { ...box, ...patch } : box)),
      coalesce,
    );
  const addBox = (rect: Rect, label: string) => {
    setBoxes([...boxes, { label, ...rect, difficult: false, truncated: false }]);
    setView((v) => ({ ...v, selected: boxes.length, pending: null }));
  };

  const assignLabel = (label: string) => {
    pushRecent(label);
    if (view.pending) addBox(view.pending, label);
    else if (selected !== null && selectedBox?.label !== label) patchBox(selected, { label });
  };

  const onDraw = (rect: Rect) => {
    if (ocr) {
      addBox(rect, OCR_UNREAD);
      setFocusText((n) => n + 1);
    } else if (currentLabel) addBox(rect, currentLabel);
    // No label yet in this dataset: the box waits, dashed, for the user to name it.
    else setView((v) => ({ ...v, selected: null, pending: rect }));
  };


  const deleteSelected = () => {
    if (selected === null) return;
    setBoxes(boxes.filter((_, i) => i !== selected));
    setView((v) => ({ ...v, selected: null, hidden: withoutIndex(v.hidden, selected) }));
  };

  const duplicateSelected = () => {
    if (!selectedBox || !shown) return;
    // A few screen pixels down and right, whatever the zoom, so the copy is seen to be there.
    const offset = Math.max(1, Math.round(10 / (canvas.current?.scale() ?? 1)));
    setBoxes([...boxes, { ...selectedBox, ...moveRect(selectedBox, offset, offset, shown) }]);
    select(boxes.length);
  };

  const nudge = (dx: number, dy: number) => (event: KeyboardEvent) => {
    if (!selectedBox || !shown) return;
    const step = event.shiftKey ? 10 : 1;
    // Consecutive nudges of one box are one undo step.
    patchBox(selected!, moveRect(selectedBox, dx * step, dy * step, shown), `nudge-${selected}`);
  };

  const copyPrevious = async () => {
    const previousId = nav.ids[nav.index - 1];
    if (previousId === undefined || !shown) {
      setNotice('There is no previous image to copy boxes from.');
      return;
    }
    try {
      const previous = await client.getImage(previousId);
      const copies = previous.boxes
        .map((box) => ({ ...box, ...clampRect(box, shown) }))
        .filter((copy) => !boxes.some((box) => box.label === copy.label && sameRect(box, copy)));
      if (copies.length > 0) setBoxes([...boxes, ...copies]);
      setNotice(`Copied ${plural(copies.length, 'box', 'boxes')} from ${basename(previous.path)}.`);
    } catch (failure) {
      setNotice(toStudioError(failure).message);
    }
  };

  const verify = async () => {
    try {
      await editor.submit();
      setNotice('Marked verified.');
    } catch (failure) {
      setNotice(toStudioError(failure).message);
    }
  };

  // Space taps verify; Space held while dragging pans instead. Decided on release.
  const pans = useRef(0);
  const verifyOnRelease = (event: KeyboardEvent) => {
    if (event.repeat) return;
    const pansBefore = pans.current;
    const onUp = (up: KeyboardEvent) => {
      if (up.code !== event.code) return;
      stop();
      if (pans.current === pansBefore) void verify();
    };
    // A release the window never sees (focus went elsewhere) is no tap.
    const stop = () => {
      window.removeEventListener('keyup', onUp);
      window.removeEventListener('blur', stop);
    };
    window.addEventListener('keyup', onUp);
    window.addEventListener('blur', stop);
  };

  /**
   * Accepts suggested boxes (the given ones, else all): the core appends them to the annotation
   * through its save path, after this page's own pending edit has landed; they come back as
   * ordinary boxes, selectable and editable, and Ctrl+Z takes them out again.
   */
  const acceptSuggested = async (indices?: number[]) => {
    if (imageId === null || !suggestion || assisting) return;
    setAssisting(true);
    try {
      await editor.flush();
      const before = editor.annotation.boxes.length;
      const { image } = await client.acceptSuggestion({ imageId, ...(indices && { boxes: indices }), baseRevision: editor.revision() ?? undefined });
      editor.adopt(image);
      const added = image.boxes.length - before;
      setView((v) =>
        v.imageId !== image.id
          ? v
          : {
              ...v,
              suggestion: null,
              selected: added > 0 ? before : v.selected,
              notice: added > 0 ? `Accepted ${plural(added, 'box', 'boxes')}: edit them like any box.` : 'Accepted: nothing to find on this image.',
            },
      );
    } catch (failure) {
      setNotice(toStudioError(failure).message);
    } finally {
      setAssisting(false);
    }
  };

  const rejectSuggested = async (indices?: number[]) => {
    if (imageId === null || !suggestion || assisting) return;
    try {
      const left = await client.rejectSuggestion({ imageId, ...(indices && { boxes: indices }) });
      setView((v) => ({ ...v, suggestion: null, notice: left ? `Rejected ${plural(indices?.length ?? 0, 'suggestion')}.` : 'Rejected the suggestions.' }));
    } catch (failure) {
      setNotice(toStudioError(failure).message);
    }
  };

  const cancel = () => {
    if (view.pending) setView((v) => ({ ...v, pending: null }));
    else if (canvas.current?.cancelDraft()) return;
    else if (drawing) setDrawing(false);
    else select(null);
  };

  const ready = shown !== null && !editor.stale;
  const handlers: ShortcutHandlers = {
    prevImage: () => nav.prev(),
    nextImage: () => nav.next(),
    save: () => void editor.flush(),
    undo: () => editor.undo(),
    redo: () => editor.redo(),
    help: () => setHelpOpen(true),
    fit: () => canvas.current?.fit(),
    actualSize: () => canvas.current?.actualSize(),
    cancel,
    ...(ready && {
      draw: () => setDrawing(true),
      deleteBox: deleteSelected,
      duplicate: duplicateSelected,
      copyPrevious: () => void copyPrevious(),
      verify: verifyOnRelease,
      nudgeLeft: nudge(-1, 0),
      nudgeRight: nudge(1, 0),
      nudgeUp: nudge(0, -1),
      nudgeDown: nudge(0, 1),
    }),
  };
  if (ready && suggestion) {
    // Enter: the picked suggestion, else all that remain; X likewise rejects.
    handlers.acceptSuggestion = () => void acceptSuggested(pickedSuggestion === null ? undefined : [pickedSuggestion]);
    handlers.rejectSuggestion = () => void rejectSuggested(pickedSuggestion === null ? undefined : [pickedSuggestion]);
  }
  if (ready && !ocr) {
    LABEL_ACTIONS.forEach((action, n) => {
      const label = palette[n];
      if (label !== undefined) handlers[action] = () => assignLabel(label);
    });
  }
  useShortcuts(handlers, { enabled: !helpOpen });

  const editBox = useCallback(
    (index: number) => {
      select(index);
      if (ocr) setFocusText((n) => n + 1);
    },
    [ocr, select],
  );

  const name = detail ? basename(detail.path) : '…';
  const error = editor.error ?? (decoded.error ? new StudioError('io_error', `The image cannot be shown: ${decoded.error}`) : null);

  return (
    <div className="box-label">
      <div className="box-label-head">
        <h2 className="box-label-title">
          <span className="path">{name}</span>
          {detail?.reviewed && <span className="tag tag-label">Verified</span>}
        </h2>
        {nav.total !== null && nav.index >= 0 && (
          <span className="muted">
            Image {nav.index + 1} of {nav.total}
          </span>
        )}
        <SaveIndicator state={editor.saveState} />
      </div>

      <AssistBar dataset={dataset} order={order} onOrder={setOrder} currentImageId={imageId} />

      {editor.stale && <StaleBanner onReload={editor.reload} />}
      {error && <Alert error={error} />}
      {sizeError && <Alert error={new StudioError('conflict', sizeError)} />}
      {nav.error && <Alert error={nav.error} />}

      <div role="toolbar" aria-label="Labeling tools" className="box-label-toolbar">
        <ToolButton label="Previous image" keys={keymap.prevImage} onClick={nav.prev} disabled={nav.index <= 0}>
          ‹ Prev
        </ToolButton>
        <ToolButton label="Next image" keys={keymap.nextImage} onClick={nav.next} disabled={nav.index < 0 || nav.index >= nav.ids.length - 1}>
          Next ›
        </ToolButton>
        <span className="box-label-gap" />
        <ToolButton label="Draw" keys={keymap.draw} onClick={() => setDrawing((on) => !on)} pressed={drawing} disabled={!ready} />
        <ToolButton label="Duplicate box" keys={keymap.duplicate} onClick={duplicateSelected} disabled={!ready || selected === null}>
          Duplicate
        </ToolButton>
        <ToolButton label="Delete box" keys={keymap.deleteBox} onClick={deleteSelected} disabled={!ready || selected === null}>
          Delete
        </ToolButton>
        <ToolButton label="Copy previous boxes" keys={keymap.copyPrevious} onClick={() => void copyPrevious()} disabled={!ready || nav.index <= 0}>
          Copy previous
        </ToolButton>
        <span className="box-label-gap" />
        <ToolButton label="Undo" keys={keymap.undo} onClick={editor.undo} disabled={!editor.canUndo} />
        <ToolButton label="Redo" keys={keymap.redo} onClick={editor.redo} disabled={!editor.canRedo} />
        <span className="box-label-gap" />
        <ToolButton label="Fit to window" keys={keymap.fit} onClick={() => canvas.current?.fit()} disabled={!shown}>
          Fit
        </ToolButton>
        <ToolButton label="Actual size" keys={keymap.actualSize} onClick={() => canvas.current?.actualSize()} disabled={!shown}>
          1:1
        </ToolButton>
        <span className="box-label-gap" />
        <ToolButton label="Verify" keys={keymap.verify} onClick={() => void verify()} disabled={!ready} />
        <ToolButton label="Keyboard shortcuts" keys={keymap.help} onClick={() => setHelpOpen(true)}>
          ?
        </ToolButton>
      </div>

      <div className="box-label-body">
        <BoxCanvas
          ref={canvas}
          image={shown}
          boxes={boxes}
          hidden={view.hidden}
          selected={selected}
          drawing={drawing && ready}
          draft={view.pending}
          colorOf={colorOf}
          onSelect={select}
          onDraw={onDraw}
          onChange={(index, rect) => patchBox(index, rect)}
          onPan={() => pans.current++}
          suggestions={suggested}
          selectedSuggestion={pickedSuggestion}
          onSelectSuggestion={pickSuggestion}
        />
        <aside className="box-label-side" aria-label="Annotation">
          {suggestion && (
            <SuggestionList
              boxes={suggested}
              modelName={suggestion.modelName}
              picked={pickedSuggestion}
              ocr={ocr}
              busy={assisting || !ready}
              colorOf={colorOf}
              acceptKeys={keymap.acceptSuggestion}
              rejectKeys={keymap.rejectSuggestion}
              onPick={pickSuggestion}
              onAccept={(indices) => void acceptSuggested(indices)}
              onReject={(indices) => void rejectSuggested(indices)}
            />
          )}
          <section className="box-label-section" aria-label={ocr ? 'Transcription' : 'Selected box'}>
            {ocr ? (
              <OcrTextField
                key={`${imageId}:${selected}`}
                inputRef={textField}
                value={selectedBox?.label ?? ''}
                disabled={!ready || selected === null}
                onText={(text) => selected !== null && patchBox(selected, { label: text }, `text-${selected}`)}
                onEnter={() => {
                  if (selected !== null && selected + 1 < boxes.length) {
                    select(selected + 1);
                    setFocusText((n) => n + 1);
                  } else textField.current?.blur();
                }}
              />
            ) : view.pending ? (
              <LabelPicker label="Label for the new box" value="" options={suggestions} onPick={assignLabel} onCancel={cancel} autoFocus placeholder="Type a label, Enter" />
            ) : selectedBox ? (
              <LabelPicker label="Box label" value={selectedBox.label} options={suggestions} onPick={assignLabel} />
            ) : (
              <p className="muted small">
                {currentLabel ? (
                  <>
                    New boxes get <strong>{currentLabel}</strong>. Select a box to change its label.
                  </>
                ) : (
                  'Draw a box, then name it.'
                )}
              </p>
            )}
            {selectedBox && (
              <div className="box-flags">
                {(['difficult', 'truncated'] as const).map((flag) => (
                  <label key={flag}>
                    <input
                      type="checkbox"
                      checked={selectedBox[flag]}
                      disabled={!ready}
                      onChange={(event) => patchBox(selected!, { [flag]: event.target.checked })}
                      onClick={releaseAfterClick}
                    />
                    {flag === 'difficult' ? 'Difficult' : 'Truncated'}
                  </label>
                ))}
              </div>
            )}
          </section>

          {!ocr && <LabelPanel dataset={dataset} labels={labels} onPick={assignLabel} active={selectedBox?.label ?? currentLabel} pickDisabled={!ready} />}

          <section className="box-label-section box-label-boxes" aria-labelledby="box-list-heading">
            <h2 id="box-list-heading" className="section-heading">
              Boxes <span className="count-badge">{boxes.length}</span>
            </h2>
            <BoxList
              boxes={boxes}
              hidden={view.hidden}
              selected={selected}
              colorOf={colorOf}
              onSelect={select}
              onToggleHidden={toggleHidden}
              onEdit={editBox}
            />
          </section>
          {view.notice && (
            <p className="box-label-notice" role="status">
              {view.notice}
            </p>
          )}
        </aside>
      </div>
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} actions={HELP_ACTIONS} />
    </div>
  );
}

interface SuggestionListProps {
  boxes: readonly SuggestedBox[];
  modelName: string;
  picked: number | null;
  ocr: boolean;
  busy: boolean;
  colorOf: (label: string) => string;
  acceptKeys: readonly string[];
  rejectKeys: readonly string[];
  onPick(index: number | null): void;
  /** Undefined: all of them. */
  onAccept(indices?: number[]): void;
  onReject(indices?: number[]): void;
}

/** The model's suggested boxes on this image: pick one, accept or reject it, or all of them. */
function SuggestionList({ boxes, modelName, picked, ocr, busy, colorOf, acceptKeys, rejectKeys, onPick, onAccept, onReject }: SuggestionListProps) {
  const what = picked === null ? 'all' : 'the picked one';
  return (
    <section className="box-label-section assist-suggestions" aria-labelledby="suggestion-heading">
      <h2 id="suggestion-heading" className="section-heading">
        Suggestions <span className="count-badge">{boxes.length}</span>
      </h2>
      <p className="muted small">
        From {modelName}. {formatKeys(acceptKeys)} accepts {what}, {formatKeys(rejectKeys)} rejects {what}.
      </p>
      {boxes.length === 0 ? (
        <p className="small">The model found nothing on this image. Accept to label it as empty.</p>
      ) : (
        <ul className="assist-list" aria-label="Suggested boxes">
          {boxes.map((box, index) => {
            const name = `${ocr ? `“${box.label}”` : box.label} ${percent(box.conf)}`;
            return (
              <li key={index} className={index === picked ? 'assist-item assist-item-picked' : 'assist-item'}>
                <button
                  type="button"
                  className="assist-item-name"
                  aria-pressed={index === picked}
                  onClick={(event) => {
                    releaseAfterClick(event);
                    onPick(index === picked ? null : index);
                  }}
                >
                  <span className="assist-swatch" style={{ borderColor: colorOf(box.label) }} aria-hidden="true" />
                  <span className="assist-item-label">{ocr ? `“${box.label}”` : box.label}</span>
                  <span className="assist-conf">{percent(box.conf)}</span>
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Accept ${name}`}
                  title="Accept"
                  disabled={busy}
                  onClick={(event) => {
                    releaseAfterClick(event);
                    onAccept([index]);
                  }}
                >
                  ✓
                </button>
                <button
                  type="button"
                  className="icon-button icon-button-danger"
                  aria-label={`Reject ${name}`}
                  title="Reject"
                  disabled={busy}
                  onClick={(event) => {
                    releaseAfterClick(event);
                    onReject([index]);
                  }}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="assist-actions">
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          title={formatKeys(rejectKeys)}
          onClick={(event) => {
            releaseAfterClick(event);
            onReject();
          }}
        >
          Reject all
        </button>
        <button
          type="button"
          className="button button-small button-accept"
          disabled={busy}
          title={formatKeys(acceptKeys)}
          onClick={(event) => {
            releaseAfterClick(event);
            onAccept();
          }}
        >
          {boxes.length === 0 ? 'Accept: empty' : 'Accept all'}
        </button>
      </div>
    </section>
  );
}

interface OcrTextFieldProps {
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  disabled: boolean;
  onText(text: string): void;
  onEnter(): void;
}

/** The selected box's transcription; each keystroke is saved, all of them one undo step. */
function OcrTextField({ inputRef, value, disabled, onText, onEnter }: OcrTextFieldProps) {
  // What is typed may differ from the stored value (an empty field is not a transcription), until
  // the stored value changes by other means (undo).
  const [text, setText] = useState(value);
  const [stored, setStored] = useState(value);
  if (stored !== value) {
    setStored(value);
    if (text.trim() !== value) setText(value);
  }
  const commit = (next: string) => {
    const clean = next.trim();
    if (clean && clean !== value) onText(clean);
  };
  return (
    <label className="field">
      <span className="field-label">Text</span>
      <input
        ref={inputRef}
        className="input ocr-text"
        value={text}
        disabled={disabled}
        placeholder={disabled ? 'Select or draw a box' : 'Type what the box says'}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => {
          setText(event.target.value);
          // An IME sends its whole word when composing ends; the pinyin on the way is not a text.
          if (!(event.nativeEvent as InputEvent).isComposing) commit(event.target.value);
        }}
        onCompositionEnd={(event) => commit(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
            event.preventDefault();
            onEnter();
          } else if (event.key === 'Escape') {
            // Only leaves the field: the page's Escape would also end draw mode.
            event.preventDefault();
            event.currentTarget.blur();
          }
        }}
      />
    </label>
  );
}
