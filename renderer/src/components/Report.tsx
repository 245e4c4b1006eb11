import type { ReactNode } from 'react';
import { formatCount } from '../format';

const ITEMS_SHOWN = 100;

export interface ReportCount {
  label: string;
  value: number;
  /** How a non-zero value is highlighted: 'hot' for changes made, 'bad' for trouble. */
  tone?: 'hot' | 'bad';
}

interface ReportCardProps {
  /** Accessible name of the card. */
  label: string;
  headline: ReactNode;
  counts?: readonly ReportCount[];
  onDismiss: () => void;
  children?: ReactNode;
}

/** A finished job's outcome: headline, counts and Dismiss, then the details. */
export function ReportCard({ label, headline, counts = [], onDismiss, children }: ReportCardProps) {
  return (
    <section className="card report" aria-label={label}>
      <div className="report-head">
        <div className="report-headline">{headline}</div>
        {counts.length > 0 && (
          <dl className="report-counts">
            {counts.map(({ label: name, value, tone }) => (
              <div key={name} className={tone && value > 0 ? `report-count report-count-${tone}` : 'report-count'}>
                <dt>{name}</dt>
                <dd>{formatCount(value)}</dd>
              </div>
            ))}
          </dl>
        )}
        <button type="button" className="button-link" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
      {children}
    </section>
  );
}

/** A collapsed list of a report's files or names; long ones are cut, the total stays in the summary. */
export function ReportList<T>({ title, items, render }: { title: string; items: readonly T[]; render: (item: T) => ReactNode }) {
  if (items.length === 0) return null;
  return (
    <details className="more">
      <summary>
        {title} ({formatCount(items.length)})
      </summary>
      <ul className="file-list" aria-label={title}>
        {/* Static lists, and names may repeat (one image named by two records): index keys. */}
        {items.slice(0, ITEMS_SHOWN).map((item, index) => (
          <li key={index}>{render(item)}</li>
        ))}
        {items.length > ITEMS_SHOWN && <li className="muted">…and {formatCount(items.length - ITEMS_SHOWN)} more</li>}
      </ul>
    </details>
  );
}

/** How a report lists a file or name (a `render` for ReportList). */
export function pathItem(path: string): ReactNode {
  return <code className="path">{path}</code>;
}
