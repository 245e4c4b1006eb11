import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { Dataset, ImageSummary, StudioError, Suggestion } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { Alert } from '../components/Alert';
import { ImageGrid } from '../components/ImageGrid';
import { basename, formatCount } from '../format';
import { useStoredNumber } from '../hooks';
import { LabelPanel, useLabels } from '../labeling/LabelPanel';
import { SaveIndicator, StaleBanner } from '../labeling/status';
import { LABEL_ACTIONS, ShortcutHelp, formatKeys, useKeymap, useShortcuts, type ActionId } from '../labeling/shortcuts';
import { AssistBar } from '../labeling/assist/AssistBar';
import { releaseAfterClick } from '../labeling/focus';
import { percent, useSuggestions } from '../labeling/assist/useSuggestions';
import { useImageNavigator, type ImageOrder } from '../labeling/useImageNavigator';
import { useLabelAssignments, type LabelAssignments } from '../labeling/useLabelAssignments';

// The seed's "3张/页 6张/页 9张/页", plus a denser page for large folders.
const PER_PAGE_CHOICES = [3, 6, 9, 24] as const;
const COLUMNS: Record<number, number> = { 3: 3, 6: 3, 9: 3, 24: 6 };
/** Full images make sharper large tiles; thumbnails keep a dense page light. */
const FULL_IMAGE_UP_TO = 6;

const HELP_ACTIONS: readonly ActionId[] = [...LABEL_ACTIONS, 'prevImage', 'nextImage', 'skip', 'submit', 'acceptSuggestion', 'rejectSuggestion', 'undo', 'redo', 'cancel', 'help'];

type Mode = 'label' | 'preview';

interface Props {
  dataset: Dataset;
  imageId: number | null;
  onImageChange(id: number): void;
}

interface TileProps {
  image: ImageSummary;
  label: string | null | undefined;
  selected: boolean;
  anchor: boolean;
  /** Its last edit was refused: changed elsewhere meanwhile. */
  stale: boolean;
  fullImage: boolean;
  /** The model's pending suggestion, shown while the image has no label. */
  suggestion: Suggestion | undefined;
  onClick(event: MouseEvent): void;
}

function LabelTile({ image, label, selected, anchor, stale, fullImage, suggestion, onClick }: TileProps) {
  const client = useClient();
  const name = basename(image.path);
  const invalid = image.status === 'invalid';
  const shown = label === undefined ? image.label : label;
  const suggested = !invalid && shown === null && suggestion?.label ? suggestion : undefined;
  return (
    <div
      role="option"
      id={`label-tile-${image.id}`}
      aria-selected={selected}
      aria-disabled={invalid || undefined}
      aria-label={`${name}, ${invalid ? 'invalid' : (shown ?? 'unlabeled')}${stale ? ', not saved' : ''}${suggested ? `, suggested ${suggested.label} ${percent(suggested.conf ?? 0)}` : ''}`}
      tabIndex={anchor ? 0 : -1}
      className={`tile label-tile${selected ? ' label-tile-selected' : ''}${invalid ? ' tile-invalid' : ''}${suggested ? ' label-tile-suggested' : ''}`}
      title={image.path}
      onClick={onClick}
    >
      <div className="tile-thumb">
        {invalid ? (
          <div className="tile-problem">{image.reason ?? 'Invalid file'}</div>
        ) : (
          <img src={client.mediaUrl(fullImage ? 'image' : 'thumb', image.id)} alt="" decoding="async" draggable={false} />
        )}
      </div>
      <div className="tile-caption label-tile-caption">
        <span className="tile-name">{name}</span>
        <span className="label-tile-meta">
          {stale && (
            <span className="tag tag-bad" title="Changed in another window: reload to see it">
              Not saved
            </span>
          )}
          {shown ? (
            <span className="tag tag-label">{shown}</span>
          ) : suggested ? (
            <span className="tag tag-suggest" title={`Suggested by ${suggested.modelName}: ${suggested.confidences.map((c) => `${c.label} ${percent(c.conf)}`).join(', ')}`}>
              {suggested.label}? <span className="tag-suggest-conf">{percent(suggested.conf ?? 0)}</span>
            </span>
          ) : (
            !invalid && <span className="tag">Unlabeled</span>
          )}
          {image.reviewed && shown && (
            <span className="label-tile-reviewed" title="Submitted">
              ✓
            </span>
          )}
        </span>
      </div>
    </div>
  );
}

/** The page of images being labeled; `ids` in listing order. */
function usePage(ids: readonly number[], index: number, perPage: number) {
  const page = Math.max(0, Math.floor(index / perPage));
  const count = Math.max(1, Math.ceil(ids.length / perPage));
  return { page, count, ids: ids.slice(page * perPage, (page + 1) * perPage), idsOf: (p: number) => ids.slice(p * perPage, (p + 1) * perPage) };
}

export function ClassificationLabelPage({ dataset, imageId, onImageChange }: Props) {
  const [mode, setMode] = useState<Mode>('label');
  const [perPage, setPerPage] = useStoredNumber('studio.label.perPage', 9, PER_PAGE_CHOICES);
  const [order, setOrder] = useState<ImageOrder>('path');
  const nav = useImageNavigator(dataset.id, 'all', { current: imageId, onChange: onImageChange, order });
  const labels = useLabels(dataset.id);
  const page = usePage(nav.ids, nav.index, perPage);
  const assignments = useLabelAssignments(dataset.id, mode === 'label' ? page.ids : []);
  const suggestions = useSuggestions(dataset.id, mode === 'label' ? page.ids : []);
  const tabsId = useId();

  const modes: { id: Mode; title: string }[] = [
    { id: 'label', title: 'Label' },
    { id: 'preview', title: 'Preview' },
  ];
  return (
    <div className="label-workspace">
      <div className="label-modes" role="tablist" aria-label="Labeling mode">
        {modes.map((m) => (
          <button
            key={m.id}
            type="button"
            role="tab"
            id={`${tabsId}-${m.id}`}
            aria-controls={`${tabsId}-panel`}
            aria-selected={mode === m.id}
            tabIndex={mode === m.id ? 0 : -1}
            className="filter-tab"
            onClick={() => setMode(m.id)}
          >
            {m.title}
          </button>
        ))}
        <span className="label-progress muted">
          {formatCount(dataset.stats.labeled)} of {formatCount(dataset.stats.images)} labeled
        </span>
        <SaveIndicator state={assignments.saveState} />
      </div>
      {mode === 'label' && <AssistBar dataset={dataset} order={order} onOrder={setOrder} />}
      <div className="label-body" role="tabpanel" id={`${tabsId}-panel`} aria-labelledby={`${tabsId}-${mode}`}>
        {mode === 'label' ? (
          <LabelMode
            dataset={dataset}
            imageId={imageId}
            nav={nav}
            page={page}
            perPage={perPage}
            setPerPage={setPerPage}
            labels={labels}
            assignments={assignments}
            suggestions={suggestions}
            order={order}
          />
        ) : (
          <>
            <ImageGrid
              dataset={dataset}
              labels={labels.data}
              onOpen={(image) => {
                nav.go(image.id);
                setMode('label');
              }}
            />
            <aside className="label-side">
              <LabelPanel dataset={dataset} labels={labels} />
            </aside>
          </>
        )}
      </div>
    </div>
  );
}

interface LabelModeProps {
  dataset: Dataset;
  imageId: number | null;
  nav: ReturnType<typeof useImageNavigator>;
  page: ReturnType<typeof usePage>;
  perPage: number;
  setPerPage(n: number): void;
  labels: ReturnType<typeof useLabels>;
  assignments: LabelAssignments;
  suggestions: ReadonlyMap<number, Suggestion>;
  order: ImageOrder;
}

function LabelMode({ dataset, imageId, nav, page, perPage, setPerPage, labels, assignments, suggestions, order }: LabelModeProps) {
  const client = useClient();
  const keymap = useKeymap();
  const [selected, setSelected] = useState<ReadonlySet<number>>(() => new Set(imageId === null ? [] : [imageId]));
  const [helpOpen, setHelpOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<StudioError | null>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // The anchor (the URL's image) moved elsewhere, by keys, paging or a reload: it alone is selected.
  useEffect(() => {
    if (imageId !== null) setSelected((current) => (current.has(imageId) ? current : new Set([imageId])));
  }, [imageId]);

  // Keep keyboard focus on the anchor tile as it moves, if the grid had focus.
  useEffect(() => {
    const list = listRef.current;
    if (imageId === null || !list?.contains(document.activeElement)) return;
    document.getElementById(`label-tile-${imageId}`)?.focus();
  }, [imageId, page.page]);

  const labelOf = (id: number) => {
    const label = assignments.labelOf(id);
    return label === undefined ? (nav.summary(id)?.label ?? null) : label;
  };
  const isUnlabeled = (id: number) => nav.summary(id)?.status !== 'invalid' && labelOf(id) === null;
  const targets = page.ids.filter((id) => selected.has(id) && nav.summary(id)?.status !== 'invalid');
  /** A suggestion waits only while its image has no label (a label picked here wins over it). */
  const suggestionFor = (id: number) => (isUnlabeled(id) && suggestions.get(id)?.label ? suggestions.get(id) : undefined);
  const suggested = targets.filter((id) => suggestionFor(id) !== undefined);

  const select = (id: number) => {
    setSelected(new Set([id]));
    nav.go(id);
  };

  const onTileClick = (id: number, event: MouseEvent) => {
    setNotice(null);
    if (event.shiftKey && imageId !== null && page.ids.includes(imageId)) {
      const [from, to] = [page.ids.indexOf(imageId), page.ids.indexOf(id)];
      setSelected(new Set(page.ids.slice(Math.min(from, to), Math.max(from, to) + 1)));
    } else if (event.ctrlKey || event.metaKey) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
      if (next.has(id)) nav.go(id);
    } else {
      select(id);
    }
  };

  const assign = (label: string) => {
    setNotice(null);
    const changed = assignments.assign(targets, label);
    // One image at a time: move on to the next one that still needs a label, as labelImg does.
    if (targets.length !== 1 || changed.length !== 1) return;
    const from = page.ids.indexOf(targets[0]!);
    const next = [...page.ids.slice(from + 1), ...page.ids.slice(0, from)].find(isUnlabeled);
    if (next !== undefined) select(next);
  };

  /** The first page after this one (wrapping) that holds an unlabeled image, and that image. */
  const nextUnlabeledPage = (): number | undefined => {
    for (let k = 1; k <= page.count; k++) {
      const found = page.idsOf((page.page + k) % page.count).find(isUnlabeled);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const moveOn = (done: string) => {
    const next = nextUnlabeledPage();
    if (next === undefined) {
      setNotice(`${done} Every image is labeled.`);
      return;
    }
    setNotice(done || null);
    select(next);
  };

  const skip = () => moveOn('');

  /** Enter: the selected images take their suggested labels, as if picked here (one undo step per label). */
  const acceptSuggestions = () => {
    const byLabel = new Map<string, number[]>();
    for (const id of suggested) {
      const label = suggestionFor(id)!.label!;
      byLabel.set(label, [...(byLabel.get(label) ?? []), id]);
    }
    const changed = [...byLabel].flatMap(([label, ids]) => assignments.assign(ids, label));
    setNotice(changed.length === 0 ? null : `Accepted ${changed.length === 1 ? 'the suggestion' : `${changed.length} suggestions`}.`);
    // One image at a time: on to the next one that still needs a label, as a number key does.
    if (targets.length !== 1 || changed.length !== 1) return;
    const from = page.ids.indexOf(targets[0]!);
    const next = [...page.ids.slice(from + 1), ...page.ids.slice(0, from)].find(isUnlabeled);
    if (next !== undefined) select(next);
  };

  /** X: the model is wrong about the selected images; they stay unlabeled, for a number key. */
  const rejectSuggestions = async () => {
    const ids = [...suggested];
    const results = await Promise.allSettled(ids.map((imageId) => client.rejectSuggestion({ imageId })));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) setError(toStudioError(failed.reason));
    else setNotice(`Rejected ${ids.length === 1 ? 'the suggestion' : `${ids.length} suggestions`}: pick the right label.`);
  };

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const submitted = await assignments.submit(page.ids);
      moveOn(submitted === 0 ? 'Nothing to submit on this page.' : `Submitted ${submitted} ${submitted === 1 ? 'image' : 'images'}.`);
    } catch (failure) {
      setError(toStudioError(failure));
    } finally {
      setBusy(false);
    }
  };

  const travel = (changed: number[]) => {
    const first = changed[0];
    if (first !== undefined && !page.ids.includes(first)) select(first);
  };

  const step = (delta: number) => {
    const target = nav.ids[(nav.index < 0 ? 0 : nav.index) + delta];
    if (target !== undefined) select(target);
  };

  const labelKeys = Object.fromEntries(
    LABEL_ACTIONS.map((action, index) => [
      action,
      () => {
        const label = labels.data?.[index];
        if (label) assign(label.name);
      },
    ]),
  );
  useShortcuts(
    {
      ...labelKeys,
      prevImage: () => step(-1),
      nextImage: () => step(1),
      skip,
      submit: () => void submit(),
      // Bound only while the selection has a suggestion: Enter falls through to Submit otherwise.
      ...(suggested.length > 0 && { acceptSuggestion: acceptSuggestions, rejectSuggestion: () => void rejectSuggestions() }),
      undo: () => travel(assignments.undo()),
      redo: () => travel(assignments.redo()),
      cancel: () => {
        // Escape also leaves the label field, so the number keys label images again.
        if (document.activeElement instanceof HTMLInputElement) document.activeElement.blur();
        if (imageId !== null) setSelected(new Set([imageId]));
      },
      help: () => setHelpOpen(true),
    },
    { enabled: !helpOpen },
  );

  // Arrow keys move through the grid like any listbox; Space adds or removes the focused image.
  const onGridKey = (event: KeyboardEvent) => {
    const columns = COLUMNS[perPage] ?? 3;
    const deltas: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns };
    const delta = deltas[event.key];
    if (delta !== undefined) {
      event.preventDefault();
      step(delta);
    } else if (event.key === ' ' && imageId !== null) {
      event.preventDefault();
      const next = new Set(selected);
      if (next.has(imageId) && next.size > 1) next.delete(imageId);
      else next.add(imageId);
      setSelected(next);
    }
  };

  const labelNames = Object.fromEntries((labels.data ?? []).slice(0, LABEL_ACTIONS.length).map((label, index) => [LABEL_ACTIONS[index], `Label “${label.name}”`]));
  const selectionLabels = new Set(targets.map(labelOf));
  const active = selectionLabels.size === 1 ? [...selectionLabels][0] : null;
  const anchorSuggestion = imageId !== null && targets.includes(imageId) ? suggestionFor(imageId) : undefined;
  const columns = COLUMNS[perPage] ?? 3;

  return (
    <>
      <section className="grid-pane label-grid-pane" aria-label="Images to label">
        <div className="grid-toolbar">
          <div className="label-pager">
            <button type="button" className="button button-small" onClick={() => page.page > 0 && select(page.idsOf(page.page - 1)[0]!)} disabled={page.page === 0}>
              Previous page
            </button>
            <span className="muted nowrap">
              Page {page.page + 1} of {page.count}
            </span>
            <button
              type="button"
              className="button button-small"
              onClick={() => page.page + 1 < page.count && select(page.idsOf(page.page + 1)[0]!)}
              disabled={page.page + 1 >= page.count}
            >
              Next page
            </button>
          </div>
          <div className="label-tools">
            <button type="button" className="button button-small" onClick={() => travel(assignments.undo())} disabled={!assignments.canUndo} title={formatKeys(keymap.undo)}>
              Undo
            </button>
            <button type="button" className="button button-small" onClick={() => travel(assignments.redo())} disabled={!assignments.canRedo} title={formatKeys(keymap.redo)}>
              Redo
            </button>
            <div role="group" aria-label="Images per page" className="segmented">
              {PER_PAGE_CHOICES.map((n) => (
                <button key={n} type="button" aria-pressed={perPage === n} aria-label={`${n} per page`} onClick={() => setPerPage(n)}>
                  {n}
                </button>
              ))}
              <span className="segmented-unit">per page</span>
            </div>
            <button type="button" className="button button-small" aria-label="Keyboard shortcuts" title={formatKeys(keymap.help)} onClick={() => setHelpOpen(true)}>
              ?
            </button>
          </div>
        </div>
        {assignments.stale.length > 0 && <StaleBanner onReload={assignments.reloadStale} />}
        {nav.error && <Alert error={nav.error} />}
        {error && <Alert error={error} />}
        {nav.total === 0 &&
          (order === 'uncertainty' ? (
            <p className="empty">No unlabeled image has a suggestion: pre-label with a model first, or sort by name.</p>
          ) : (
            <p className="empty">This dataset has no images.</p>
          ))}
        <div
          ref={listRef}
          role="listbox"
          aria-label="Images"
          aria-multiselectable="true"
          className="label-grid"
          style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${Math.ceil(perPage / columns)}, minmax(0, 1fr))` }}
          onKeyDown={onGridKey}
        >
          {page.ids.map((id) => {
            const image = nav.summary(id);
            return (
              image && (
                <LabelTile
                  key={id}
                  image={assignments.detail(id) ?? image}
                  label={assignments.labelOf(id)}
                  selected={selected.has(id)}
                  anchor={id === imageId}
                  stale={assignments.stale.includes(id)}
                  fullImage={perPage <= FULL_IMAGE_UP_TO}
                  suggestion={suggestionFor(id)}
                  onClick={(event) => onTileClick(id, event)}
                />
              )
            );
          })}
        </div>
        <div className="label-footer">
          <span className="muted" role="status">
            {notice ??
              (targets.length === 0
                ? 'Click an image to select it; Shift or Ctrl+click selects more.'
                : suggested.length > 0
                  ? `${suggested.length === 1 && anchorSuggestion ? `Suggested: ${anchorSuggestion.label} (${percent(anchorSuggestion.conf ?? 0)})` : `${suggested.length} suggestions selected`}. ${formatKeys(keymap.acceptSuggestion)} accepts, ${formatKeys(keymap.rejectSuggestion)} rejects, or pick another label.`
                  : `${targets.length} selected: click a label or press its number.`)}
          </span>
          <div className="page-actions">
            {suggested.length > 0 && (
              <>
                <button
                  type="button"
                  className="button"
                  onClick={(event) => {
                    releaseAfterClick(event);
                    void rejectSuggestions();
                  }}
                  title={formatKeys(keymap.rejectSuggestion)}
                  aria-keyshortcuts={keymap.rejectSuggestion.join(' ')}
                >
                  Reject suggestion{suggested.length === 1 ? '' : 's'}
                </button>
                <button
                  type="button"
                  className="button button-accept"
                  onClick={(event) => {
                    releaseAfterClick(event);
                    acceptSuggestions();
                  }}
                  title={formatKeys(keymap.acceptSuggestion)}
                  aria-keyshortcuts={keymap.acceptSuggestion.join(' ')}
                >
                  Accept suggestion{suggested.length === 1 ? '' : 's'}
                </button>
              </>
            )}
            <button type="button" className="button" onClick={skip} aria-keyshortcuts={keymap.skip.join(' ')} title={formatKeys(keymap.skip)}>
              Skip
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => void submit()}
              disabled={busy}
              aria-keyshortcuts={keymap.submit.join(' ')}
              title={formatKeys(keymap.submit)}
            >
              {busy ? 'Submitting…' : 'Submit'}
            </button>
          </div>
        </div>
      </section>
      <aside className="label-side">
        <LabelPanel
          dataset={dataset}
          labels={labels}
          onPick={assign}
          active={active}
          pickDisabled={targets.length === 0}
          suggested={anchorSuggestion ? { name: anchorSuggestion.label!, conf: anchorSuggestion.conf ?? 0 } : null}
        />
      </aside>
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} actions={HELP_ACTIONS} names={labelNames} />
    </>
  );
}
