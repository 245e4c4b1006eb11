// The dataset's label list: add (type + Enter), rename inline, delete after a confirmation that says
// how many images it touches; counts per label and the 1–9 key of each of the first nine.
//
//   const labels = useLabels(dataset.id);   // LabelInfo[], refreshed as annotations change
//   <LabelPanel dataset={dataset} labels={labels} onPick={(name) => assign(name)} active={selectedLabel} />
//   labels.data?.[n - 1]?.name  // what the number key n means (the panel shows the same order)
import { useState, type FormEvent } from 'react';
import type { Dataset, LabelInfo, StudioError } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/Dialog';
import { formatCount, plural } from '../format';
import { useAction, useResource, type Resource } from '../hooks';
import { LABEL_ACTIONS, formatKeys, useKeymap } from './shortcuts';
import { releaseAfterClick } from './focus';

const REFRESH_MS = 250;

export function useLabels(datasetId: number): Resource<LabelInfo[]> {
  const client = useClient();
  return useResource(
    () => client.listLabels(datasetId),
    [client, datasetId],
    (event) =>
      (event.type === 'datasets-changed' && (event.datasetId === datasetId || event.datasetId === null)) ||
      (event.type === 'annotation-changed' && event.datasetId === datasetId),
    { coalesceMs: REFRESH_MS },
  );
}

function usage(dataset: Dataset, label: LabelInfo): string {
  return dataset.type === 'classification'
    ? plural(label.images, 'image')
    : `${plural(label.boxes, 'box', 'boxes')} on ${plural(label.images, 'image')}`;
}

function deleteEffect(dataset: Dataset, label: LabelInfo): string {
  if (dataset.type === 'classification') {
    return label.images === 0 ? 'No image has this label.' : `${plural(label.images, 'image')} labeled “${label.name}” will become unlabeled.`;
  }
  return label.boxes === 0 ? 'No box has this label.' : `${plural(label.boxes, 'box', 'boxes')} on ${plural(label.images, 'image')} will be deleted.`;
}

interface LabelPanelProps {
  dataset: Dataset;
  labels: Resource<LabelInfo[]>;
  /** A click on a label's name; without it the names are plain text. */
  onPick?: (name: string) => void;
  /** The label to highlight, e.g. the selected image's. */
  active?: string | null;
  /** Picking is pointless right now (nothing selected). */
  pickDisabled?: boolean;
  /** The model's suggestion for the selected image, marked in the list. */
  suggested?: { name: string; conf: number } | null;
}

export function LabelPanel({ dataset, labels, onPick, active = null, pickDisabled = false, suggested = null }: LabelPanelProps) {
  const client = useClient();
  const keymap = useKeymap();
  const [draft, setDraft] = useState('');
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null);
  const [deleting, setDeleting] = useState<LabelInfo | null>(null);
  const add = useAction(async (name: string) => {
    await client.addLabel({ datasetId: dataset.id, name });
    setDraft('');
    labels.reload();
  });
  const rename = useAction(async (from: string, to: string) => {
    if (to !== from) await client.renameLabel({ datasetId: dataset.id, from, to });
    setRenaming(null);
    labels.reload();
  });

  const submitAdd = (event: FormEvent) => {
    event.preventDefault();
    const name = draft.trim();
    if (name && !add.busy) void add.run(name);
  };
  const list = labels.data ?? [];
  const error: StudioError | null = add.error ?? rename.error ?? labels.error ?? null;

  return (
    <section className="label-panel" aria-labelledby="label-panel-title">
      <h2 id="label-panel-title" className="section-title">
        Labels <span className="count-badge">{list.length}</span>
      </h2>
      <form onSubmit={submitAdd} className="label-add">
        <input
          className="input"
          aria-label="New label"
          placeholder="New label, then Enter"
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            add.reset();
          }}
          autoComplete="off"
          spellCheck={false}
        />
      </form>
      {error && <Alert error={error} />}
      {list.length === 0 && !labels.error && <p className="muted small">No labels yet: type one above and press Enter.</p>}
      <ul className="label-list">
        {list.map((label, index) => {
          const keys = index < LABEL_ACTIONS.length ? formatKeys(keymap[LABEL_ACTIONS[index]!]) : '';
          const isRenaming = renaming?.from === label.name;
          return (
            <li key={label.name} className={`label-row${label.name === active ? ' label-row-active' : ''}${label.name === suggested?.name ? ' label-row-suggested' : ''}`}>
              <kbd className="kbd label-key" aria-hidden={keys === ''} title={keys && `Press ${keys}`}>
                {keys}
              </kbd>
              {isRenaming ? (
                <form
                  className="label-rename"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const to = renaming.to.trim();
                    if (to && !rename.busy) void rename.run(label.name, to);
                  }}
                >
                  <input
                    className="input"
                    aria-label={`New name for ${label.name}`}
                    value={renaming.to}
                    onChange={(event) => {
                      setRenaming({ from: label.name, to: event.target.value });
                      rename.reset();
                    }}
                    onKeyDown={(event) => {
                      if (event.key === 'Escape') {
                        event.preventDefault();
                        setRenaming(null);
                        rename.reset();
                      }
                    }}
                    autoFocus
                    autoComplete="off"
                    spellCheck={false}
                  />
                </form>
              ) : onPick ? (
                <button
                  type="button"
                  className="label-name label-pick"
                  onClick={(e) => {
                    releaseAfterClick(e);
                    onPick(label.name);
                  }}
                  disabled={pickDisabled}
                  aria-keyshortcuts={keys || undefined}
                  title={keys ? `Assign to the selection (${keys})` : 'Assign to the selection'}
                >
                  {label.name}
                </button>
              ) : (
                <span className="label-name">{label.name}</span>
              )}
              {label.name === suggested?.name && (
                <span className="label-suggested" title="The model's suggestion for the selected image">
                  suggested {Math.round(suggested.conf * 100)}%
                </span>
              )}
              <span className="label-count" title={usage(dataset, label)} aria-label={usage(dataset, label)}>
                {formatCount(dataset.type === 'classification' ? label.images : label.boxes)}
              </span>
              {!isRenaming && (
                <span className="label-actions">
                  <button type="button" className="icon-button" aria-label={`Rename ${label.name}`} title="Rename" onClick={() => setRenaming({ from: label.name, to: label.name })}>
                    ✎
                  </button>
                  <button type="button" className="icon-button icon-button-danger" aria-label={`Delete ${label.name}`} title="Delete" onClick={() => setDeleting(label)}>
                    ×
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {deleting && (
        <ConfirmDialog
          title={`Delete label “${deleting.name}”?`}
          confirmLabel="Delete label"
          onConfirm={async () => {
            await client.deleteLabel({ datasetId: dataset.id, name: deleting.name });
            labels.reload();
          }}
          onClose={() => setDeleting(null)}
        >
          <p>{deleteEffect(dataset, deleting)}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
