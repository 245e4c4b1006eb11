interface ConfusionMatrixProps {
  /** Row and column labels, in matrix order. */
  labels: readonly string[];
  /** Rows: true label; columns: predicted label. */
  matrix: ReadonlyArray<ReadonlyArray<number>>;
}

/**
 * A heatmap table: each cell is shaded by its share of its row (the true label's images), so a
 * rare class's mistakes stand out as much as a common one's. Correct predictions are blue, mistakes
 * red. A plain table keeps it readable by screen readers and copyable.
 */
export function ConfusionMatrix({ labels, matrix }: ConfusionMatrixProps) {
  if (labels.length === 0) return <p className="muted">No validation images.</p>;
  return (
    <div className="confusion-scroll">
      <table className="confusion" aria-label="Confusion matrix">
        <thead>
          <tr>
            <th className="confusion-corner" scope="col">
              <span className="confusion-axis">true ↓ · predicted →</span>
            </th>
            {labels.map((label) => (
              <th key={label} scope="col" className="confusion-col" title={label}>
                <span>{label}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((truth, row) => {
            const counts = matrix[row] ?? [];
            const total = counts.reduce((sum, n) => sum + n, 0);
            return (
              <tr key={truth}>
                <th scope="row" className="confusion-row" title={truth}>
                  {truth}
                </th>
                {labels.map((predicted, column) => {
                  const count = counts[column] ?? 0;
                  const share = total > 0 ? count / total : 0;
                  const hue = row === column ? '0 100 200' : '198 40 40';
                  return (
                    <td
                      key={predicted}
                      className={share > 0.55 ? 'confusion-cell confusion-cell-strong' : 'confusion-cell'}
                      style={{ background: count > 0 ? `rgb(${hue} / ${0.1 + share * 0.85})` : undefined }}
                      title={`true ${truth}, predicted ${predicted}: ${count} of ${total}`}
                    >
                      {count}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
