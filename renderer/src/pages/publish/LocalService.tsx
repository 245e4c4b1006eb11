// The model behind the PAI-EAS API on this machine (seed 004 步骤六 "调用模型", served locally):
// start it on a port, then the endpoint, the token and a curl call ready to paste; stop it.
import { useState } from 'react';
import type { ModelVersion, ServiceInfo } from '../../../../main/shared/api';
import { useClient } from '../../api/context';
import { Alert } from '../../components/Alert';
import { Field, fieldError } from '../../components/Field';
import { formatDate } from '../../format';
import { useAction, type Resource } from '../../hooks';
import { CopyButton } from './CopyButton';

const DEFAULT_PORT = 8000;

/**
 * A curl call as the seed's 调用示例, with the image read from a file instead of a literal "****".
 * The body goes through stdin: as an argument, any photo over ~96 KB would exceed the OS's
 * per-argument limit ("Argument list too long").
 */
export function curlCommand(service: Pick<ServiceInfo, 'endpoint' | 'token'>): string {
  const body = `(printf '{"dataArray": [{"name": "image", "type": "stream", "body": "'; base64 < image.jpg | tr -d '\\n'; printf '"}]}')`;
  return `${body} \\\n  | curl ${service.endpoint} -H 'Authorization: ${service.token}' --data-binary @-`;
}

function portProblem(text: string): string | null {
  if (text.trim() === '') return null;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? null : 'Port must be a whole number from 0 to 65535 (0: any free port)';
}

function RunningService({ service, onStopped }: { service: ServiceInfo; onStopped: () => void }) {
  const client = useClient();
  const stop = useAction(async () => {
    await client.stopService(service.name);
    onStopped();
  });
  const curl = curlCommand(service);
  return (
    <div className="service" aria-label={`Service ${service.name}`}>
      <div className="service-status">
        <span className="tag tag-good" role="status">
          Running
        </span>
        <span className="muted small">
          {service.name} · since {formatDate(service.startedAt)} · listening on {service.host} only
        </span>
        <button type="button" className="button button-small button-quiet-danger service-stop" onClick={() => void stop.run()} disabled={stop.busy}>
          {stop.busy ? 'Stopping…' : 'Stop service'}
        </button>
      </div>
      {stop.error && <Alert error={stop.error} />}
      <dl className="service-facts">
        <dt>Endpoint</dt>
        <dd>
          <code className="service-value" aria-label="Endpoint URL">
            {service.endpoint}
          </code>
          <CopyButton text={service.endpoint} what="endpoint URL" />
        </dd>
        <dt>Token</dt>
        <dd>
          <code className="service-value" aria-label="Token">
            {service.token}
          </code>
          <CopyButton text={service.token} what="token" />
        </dd>
        <dt>Method</dt>
        <dd className="muted service-method">
          POST, the token in the <code>Authorization</code> header, the image as base64 in <code>dataArray[0].body</code>
        </dd>
      </dl>
      <div className="command">
        <div className="command-head">
          <span className="field-label">Call it with curl</span>
          <span className="muted small">replace image.jpg with your image</span>
          <CopyButton text={curl} what="curl command" />
        </div>
        <pre className="command-text" aria-label="curl command">
          {curl}
        </pre>
      </div>
    </div>
  );
}

function StartForm({ model, onStarted }: { model: ModelVersion; onStarted: () => void }) {
  const client = useClient();
  const [port, setPort] = useState(String(DEFAULT_PORT));
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const problem = portProblem(port);
  const start = useAction(async () => {
    await client.startService({
      modelId: model.id,
      ...(port.trim() !== '' && { port: Number(port) }),
      ...(name.trim() !== '' && { name: name.trim() }),
      ...(token !== '' && { token }),
    });
    onStarted();
  });
  const shown = start.error && !['port', 'name', 'token'].includes(start.error.field ?? '') ? start.error : null;
  return (
    <form
      className="service-form"
      aria-label="Start a local service"
      onSubmit={(event) => {
        event.preventDefault();
        if (!problem) void start.run();
      }}
      onChange={start.reset}
      noValidate
    >
      <div className="service-fields">
        <Field label="Port" hint="0 picks any free port" error={problem ?? fieldError(start.error, 'port')}>
          {({ id, describedBy, invalid }) => (
            <input id={id} className="input input-narrow" inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} />
          )}
        </Field>
        <Field label="Service name" hint="In /api/predict/<name>; default from the model’s name" error={fieldError(start.error, 'name')}>
          {({ id, describedBy, invalid }) => (
            <input id={id} className="input" value={name} placeholder="from the model’s name" onChange={(event) => setName(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} spellCheck={false} />
          )}
        </Field>
        <Field label="Token" hint="Callers send it in Authorization; default a random one" error={fieldError(start.error, 'token')}>
          {({ id, describedBy, invalid }) => (
            <input id={id} className="input input-mono" value={token} placeholder="random" onChange={(event) => setToken(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} spellCheck={false} autoComplete="off" />
          )}
        </Field>
      </div>
      {shown && <Alert error={shown} />}
      <div className="form-actions">
        <span className="muted small form-note">Listens on 127.0.0.1: only this machine can call it.</span>
        <button type="submit" className="button button-primary" disabled={start.busy || problem !== null}>
          {start.busy ? 'Starting…' : 'Start service'}
        </button>
      </div>
    </form>
  );
}

/** The card: this version's running services, or a form to start one. */
export function LocalService({ model, services }: { model: ModelVersion; services: Resource<ServiceInfo[]> }) {
  const mine = (services.data ?? []).filter((service) => service.modelId === model.id);
  return (
    <section className="card publish-section" aria-labelledby="local-service-heading">
      <div className="publish-section-head">
        <h2 id="local-service-heading" className="section-heading">
          Local service
        </h2>
        {mine.length === 0 && services.data && <span className="tag">Stopped</span>}
      </div>
      <p className="muted">The same REST API as a PAI-EAS service, on this machine: try your client code against it before deploying.</p>
      {services.error && <Alert error={services.error} action={{ label: 'Retry', onClick: services.reload }} />}
      {mine.map((service) => (
        <RunningService key={service.name} service={service} onStopped={services.reload} />
      ))}
      {services.data && mine.length === 0 && <StartForm model={model} onStarted={services.reload} />}
    </section>
  );
}
