// Export for EAS (seed 004 步骤六 前往PAI-EAS部署, seed 003 JSON deployment): the package folder,
// written by a job, then its report: files, model_size before and after quantization, the metric of
// each weight format and why this one, warnings, and what to run next.
import { useEffect, useState } from 'react';
import { EAS_QUANTIZATIONS, StudioError, type EasExportReport, type EasQuantization, type JobInfo, type ModelVersion } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Field, fieldError } from '../../components/Field';
import { JobProgress } from '../../components/JobProgress';
import { PathField } from '../../components/PathField';
import { ReportCard, ReportList, pathItem } from '../../components/Report';
import { formatSeconds } from '../../format';
import { useAction } from '../../hooks';
import { formatKilobytes, formatRatio } from '../train/metrics';
import { CopyButton } from './CopyButton';
import { curlCommand } from './LocalService';

const QUANTIZATION_TEXT: Record<EasQuantization, { title: string; detail: string }> = {
  auto: { title: 'Automatic (recommended)', detail: 'uint8 when the validation metric drops by less than 1 point, else float16' },
  float16: { title: 'float16', detail: 'Half the size; confidences change in the third decimal at most' },
  uint8: { title: 'uint8', detail: 'A quarter of the size; can cost accuracy (measured and reported)' },
  float32: { title: 'float32', detail: 'The weights as trained, no quantization' },
};

/** A folder name from the model's: letters, digits, - and _ only. */
function slug(name: string): string {
  return name.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || 'model';
}

/** `<workspace>/eas-export/<model>-v<id>`, with the workspace path's own separator. */
export function defaultOutDir(workspace: string, model: ModelVersion): string {
  const sep = workspace.includes('\\') && !workspace.includes('/') ? '\\' : '/';
  return [workspace.replace(/[\\/]+$/, ''), 'eas-export', `${slug(model.name)}-v${model.id}`].join(sep);
}

function ExportForm({ model, onStarted, busyElsewhere }: { model: ModelVersion; onStarted: (job: JobInfo) => void; busyElsewhere: boolean }) {
  const client = useClient();
  const [outDir, setOutDir] = useState('');
  const [serviceName, setServiceName] = useState('');
  const [quantization, setQuantization] = useState<EasQuantization>('auto');
  const start = useAction(async () => {
    onStarted(await client.exportEas({ modelId: model.id, outDir: outDir.trim(), quantization, ...(serviceName.trim() !== '' && { serviceName: serviceName.trim() }) }));
  });
  // The workspace is the one folder known to be writable: suggest a folder in it.
  useEffect(() => {
    let live = true;
    client.workspaceInfo().then(
      (info) => live && setOutDir((current) => current || defaultOutDir(info.path, model)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, model]);
  const shown = start.error && !['outDir', 'serviceName', 'quantization'].includes(start.error.field ?? '') ? start.error : null;
  return (
    <form
      className="export-form"
      aria-label="Export for EAS"
      onSubmit={(event) => {
        event.preventDefault();
        void start.run();
      }}
      noValidate
    >
      <PathField
        label="Output folder"
        hint="A new or empty folder; the package is written into it"
        error={fieldError(start.error, 'outDir')}
        value={outDir}
        onChange={(value) => {
          setOutDir(value);
          start.reset();
        }}
        placeholder="/path/to/new/folder"
      />
      <Field label="EAS service name" hint="Lowercase letters, digits and _, starting with a letter; default from the model’s name" error={fieldError(start.error, 'serviceName')}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            className="input"
            value={serviceName}
            placeholder="from the model’s name"
            onChange={(event) => {
              setServiceName(event.target.value);
              start.reset();
            }}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            spellCheck={false}
          />
        )}
      </Field>
      <fieldset className="type-choice quantization-choice">
        <legend className="field-label">Weights</legend>
        {EAS_QUANTIZATIONS.map((value) => (
          <label key={value} className="type-option">
            <input type="radio" name="quantization" value={value} checked={quantization === value} onChange={() => setQuantization(value)} />
            <span>
              <strong>{QUANTIZATION_TEXT[value].title}</strong>
              <span className="muted small">{QUANTIZATION_TEXT[value].detail}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {shown && <Alert error={shown} />}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={start.busy || busyElsewhere || outDir.trim() === ''}>
          {start.busy ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </form>
  );
}

function signedPoints(change: number): string {
  const points = change * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : '±'}${Math.abs(points).toFixed(1)} pp`;
}

/** The seed's EAS steps with this package's names filled in (the folder's README.md has them all). */
function nextSteps(report: EasExportReport): Array<{ title: string; command: string }> {
  const name = report.serviceName;
  const folder = report.outDir.includes(' ') ? `"${report.outDir}"` : report.outDir;
  return [
    {
      title: 'Build the image and push it to your Container Registry (ACR)',
      command: `cd ${folder}\ndocker build -t ${name}:1.0 .\ndocker tag ${name}:1.0 registry.<REGION>.aliyuncs.com/<NAMESPACE>/${name}:1.0\ndocker push registry.<REGION>.aliyuncs.com/<NAMESPACE>/${name}:1.0`,
    },
    { title: 'Upload the model to OSS', command: `ossutil cp -r model/ oss://<BUCKET>/<PATH>/${name}/model/` },
    {
      title: 'Fill in the <PLACEHOLDERS> of service.json, check it, create the service',
      command: `npm run --silent cli -- eas-validate service.json\neascmd create service.json`,
    },
    { title: 'Call it with the endpoint and token eascmd prints', command: curlCommand({ endpoint: `http://<endpoint>/api/predict/${name}`, token: '<token>' }) },
  ];
}

export function EasReport({ report, onDismiss }: { report: EasExportReport; onDismiss: () => void }) {
  const q = report.quantization;
  const saved = q.modelSizeBefore > 0 ? 1 - q.modelSizeAfter / q.modelSizeBefore : 0;
  const formats = (['float32', 'float16', 'uint8'] as const).map((dtype) => ({ dtype, value: q[dtype] }));
  return (
    <ReportCard
      label="EAS export report"
      headline={
        <>
          Exported for EAS as service <strong>{report.serviceName}</strong> to <code className="path">{report.outDir}</code> in {formatSeconds(report.durationMs)}
        </>
      }
      counts={[
        { label: 'Files', value: report.files.length },
        { label: 'Warnings', value: report.warnings.length, tone: 'bad' },
      ]}
      onDismiss={onDismiss}
    >
      <div className="eas-report-grid">
        <section className="eas-report-section" aria-label="Model size">
          <h3 className="section-title">model_size</h3>
          <p className="eas-size">
            <span>{formatKilobytes(q.modelSizeBefore)}</span>
            <span aria-hidden="true">→</span>
            <strong>{formatKilobytes(q.modelSizeAfter)}</strong>
            <span className="muted small">{saved > 0 ? `${Math.round(saved * 100)}% smaller` : 'unchanged'}</span>
          </p>
          <p className="small">
            Exported as <strong>{q.dtype}</strong>. <span className="muted">{q.reason}</span>
          </p>
          <ReportList title="Files written" items={report.files} render={pathItem} />
        </section>
        <section className="eas-report-section" aria-label="Weight formats">
          <h3 className="section-title">Validation {q.metric} per weight format</h3>
          <table className="table" aria-label="Weight formats">
            <thead>
              <tr>
                <th scope="col">Weights</th>
                <th scope="col" className="num">
                  {q.metric}
                </th>
                <th scope="col" className="num">
                  vs float32
                </th>
              </tr>
            </thead>
            <tbody>
              {formats.map(({ dtype, value }) => (
                <tr key={dtype} className={dtype === q.dtype ? 'row-chosen' : undefined}>
                  <th scope="row" className="metric-key">
                    {dtype} {dtype === q.dtype && <span className="tag tag-good">exported</span>}
                  </th>
                  <td className="num">{value === null ? 'not measured' : formatRatio(value)}</td>
                  <td className="num">{value === null || q.float32 === null ? '—' : signedPoints(value - q.float32)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            {q.validationImages > 0
              ? `Measured on ${q.validationImages} validation images${q.maxConfidenceChange === null ? '' : `; the largest change of any class confidence: ${q.maxConfidenceChange.toFixed(4)}`}.`
              : 'No validation images could be read: the formats were not compared.'}
          </p>
        </section>
      </div>
      {report.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {report.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <section className="eas-next" aria-label="Next steps">
        <h3 className="section-title">Next steps</h3>
        <ol className="eas-steps">
          {nextSteps(report).map((step) => (
            <li key={step.title}>
              <div className="command-head">
                <span>{step.title}</span>
                <CopyButton text={step.command} what={`commands: ${step.title}`} />
              </div>
              <pre className="command-text">{step.command}</pre>
            </li>
          ))}
        </ol>
        <p className="muted small">
          The folder’s <code>README.md</code> says the same at length; <code>processor/server.js</code> runs the package locally.
        </p>
      </section>
    </ReportCard>
  );
}

/** The card: where to write the package, its service name and weight format. */
export function EasExport({ model, onStarted, running }: { model: ModelVersion; onStarted: (job: JobInfo) => void; running: boolean }) {
  return (
    <section className="card publish-section" aria-labelledby="eas-export-heading">
      <h2 id="eas-export-heading" className="section-heading">
        Export for EAS
      </h2>
      <p className="muted">
        A folder to deploy on PAI-EAS as a custom image: the model, the prediction processor, a Dockerfile, <code>service.json</code> for <code>eascmd create</code> and a README.
      </p>
      <ExportForm model={model} onStarted={onStarted} busyElsewhere={running} />
    </section>
  );
}

/** The export job's progress, then its report (or why it failed). */
export function EasExportOutcome({ job, onDismiss }: { job: JobInfo; onDismiss: () => void }) {
  const client = useClient();
  const cancel = useAction(() => client.cancelJob(job.id));
  if (job.kind !== 'export-eas') return null;
  return (
    <div className="eas-outcome">
      {job.state === 'running' && <JobProgress job={job} onCancel={() => void cancel.run()} cancelling={cancel.busy} />}
      {cancel.error && <Alert error={cancel.error} />}
      {job.state === 'done' && job.result && <EasReport report={job.result} onDismiss={onDismiss} />}
      {job.state === 'failed' && <Alert error={job.error ? StudioError.from(job.error) : new StudioError('internal', 'The EAS export failed')} action={{ label: 'Dismiss', onClick: onDismiss }} />}
      {job.state === 'cancelled' && (
        <div className="alert alert-warn" role="status">
          <span>The EAS export was cancelled; delete its partial folder before exporting there again.</span>
          <button type="button" className="button-link" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
