// The boxes of the image beside the canvas: click selects, the eye hides or shows a box. Virtualised
// and memoised: opening an image with 500 boxes mounts the rows in view, and an edit re-renders only
// the row it changed.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import type { Box } from '../../../../main/shared/api';
import { releaseAfterClick } from '../focus';

interface BoxListProps {
  boxes: readonly Box[];
  hidden: ReadonlySet<number>;
  selected: number | null;
  colorOf: (label: string) => string;
  onSelect(index: number): void;
  onToggleHidden(index: number): void;
  /** Double click: edit the box's label (or text). */
  onEdit(index: number): void;
}

const ROW_HEIGHT = 30;

/** How a box reads to a screen reader and in tests: its label and corners in image pixels. */
export function boxName(box: Box): string {
  return `${box.label} (${box.xmin}, ${box.ymin}) – (${box.xmax}, ${box.ymax})`;
}

interface ItemProps {
  box: Box;
  index: number;
  count: number;
  top: number;
  hidden: boolean;
  selected: boolean;
  color: string;
  onSelect(index: number): void;
  onToggleHidden(index: number): void;
  onEdit(index: number): void;
}

const BoxItem = memo(function BoxItem({ box, index, count, top, hidden, selected, color, onSelect, onToggleHidden, onEdit }: ItemProps) {
  return (
    <li
      className="box-item"
      style={{ transform: `translateY(${top}px)` }}
      aria-label={boxName(box)}
      aria-posinset={index + 1}
      aria-setsize={count}
      aria-current={selected || undefined}
      data-hidden={hidden || undefined}
    >
      <button
        type="button"
        className="box-item-main"
        onClick={(event) => {
          onSelect(index);
          releaseAfterClick(event);
        }}
        onDoubleClick={() => onEdit(index)} title="Select (double click: edit)">
        <span className="box-swatch" style={{ background: color }} aria-hidden="true" />
        <span className="box-index">{index + 1}</span>
        <span className="box-item-label">{box.label}</span>
        {box.difficult && <span className="tag">difficult</span>}
        {box.truncated && <span className="tag">truncated</span>}
        <span className="box-coords">
          {box.xmin},{box.ymin} – {box.xmax},{box.ymax}
        </span>
      </button>
      <button
        type="button"
        className="box-item-eye"
        aria-label={`Hide box ${index + 1}`}
        aria-pressed={hidden}
        title={hidden ? 'Show on the canvas' : 'Hide on the canvas'}
        onClick={(event) => {
          onToggleHidden(index);
          releaseAfterClick(event);
        }}
      >
        {hidden ? '◌' : '◉'}
      </button>
    </li>
  );
});

export function BoxList({ boxes, hidden, selected, colorOf, onSelect, onToggleHidden, onEdit }: BoxListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: boxes.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  // A box selected on the canvas comes into view in the list.
  useEffect(() => {
    if (selected !== null) virtualizer.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtualizer]);

  if (boxes.length === 0) return <p className="muted small">No boxes yet: press W (or “Draw”) and drag on the image.</p>;
  return (
    <div ref={scroller} className="box-list-scroll">
      <ul className="box-list" role="list" aria-label="Boxes" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map(({ index, start }) => {
          const box = boxes[index]!;
          return (
            <BoxItem
              key={index}
              box={box}
              index={index}
              count={boxes.length}
              top={start}
              hidden={hidden.has(index)}
              selected={index === selected}
              color={colorOf(box.label)}
              onSelect={onSelect}
              onToggleHidden={onToggleHidden}
              onEdit={onEdit}
            />
          );
        })}
      </ul>
    </div>
  );
}
