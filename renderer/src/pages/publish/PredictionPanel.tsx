// One model version's answer for the tried image: the image with the boxes drawn over it, and the
// seed's two views of the result, 列表展示 (a list with confidence bars) and JSON (what the service
// returns, byte for byte the same object).
import { useEffect, useId, useMemo, useState } from 'react';
import type { EasResult, InstanceType, ModelVersion, StudioError } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { toStudioError } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { labelColor } from '../../labeling/canvas/paint';
import { href } from '../../router';
import { CopyButton } from './CopyButton';
import type { PickedImage } from './pickedImage';
import { PredictionCanvas } from './PredictionCanvas';
import { applyThreshold, bounds, formatConfidence, predictionItems, serviceResponse, type PredictionItem } from './predictions';
import { versionText } from './VersionSelect';

export type ResultView = 'list' | 'json';
const VIEWS: ReadonlyArray<[ResultView, string]> = [
  ['list', 'List'],
  ['json', 'JSON'],
];

interface Outcome {
  /** Which model and image it answers, so a stale answer is never shown for a new pick. */
  key: string;
  result: EasResult | null;
  error: StudioError | null;
  ms: number;
}

function usePrediction(modelId: number, image: PickedImage): { outcome: Outcome | null; busy: boolean } {
  const client = useClient();
  const key = `${modelId}|${image.key}`;
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useEffect(() => {
    let live = true;
    const started = performance.now();
    client.predict({ modelId, images: [{ base64: image.base64, name: image.name }] }).then(
      ([prediction]) => live && setOutcome({ key, result: prediction?.result ?? null, error: null, ms: performance.now() - started }),
      (failure: unknown) => live && setOutcome({ key, result: null, error: toStudioError(failure), ms: performance.now() - started }),
    );
    return () => {
      live = false;
    };
  }, [client, key, modelId, image]);
  const current = outcome?.key === key ? outcome : null;
  return { outcome: current, busy: current === null };
}

function where(type: InstanceType, item: PredictionItem): string | null {
  if (!item.quad || type === 'classification') return null;
  const b = bounds(item.quad);
  return `(${Math.round(b.xmin)}, ${Math.round(b.ymin)}) – (${Math.round(b.xmax)}, ${Math.round(b.ymax)})`;
}

function PredictionList({ type, shown, hidden, onHover }: { type: InstanceType; shown: PredictionItem[]; hidden: number; onHover: (index: number | null) => void }) {
  const noun = type === 'classification' ? 'class' : type === 'ocr' ? 'text line' : 'box';
  return (
    <div className="prediction-list-wrap">
      {shown.length === 0 ? (
        <p className="muted">No {noun} reaches the threshold.</p>
      ) : (
        <ol className="prediction-list" aria-label="Predictions">
          {shown.map((item) => {
            const position = where(type, item);
            return (
              <li key={item.index} className="prediction-row" onMouseEnter={() => onHover(item.index)} onMouseLeave={() => onHover(null)}>
                <span className="prediction-label" title={item.label}>
                  {type !== 'classification' && <span className="prediction-swatch" style={{ background: labelColor(item.label) }} aria-hidden="true" />}
                  {item.label}
                </span>
                <span className="bar-track" aria-hidden="true">
                  <span className="bar-fill" style={{ width: `${Math.max(0, Math.min(1, item.conf)) * 100}%` }} />
                </span>
                <span className="prediction-conf">{formatConfidence(item.conf)}</span>
                {position && <span className="prediction-where muted small">{position}</span>}
              </li>
            );
          })}
        </ol>
      )}
      {hidden > 0 && (
        <p className="muted small" role="status">
          {hidden} below the threshold hidden
        </p>
      )}
    </div>
  );
}

function JsonView({ result }: { result: EasResult }) {
  const json = useMemo(() => serviceResponse(result), [result]);
  return (
    <div className="json-view">
      <div className="json-toolbar">
        <span className="muted small">The service’s whole answer: the threshold filters only the list and the drawing.</span>
        <CopyButton text={json} what="JSON" />
      </div>
      <pre className="json-text" aria-label="Service response">
        {json}
      </pre>
    </div>
  );
}

interface PredictionPanelProps {
  model: ModelVersion;
  image: PickedImage;
  threshold: number;
  view: ResultView;
  onView: (view: ResultView) => void;
  /** Two panels side by side: stacked inside, and titled by version. */
  compact: boolean;
}

export function PredictionPanel({ model, image, threshold, view, onView, compact }: PredictionPanelProps) {
  const { outcome, busy } = usePrediction(model.id, image);
  const [hovered, setHovered] = useState<number | null>(null);
  const ids = useId();
  const items = useMemo(() => (outcome?.result ? predictionItems(outcome.result, model.type) : []), [outcome, model.type]);
  const { shown, hidden } = applyThreshold(items, threshold);
  const frame = outcome?.result?.meta ?? { width: image.bitmap.width, height: image.bitmap.height };

  return (
    <section className={`card prediction-panel${compact ? ' prediction-panel-compact' : ''}`} aria-label={`Prediction of v${model.id}`} aria-busy={busy}>
      <div className="prediction-head">
        <a className="strong-link" href={href({ page: 'model', id: model.id })}>
          {versionText(model)}
        </a>
        <span className="muted small">{busy ? 'Predicting…' : `${Math.round(outcome!.ms)} ms`}</span>
      </div>
      <div className="prediction-body">
        <PredictionCanvas bitmap={image.bitmap} frame={frame} type={model.type} items={shown} highlighted={hovered} name={image.name} />
        <div className="prediction-results">
          <div role="tablist" aria-label="Result views" className="filter-tabs prediction-tabs">
            {VIEWS.map(([value, label]) => (
              <button
                key={value}
                type="button"
                role="tab"
                id={`${ids}-tab-${value}`}
                aria-controls={`${ids}-panel`}
                aria-selected={view === value}
                className="filter-tab"
                onClick={() => onView(value)}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`${ids}-panel`} aria-labelledby={`${ids}-tab-${view}`} className="prediction-tabpanel">
            {outcome?.error && <Alert error={outcome.error} />}
            {busy && <p className="muted">Predicting…</p>}
            {outcome?.result && (view === 'list' ? <PredictionList type={model.type} shown={shown} hidden={hidden} onHover={setHovered} /> : <JsonView result={outcome.result} />)}
          </div>
        </div>
      </div>
    </section>
  );
}
