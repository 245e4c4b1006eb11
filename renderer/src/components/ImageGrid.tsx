import { useEffect, useId, useReducer, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Dataset, ImageFilter, ImageSummary, LabelInfo } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { basename, formatCount, plural } from '../format';
import { useStoredNumber, useStudioEvents, useWidth } from '../hooks';
import { Alert } from './Alert';
import { useImagePages } from './imagePages';

// The seed's "3张/页 6张/页 9张/页", plus a denser grid for large folders.
const PER_ROW_CHOICES = [3, 6, 9, 12] as const;
const GRID_PADDING = 12;
const GAP = 8;
const CAPTION_HEIGHT = 40;

interface GridFilter {
  filter: ImageFilter;
  /** Only images with this label (or, for boxes, with a box of it). */
  label?: string;
}

const FILTERS: { filter: ImageFilter; label: string }[] = [
  { filter: 'all', label: 'All' },
  { filter: 'labeled', label: 'Labeled' },
  { filter: 'unlabeled', label: 'Unlabeled' },
  { filter: 'invalid', label: 'Invalid' },
];

interface Tab {
  key: string;
  value: GridFilter;
  title: string;
  count: number;
}

function tabsFor(dataset: Dataset, labels: readonly LabelInfo[]): Tab[] {
  return [
    ...FILTERS.map(({ filter, label }) => ({ key: filter, value: { filter }, title: label, count: filterCount(dataset, filter) })),
    ...labels.map((label) => ({ key: `label:${label.name}`, value: { filter: 'all' as const, label: label.name }, title: label.name, count: label.images })),
  ];
}

const keyOf = (value: GridFilter) => (value.label === undefined ? value.filter : `label:${value.label}`);

function filterCount(dataset: Dataset, filter: ImageFilter): number {
  const { stats } = dataset;
  switch (filter) {
    case 'all':
      return stats.images + stats.invalid.length;
    case 'labeled':
      return stats.labeled;
    case 'unlabeled':
      return stats.unlabeled;
    case 'invalid':
      return stats.invalid.length;
  }
}

function TileMeta({ image, dataset }: { image: ImageSummary; dataset: Dataset }) {
  if (image.status === 'invalid') return <span className="tag tag-bad">Invalid</span>;
  if (image.status === 'unlabeled') return <span className="tag">Unlabeled</span>;
  if (dataset.type === 'classification') return <span className="tag tag-label">{image.label}</span>;
  return <span className="tag tag-label">{plural(image.boxCount, 'box', 'boxes')}</span>;
}

/**
 * `settled` is false while the grid scrolls: a tile that only flies past never requests its
 * thumbnail, so after a long fling the visible ones are not queued behind hundreds of others.
 */
function Tile({ image, dataset, settled, onOpen }: { image: ImageSummary; dataset: Dataset; settled: boolean; onOpen?: (image: ImageSummary) => void }) {
  const client = useClient();
  const [broken, setBroken] = useState(false);
  const [armed, setArmed] = useState(settled);
  useEffect(() => {
    if (settled) setArmed(true);
  }, [settled]);
  const name = basename(image.path);
  const problem = image.status === 'invalid' ? (image.reason ?? 'Invalid file') : broken ? 'No preview' : null;
  return (
    <div role="listitem" className={`tile tile-${image.status}`} title={image.path}>
      <div className="tile-thumb">
        {problem ? (
          <div className="tile-problem">{problem}</div>
        ) : (
          armed && <img src={client.mediaUrl('thumb', image.id)} alt={name} loading="lazy" decoding="async" draggable={false} onError={() => setBroken(true)} />
        )}
      </div>
      <div className="tile-caption">
        <span className="tile-name">{name}</span>
        <TileMeta image={image} dataset={dataset} />
      </div>
      {onOpen && image.status !== 'invalid' && <button type="button" className="tile-open" aria-label={`Label ${name}`} onClick={() => onOpen(image)} />}
    </div>
  );
}

interface ImageGridProps {
  dataset: Dataset;
  /** Adds a tab per label (the labeling page's preview). */
  labels?: readonly LabelInfo[];
  /** Makes each valid tile a button, e.g. to open the image for labeling. */
  onOpen?: (image: ImageSummary) => void;
}

export function ImageGrid({ dataset, labels = [], onOpen }: ImageGridProps) {
  const [filter, setFilter] = useState<GridFilter>({ filter: 'all' });
  const [perRow, setPerRow] = useStoredNumber('studio.grid.perRow', 6, PER_ROW_CHOICES);
  // Any change of the counts (an index run finishing, even a cancelled one) invalidates the pages, and
  // so does the server's word that the dataset changed: an import can rewrite annotations, counts unchanged.
  const [changes, countChange] = useReducer((n: number) => n + 1, 0);
  useStudioEvents((event) => {
    // A label edited elsewhere moves an image between tabs without changing the dataset's counts.
    if ((event.type === 'datasets-changed' || event.type === 'annotation-changed') && event.datasetId === dataset.id) countChange();
  });
  const { stats } = dataset;
  const version = [dataset.indexedAt, stats.images, stats.labeled, stats.invalid.length, changes].join('|');
  const pages = useImagePages(dataset.id, filter.filter, version, filter.label);
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useWidth(scrollRef);
  const tabsId = useId();

  const tileWidth = width > 0 ? (width - 2 * GRID_PADDING - (perRow - 1) * GAP) / perRow : 160;
  const rowHeight = Math.round(tileWidth * 0.75) + CAPTION_HEIGHT + GAP;
  const total = pages.total ?? 0;

  const virtualizer = useVirtualizer({
    count: Math.ceil(total / perRow),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 2,
    paddingStart: GRID_PADDING,
    paddingEnd: GRID_PADDING,
    useFlushSync: false,
  });
  useEffect(() => virtualizer.measure(), [virtualizer, rowHeight]);

  const rows = virtualizer.getVirtualItems();
  const firstIndex = (rows[0]?.index ?? 0) * perRow;
  const lastIndex = ((rows.at(-1)?.index ?? 0) + 1) * perRow - 1;
  const { ensure } = pages;
  useEffect(() => ensure(firstIndex, lastIndex), [ensure, firstIndex, lastIndex]);

  const tabs = tabsFor(dataset, labels);
  const selectedKey = keyOf(filter);
  const choose = (next: GridFilter) => {
    setFilter(next);
    virtualizer.scrollToOffset(0);
  };

  return (
    <section className="grid-pane" aria-label="Images">
      <div className="grid-toolbar">
        <div role="tablist" aria-label="Filter images" className="filter-tabs">
          {tabs.map((tab, position) => (
            <button
              key={tab.key}
              type="button"
              role="tab"
              id={`${tabsId}-${position}`}
              aria-selected={selectedKey === tab.key}
              aria-controls={`${tabsId}-panel`}
              tabIndex={selectedKey === tab.key ? 0 : -1}
              className="filter-tab"
              onClick={() => choose(tab.value)}
              onKeyDown={(event) => {
                const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
                if (!step) return;
                const index = (position + step + tabs.length) % tabs.length;
                choose(tabs[index]!.value);
                document.getElementById(`${tabsId}-${index}`)?.focus();
              }}
            >
              {tab.title} <span className="count">({formatCount(tab.count)})</span>
            </button>
          ))}
        </div>
        <div role="group" aria-label="Images per row" className="segmented">
          {PER_ROW_CHOICES.map((n) => (
            <button key={n} type="button" aria-pressed={perRow === n} aria-label={`${n} per row`} onClick={() => setPerRow(n)}>
              {n}
            </button>
          ))}
          <span className="segmented-unit">per row</span>
        </div>
      </div>
      {pages.error && <Alert error={pages.error} action={{ label: 'Retry', onClick: pages.retry }} />}
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="tabpanel"
        id={`${tabsId}-panel`}
        aria-labelledby={`${tabsId}-${Math.max(0, tabs.findIndex((tab) => tab.key === selectedKey))}`}
        tabIndex={0}
      >
        {pages.total === 0 && <p className="empty">No images here.</p>}
        <div role="list" aria-label="Image tiles" className="grid-sizer" style={{ height: virtualizer.getTotalSize() }}>
          {rows.map((row) => (
            <div
              key={row.key}
              role="none"
              className="grid-row"
              style={{
                transform: `translateY(${row.start}px)`,
                height: rowHeight - GAP,
                gridTemplateColumns: `repeat(${perRow}, minmax(0, 1fr))`,
                padding: `0 ${GRID_PADDING}px`,
                gap: GAP,
              }}
            >
              {Array.from({ length: Math.min(perRow, total - row.index * perRow) }, (_, column) => {
                const index = row.index * perRow + column;
                const image = pages.at(index);
                return image ? <Tile key={image.id} image={image} dataset={dataset} settled={!virtualizer.isScrolling} onOpen={onOpen} /> : <div key={`loading-${index}`} className="tile tile-loading" aria-hidden="true" />;
              })}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}
