import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { Dataset, ImageSummary, StudioError } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { toStudioError } from '../api/errors';
import { Alert } from '../components/Alert';
import { ImageGrid } from '../components/ImageGrid';
import { basename, formatCount } from '../format';
import { useStoredNumber } from '../hooks';
import { LabelPanel, useLabels } from '../labeling/LabelPanel';
import { SaveIndicator, StaleBanner } from '../labeling/status';
import { LABEL_ACTIONS, ShortcutHelp, formatKeys, useKeymap, useShortcuts, type ActionId } from '../labeling/shortcuts';
import { useImageNavigator } from '../labeling/useImageNavigator';
import { useLabelAssignments, type LabelAssignments } from '../labeling/useLabelAssignments';

// The seed's "3张/页 6张/页 9张/页", plus a denser page for large folders.
const PER_PAGE_CHOICES = [3, 6, 9, 24] as const;
const COLUMNS: Record<number, number> = { 3: 3, 6: 3, 9: 3, 24: 6 };
/** Full images make sharper large tiles; thumbnails keep a dense page light. */
const FULL_IMAGE_UP_TO = 6;

const HELP_ACTIONS: readonly ActionId[] = [...LABEL_ACTIONS, 'prevImage', 'nextImage', 'skip', 'submit', 'undo', 'redo', 'cancel', 'help'];

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
  onClick(event: MouseEvent): void;
}

function LabelTile({ image, label, selected, anchor, stale, fullImage, onClick }: TileProps) {
  const client = useClient();
  const name = basename(image.path);
  const invalid = image.status === 'invalid';
  const shown = label === undefined ? image.label : label;
  return (
    <div
      role="option"
      id={`label-tile-${image.id}`}
      aria-selected={selected}
      aria-disabled={invalid || undefined}
      aria-label={`${name}, ${invalid ? 'invalid' : (shown ?? 'unlabeled')}${stale ? ', not saved' : ''}`}
      tabIndex={anchor ? 0 : -1}
      className={`tile label-tile${selected ? ' label-tile-selected' : ''}${invalid ? ' tile-invalid' : ''}`}
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
          {shown ? <span className="tag tag-label">{shown}</span> : !invalid && <span className="tag">Unlabeled</span>}
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
  const nav = useImageNavigator(dataset.id, 'all', { current: imageId, onChange: onImageChange });
  const labels = useLabels(dataset.id);
  const page = usePage(nav.ids, nav.index, perPage);
  const assignments = useLabelAssignments(dataset.id, mode === 'label' ? page.ids : []);
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
}

function LabelMode({ dataset, imageId, nav, page, perPage, setPerPage, labels, assignments }: LabelModeProps) {
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
        {nav.total === 0 && <p className="empty">This dataset has no images.</p>}
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
                : `${targets.length} selected: click a label or press its number.`)}
          </span>
          <div className="page-actions">
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
        <LabelPanel dataset={dataset} labels={labels} onPick={assign} active={active} pickDisabled={targets.length === 0} />
      </aside>
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} actions={HELP_ACTIONS} names={labelNames} />
    </>
  );
}
