import type { Dataset, PathIssue } from '../../../main/shared/api';
import { formatCount } from '../format';

const LABELS_SHOWN = 12;
const ISSUES_SHOWN = 200;

function Metric({ label, value, tone }: { label: string; value: number; tone?: 'good' | 'warn' | 'bad' }) {
  return (
    <div className={`metric${tone && value > 0 ? ` metric-${tone}` : ''}`} role="group" aria-label={label}>
      <div className="metric-value">{formatCount(value)}</div>
      <div className="metric-label">{label}</div>
    </div>
  );
}

function LabelBars({ labels, unit }: { labels: Record<string, number>; unit: string }) {
  const entries = Object.entries(labels).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return <p className="muted">No labels yet.</p>;
  const max = entries[0]?.[1] ?? 1;
  const bar = ([label, count]: [string, number]) => (
    <li key={label} className="bar-row" title={`${label}: ${count} ${unit}`}>
      <span className="bar-label">{label}</span>
      <span className="bar-track">
        <span className="bar-fill" style={{ width: `${(count / max) * 100}%` }} />
      </span>
      <span className="bar-count">{formatCount(count)}</span>
    </li>
  );
  const rest = entries.slice(LABELS_SHOWN);
  return (
    <>
      <ul className="bars" aria-label={`Labels (${unit})`}>
        {entries.slice(0, LABELS_SHOWN).map(bar)}
      </ul>
      {rest.length > 0 && (
        <details className="more">
          <summary>{formatCount(rest.length)} more labels</summary>
          <ul className="bars">{rest.map(bar)}</ul>
        </details>
      )}
    </>
  );
}

function IssueList({ title, issues }: { title: string; issues: PathIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <details className="stats-section issues" open={issues.length <= 5}>
      <summary>
        <h3 className="section-title">
          {title} <span className="count-badge count-badge-bad">{formatCount(issues.length)}</span>
        </h3>
      </summary>
      <ul aria-label={title}>
        {issues.slice(0, ISSUES_SHOWN).map((issue) => (
          <li key={issue.path}>
            <code className="path">{issue.path}</code>
            <span className="issue-reason">{issue.reason}</span>
          </li>
        ))}
      </ul>
      {issues.length > ISSUES_SHOWN && <p className="muted">…and {formatCount(issues.length - ISSUES_SHOWN)} more</p>}
    </details>
  );
}

export function StatsPanel({ dataset }: { dataset: Dataset }) {
  const { stats, type } = dataset;
  const hasBoxes = type !== 'classification';
  return (
    <section className="stats" aria-label="Dataset statistics">
      <div className="metrics">
        <Metric label="Images" value={stats.images} />
        <Metric label="Labeled" value={stats.labeled} tone="good" />
        <Metric label="Unlabeled" value={stats.unlabeled} tone="warn" />
        <Metric label="Invalid" value={stats.invalid.length} tone="bad" />
        {hasBoxes && <Metric label="Boxes" value={stats.boxes} />}
      </div>
      <div className="stats-section">
        <h3 className="section-title">{hasBoxes ? 'Boxes per label' : 'Images per label'}</h3>
        <LabelBars labels={stats.labels} unit={hasBoxes ? 'boxes' : 'images'} />
      </div>
      {stats.warnings.length > 0 && (
        <div className="stats-section">
          <h3 className="section-title">Warnings</h3>
          <ul className="warnings" aria-label="Warnings">
            {stats.warnings.map((warning) => (
              <li key={`${warning.code}:${warning.label ?? ''}`}>{warning.message}</li>
            ))}
          </ul>
        </div>
      )}
      <IssueList title="Invalid files" issues={stats.invalid} />
      <IssueList title="Annotation errors" issues={stats.annotationErrors} />
    </section>
  );
}
