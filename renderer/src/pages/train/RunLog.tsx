import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useRunLogs } from './hooks';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

/**
 * The run's log, following new lines: it stays scrolled to the end while the reader is there, and
 * stops following (until they scroll back down or tick Follow) once they scroll up to read.
 */
export function RunLog({ runId }: { runId: number }) {
  const { lines, error } = useRunLogs(runId);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = box.current;
    if (element && follow) element.scrollTop = element.scrollHeight;
  }, [lines, follow]);

  // Scrolling to the end resumes following; scrolling away pauses it.
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const onScroll = () => setFollow(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <section className="run-log" aria-label="Log">
      <div className="run-log-bar">
        <span className="muted small">{lines.length} lines</span>
        <label className="check small">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
          Follow new lines
        </label>
      </div>
      {error && <p className="alert alert-error">{error}</p>}
      <div ref={box} className="run-log-lines" role="log" aria-live="polite" aria-label="Log lines" tabIndex={0}>
        {lines.length === 0 && <p className="muted">No log lines yet.</p>}
        {lines.map((line, index) => (
          <div key={index} className={`log-line log-${line.level}`}>
            <time dateTime={line.at}>{time(line.at)}</time>
            <span className="log-level">{line.level}</span>
            <span className="log-message">{line.message}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
