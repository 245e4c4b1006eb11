// The seed's 体验 (步骤五): run a model version on an image from this machine. Drop or pick an image;
// the list and the JSON views show what the service would answer, boxes and OCR text are drawn over
// the image, a threshold filters both, and a second version can answer beside the first.
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { StudioError } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Breadcrumbs } from '../../components/Breadcrumbs';
import { basename, formatCount } from '../../format';
import { useResource } from '../../hooks';
import { href, navigate } from '../../router';
import { useInstance, useModels } from '../train/hooks';
import { formatKilobytes } from '../train/metrics';
import { ACCEPTED_TYPES, readImage, remember, rememberedImage, type PickedImage } from './pickedImage';
import { PredictionPanel, type ResultView } from './PredictionPanel';
import { defaultThreshold, formatConfidence } from './predictions';
import { VersionSelect } from './VersionSelect';

function ImagePicker({ label, onFile, primary }: { label: string; onFile: (file: File) => void; primary: boolean }) {
  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // Cleared so that picking the same file again still reads it (after editing it on disk).
    event.target.value = '';
    if (file) onFile(file);
  };
  return (
    <label className={primary ? 'button button-primary file-button' : 'button file-button'}>
      {label}
      <input type="file" accept={ACCEPTED_TYPES.join(',')} className="visually-hidden" onChange={pick} />
    </label>
  );
}

export function TryPage({ id }: { id: number }) {
  const client = useClient();
  const model = useResource(
    () => client.getModel(id),
    [client, id],
    (event) => event.type === 'models-changed',
  );
  // While another version loads, the previous one's data must not stand in for it.
  const current = model.data?.id === id ? model.data : undefined;
  const instance = useInstance(current?.instanceId);
  const versions = useModels(current?.instanceId);
  const [image, setImage] = useState<PickedImage | null>(rememberedImage);
  const [reading, setReading] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);
  const [compareId, setCompareId] = useState<number | null>(null);
  const [threshold, setThreshold] = useState<number | null>(null);
  const [view, setView] = useState<ResultView>('list');
  const [dragging, setDragging] = useState(false);

  const compared = compareId === null || compareId === id ? undefined : versions.data?.find((version) => version.id === compareId);
  const cut = threshold ?? (current ? defaultThreshold(current.type) : 0);

  const open = (file: File) => {
    setReading(true);
    setReadError(null);
    readImage(file).then(
      (picked) => {
        remember(picked);
        setImage(picked);
        setReading(false);
      },
      (failure: unknown) => {
        setReadError(failure instanceof Error ? failure.message : String(failure));
        setReading(false);
      },
    );
  };
  // Dropped anywhere in the window: outside the page's own box a browser would open the file instead.
  const openLatest = useRef(open);
  openLatest.current = open;
  useEffect(() => {
    const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer!.dropEffect = 'copy';
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (event.relatedTarget === null) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      setDragging(false);
      const file = event.dataTransfer?.files[0];
      if (file) openLatest.current(file);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const gone = model.error?.code === 'not_found';
  return (
    <div className={`page page-try${dragging ? ' page-try-dragging' : ''}`}>
      <Breadcrumbs
        trail={[
          { label: 'Instances', href: href({ page: 'instances' }) },
          current ? { label: instance.data?.name ?? '…', href: href({ page: 'instance', id: current.instanceId }) } : { label: '…' },
          current ? { label: 'Try & Publish', href: href({ page: 'publish', instanceId: current.instanceId }) } : { label: 'Try & Publish' },
          { label: current ? `${current.name} (v${current.id})` : '…', href: href({ page: 'model', id }) },
          { label: 'Try' },
        ]}
      />
      {gone ? <p className="empty">This model version does not exist (any more).</p> : model.error && <Alert error={model.error} action={{ label: 'Retry', onClick: model.reload }} />}
      {current && (
        <>
          <div className="page-head">
            <div className="page-head-main">
              <h1>
                Try {current.name} <span className="tag">v{current.id}</span>
              </h1>
              <p className="muted">
                Runs the model on an image from this machine and shows what its EAS service answers. Labels: {current.labels.join(', ') || '—'}.
              </p>
            </div>
            <div className="page-actions">
              <VersionSelect
                label="Model version"
                value={id}
                versions={versions.data ?? [current]}
                onChange={(next) => {
                  if (next === null || next === id) return;
                  if (next === compareId) setCompareId(id);
                  navigate({ page: 'model-try', id: next });
                }}
              />
              <VersionSelect label="Compare with" value={compared?.id ?? null} versions={versions.data ?? []} exclude={id} none="no other version" onChange={setCompareId} />
              <a className="button" href={href({ page: 'model-publish', id })}>
                Publish
              </a>
            </div>
          </div>

          <div className="card try-toolbar">
            <ImagePicker label={image ? 'Choose another image…' : 'Choose image…'} onFile={open} primary={!image} />
            <div className="try-file">
              {reading ? (
                <span className="muted">Reading…</span>
              ) : image ? (
                <>
                  <strong title={image.name}>{basename(image.name)}</strong>
                  <span className="muted small">
                    {formatCount(image.bitmap.width)}×{formatCount(image.bitmap.height)} · {formatKilobytes(image.size)}
                  </span>
                </>
              ) : (
                <span className="muted">or drop an image anywhere in this window</span>
              )}
            </div>
            <div className="try-threshold">
              <label htmlFor="try-threshold" className="field-label">
                Confidence threshold
              </label>
              <div className="slider-row">
                <input
                  id="try-threshold"
                  type="range"
                  min={0}
                  max={100}
                  step={1}
                  value={Math.round(cut * 100)}
                  onChange={(event) => setThreshold(Number(event.target.value) / 100)}
                  aria-valuetext={formatConfidence(cut)}
                />
                <span className="slider-value">{Math.round(cut * 100)}%</span>
              </div>
            </div>
          </div>
          {readError && <Alert error={new StudioError('invalid_input', readError)} />}

          {!image ? (
            <div className="drop-zone" aria-label="Drop an image">
              <strong>Drop a JPEG, PNG or BMP image here</strong>
              <span className="muted">or use “Choose image…” above. It is read on this machine and sent to the model as base64, as the EAS service receives it.</span>
            </div>
          ) : (
            <div className={compared ? 'try-compare' : 'try-single'}>
              <PredictionPanel model={current} image={image} threshold={cut} view={view} onView={setView} compact={Boolean(compared)} />
              {compared && <PredictionPanel model={compared} image={image} threshold={cut} view={view} onView={setView} compact />}
            </div>
          )}
          {dragging && <div className="drop-overlay" aria-hidden="true">Drop to try this image</div>}
        </>
      )}
    </div>
  );
}
