// Export to and import from other tools' formats, on the dataset page: the two dialogs that start
// the jobs and the cards that show their reports.

import { useState } from 'react';
import type { Dataset, ExportFormat, ExportReport, FormatInfo, ImportReport, JobInfo } from '../../../main/shared/api';
import { useClient } from '../api/context';
import { Dialog } from '../components/Dialog';
import { Field, fieldError } from '../components/Field';
import { PathField } from '../components/PathField';
import { ReportCard, ReportList, pathItem } from '../components/Report';
import { formatCount, formatSeconds, plural } from '../format';
import { useAction } from '../hooks';

interface InterchangeDialogProps {
  dataset: Dataset;
  /** The formats that carry the dataset's instance type; never empty. */
  formats: readonly FormatInfo[];
  /** The job has started; the page follows it from here, and the dialog closes. */
  onStarted: (job: JobInfo) => void;
  onClose: () => void;
}

function formatTitle(formats: readonly FormatInfo[], id: ExportFormat): string {
  return formats.find((format) => format.id === id)?.title ?? id;
}

function FormatField({ formats, value, onChange, error }: { formats: readonly FormatInfo[]; value: ExportFormat; onChange: (id: ExportFormat) => void; error: string | null }) {
  const selected = formats.find((format) => format.id === value);
  return (
    <Field label="Format" hint={selected?.description} error={error}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          className="input"
          value={value}
          onChange={(event) => {
            const picked = formats.find((format) => format.id === event.target.value);
            if (picked) onChange(picked.id);
          }}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        >
          {formats.map((format) => (
            <option key={format.id} value={format.id}>
              {format.title}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

const DEFAULT_TRAIN_SHARE = '0.9';
const DEFAULT_SEED = '0';

/** Why a typed train share or seed cannot be sent, or null; checked here so the server sees sane input. */
function shareProblem(text: string): string | null {
  const share = Number(text);
  return text.trim() !== '' && share > 0 && share < 1 ? null : 'A share between 0 and 1, e.g. 0.9';
}
function seedProblem(text: string): string | null {
  const seed = Number(text);
  return text.trim() !== '' && Number.isInteger(seed) && seed >= 0 ? null : 'A whole number, 0 or more';
}

export function ExportDialog({ dataset, formats, onStarted, onClose }: InterchangeDialogProps) {
  const client = useClient();
  const [format, setFormat] = useState(formats[0]!.id);
  const [outDir, setOutDir] = useState('');
  const [split, setSplit] = useState(false);
  const [share, setShare] = useState(DEFAULT_TRAIN_SHARE);
  const [seed, setSeed] = useState(DEFAULT_SEED);
  const [images, setImages] = useState<'link' | 'copy'>('link');
  const start = useAction(async () => {
    const splitInput = split ? { split: Number(share), seed: Number(seed) } : {};
    onStarted(await client.exportDataset({ datasetId: dataset.id, format, outDir: outDir.trim(), images, ...splitInput }));
  });
  const problems = split ? { share: shareProblem(share), seed: seedProblem(seed) } : { share: null, seed: null };

  return (
    <Dialog
      title={`Export “${dataset.name}”`}
      submitLabel="Export"
      onClose={onClose}
      onSubmit={() => void start.run()}
      busy={start.busy}
      canSubmit={outDir.trim() !== '' && problems.share === null && problems.seed === null}
      error={start.error}
      fields={['format', 'outDir', 'split', 'seed']}
      onEdit={start.reset}
    >
      <FormatField formats={formats} value={format} onChange={setFormat} error={fieldError(start.error, 'format')} />
      <PathField
        label="Output folder"
        hint="A new or empty folder outside the dataset folder. Only labeled images are exported."
        error={fieldError(start.error, 'outDir')}
        value={outDir}
        onChange={(value) => {
          setOutDir(value);
          start.reset();
        }}
        placeholder="/absolute/path/to/export"
        autoFocus
      />
      <div className="split-choice">
        <label className="check">
          <input type="checkbox" checked={split} onChange={(event) => setSplit(event.target.checked)} />
          Split into train/val
        </label>
        <div className="field-pair">
          <Field label="Train share" hint="The rest goes to val." error={problems.share ?? fieldError(start.error, 'split')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                className="input"
                type="number"
                min={0.05}
                max={0.95}
                step={0.05}
                value={share}
                onChange={(event) => setShare(event.target.value)}
                disabled={!split}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field label="Seed" hint="The same seed gives the same split." error={problems.seed ?? fieldError(start.error, 'seed')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                className="input"
                type="number"
                min={0}
                step={1}
                value={seed}
                onChange={(event) => setSeed(event.target.value)}
                disabled={!split}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
        </div>
      </div>
      <fieldset className="inline-choice">
        <legend className="field-label">Images</legend>
        <label className="check">
          <input type="radio" name="export-images" checked={images === 'link'} onChange={() => setImages('link')} />
          Link (fast, no extra space)
        </label>
        <label className="check">
          <input type="radio" name="export-images" checked={images === 'copy'} onChange={() => setImages('copy')} />
          Copy
        </label>
        <p className="field-note">Links are hard links where the disk allows, copies elsewhere; EXIF-rotated photos are always written upright.</p>
      </fieldset>
    </Dialog>
  );
}

export function ImportDialog({ dataset, formats, onStarted, onClose }: InterchangeDialogProps) {
  const client = useClient();
  const [format, setFormat] = useState(formats[0]!.id);
  const [from, setFrom] = useState('');
  const start = useAction(async () => {
    onStarted(await client.importAnnotations({ datasetId: dataset.id, format, from: from.trim() }));
  });

  return (
    <Dialog
      title={`Import annotations into “${dataset.name}”`}
      submitLabel="Import"
      onClose={onClose}
      onSubmit={() => void start.run()}
      busy={start.busy}
      canSubmit={from.trim() !== ''}
      error={start.error}
      fields={['format', 'from']}
      onEdit={start.reset}
    >
      <FormatField formats={formats} value={format} onChange={setFormat} error={fieldError(start.error, 'format')} />
      <PathField
        // The one format whose annotations may come as a single file (see ImportInput.from).
        label={format === 'coco' ? 'Source folder or COCO JSON file' : 'Source folder'}
        hint="What the other tool wrote, in the format chosen above."
        error={fieldError(start.error, 'from')}
        value={from}
        onChange={(value) => {
          setFrom(value);
          start.reset();
        }}
        placeholder="/absolute/path/to/annotations"
        autoFocus
      />
      <p className="alert alert-warn">
        Imported annotations replace the current ones of matched images (matched by file name); other images keep theirs. They count as studio
        edits, so a re-index keeps them.
      </p>
    </Dialog>
  );
}

export function ExportReportCard({ report, formats, onDismiss }: { report: ExportReport; formats: readonly FormatInfo[]; onDismiss: () => void }) {
  return (
    <ReportCard
      label="Export report"
      onDismiss={onDismiss}
      headline={
        <>
          <strong>
            Exported {plural(report.images, 'image')} as {formatTitle(formats, report.format)}
          </strong>{' '}
          to <code className="path">{report.outDir}</code>: {plural(report.files, 'file')} in {formatSeconds(report.durationMs)}
          {report.skipped > 0 && ` (${formatCount(report.skipped)} unlabeled or invalid left out)`}
        </>
      }
    />
  );
}

export function ImportReportCard({ report, formats, onDismiss }: { report: ImportReport; formats: readonly FormatInfo[]; onDismiss: () => void }) {
  return (
    <ReportCard
      label="Import report"
      onDismiss={onDismiss}
      headline={
        <strong>
          Imported {formatTitle(formats, report.format)} annotations in {formatSeconds(report.durationMs)}
        </strong>
      }
      counts={[
        { label: 'Updated', value: report.updated, tone: 'hot' },
        { label: 'Unmatched', value: report.unmatched.length },
        { label: 'Problems', value: report.problems.length, tone: 'bad' },
      ]}
    >
      {report.updated === 0 && report.unmatched.length > 0 && (
        <p className="alert alert-warn">No entry named an image of this dataset; images are matched by file name.</p>
      )}
      <ReportList title="Unmatched names" items={report.unmatched} render={pathItem} />
      <ReportList
        title="Problems"
        items={report.problems}
        render={(problem) => (
          <>
            {pathItem(problem.path)} <span className="muted">{problem.reason}</span>
          </>
        )}
      />
    </ReportCard>
  );
}
