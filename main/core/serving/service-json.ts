// service.json: EAS's JSON deployment format (`eascmd create service.json`, the console's "JSON
// deployment", the CreateService API body) for the exported image, and a validator for the copy
// the user fills in. Fields and rules: seed 003 and shared/reference/eas.md §1 (image-based
// deployment: metadata, cloud, containers, storage). Placeholders are written as <UPPER_CASE>.

import { serviceNameProblem } from './service';

/** Where the exported service.json mounts the model and what the container runs. */
export const CONTAINER = {
  /** The PAI SDK's default model mount (eas.md §6). */
  modelMount: '/eas/workspace/model/',
  appDir: '/app',
  port: 8000,
} as const;

/** EAS's engine listens on these inside every instance (seed 003). */
export const RESERVED_PORTS = [8080, 9090];

export interface ServiceJsonOptions {
  serviceName: string;
  queueSize: number;
}

/** The container's command: the bundled processor on the mounted model, behind EAS's gateway (which checks the token). */
export function containerCommand(serviceName: string, queueSize: number): string {
  return `node ${CONTAINER.appDir}/server.js --model ${CONTAINER.modelMount.replace(/\/$/, '')} --name ${serviceName} --host 0.0.0.0 --port ${CONTAINER.port} --queue-size ${queueSize} --no-auth`;
}

/** An image-based deployment with placeholders (<REGION>, <NAMESPACE>, <BUCKET>, <PATH>) to fill in. */
export function serviceJson(opts: ServiceJsonOptions): Record<string, unknown> {
  return {
    metadata: {
      name: opts.serviceName,
      instance: 1,
      cpu: 2,
      memory: 4096,
      gpu: 0,
      rpc: { keepalive: 30000, max_queue_size: opts.queueSize },
    },
    cloud: { computing: { instances: [{ type: 'ecs.c7a.large' }] } },
    containers: [
      {
        image: `registry-vpc.<REGION>.aliyuncs.com/<NAMESPACE>/${opts.serviceName}:1.0`,
        command: containerCommand(opts.serviceName, opts.queueSize),
        port: CONTAINER.port,
      },
    ],
    storage: [{ mount_path: CONTAINER.modelMount, oss: { path: `oss://<BUCKET>/<PATH>/${opts.serviceName}/model/`, readOnly: true } }],
  };
}

export interface ServiceJsonProblem {
  /** JSON path of the field, e.g. containers[0].port. */
  field: string;
  message: string;
}

const PLACEHOLDER = /<[A-Z][A-Z0-9_]*>/;
const OSS_PATH = /^oss:\/\/[a-z0-9][a-z0-9-]{1,61}[a-z0-9](\/.*)?$/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Problems of a filled-in service.json, each naming its field; [] when it can be deployed as far as can be told here. */
export function validateServiceJson(doc: unknown): ServiceJsonProblem[] {
  const problems: ServiceJsonProblem[] = [];
  const bad = (field: string, message: string) => problems.push({ field, message });
  if (!isObject(doc)) return [{ field: '(root)', message: 'service.json must be a JSON object' }];

  walkStrings(doc, '', (path, value) => {
    const hole = PLACEHOLDER.exec(value);
    if (hole) bad(path, `still holds the placeholder ${hole[0]}: replace it with your value`);
  });

  const meta = doc.metadata;
  if (!isObject(meta)) {
    bad('metadata', 'required: an object with at least "name" and "instance"');
  } else {
    if (typeof meta.name !== 'string') bad('metadata.name', 'required: the service name (a string)');
    else if (!PLACEHOLDER.test(meta.name)) {
      const problem = serviceNameProblem(meta.name);
      if (problem) bad('metadata.name', problem);
    }
    if (meta.instance === undefined) bad('metadata.instance', 'required: the number of instances (an integer ≥ 1)');
    else if (!isInt(meta.instance) || meta.instance < 1) bad('metadata.instance', `must be an integer ≥ 1 (got ${JSON.stringify(meta.instance)})`);
    if (meta.cpu !== undefined && (!isInt(meta.cpu) || meta.cpu < 1)) bad('metadata.cpu', `must be a whole number of cores ≥ 1 (got ${JSON.stringify(meta.cpu)})`);
    if (meta.memory !== undefined && (!isInt(meta.memory) || meta.memory < 1024)) {
      bad('metadata.memory', `must be an integer number of MB, at least 1024 for TensorFlow.js (e.g. 4096 = 4 GB; got ${JSON.stringify(meta.memory)})`);
    }
    if (meta.gpu !== undefined && (!isInt(meta.gpu) || meta.gpu < 0)) bad('metadata.gpu', `must be an integer ≥ 0 (got ${JSON.stringify(meta.gpu)})`);
    // rpc keys come nested ("rpc": {...}) or flat ("rpc.keepalive"); both forms are EAS's.
    const rpc: Json = { ...(isObject(meta.rpc) ? meta.rpc : {}) };
    if (meta.rpc !== undefined && !isObject(meta.rpc)) bad('metadata.rpc', 'must be an object, e.g. {"keepalive": 30000, "max_queue_size": 64}');
    for (const [key, value] of Object.entries(meta)) if (key.startsWith('rpc.')) rpc[key.slice(4)] = value;
    for (const key of ['keepalive', 'max_queue_size'] as const) {
      const v = rpc[key];
      if (v !== undefined && (!isInt(v) || v < 1)) bad(`metadata.rpc.${key}`, `must be a positive integer${key === 'keepalive' ? ' (milliseconds)' : ''} (got ${JSON.stringify(v)})`);
    }
  }

  const computing = isObject(doc.cloud) && isObject(doc.cloud.computing) ? doc.cloud.computing : null;
  if (doc.cloud !== undefined && !computing) bad('cloud.computing', 'must be an object with "instances": [{"type": "ecs.…"}]');
  if (computing) {
    const instances = computing.instances;
    if (!Array.isArray(instances) || instances.length === 0) {
      if (typeof computing.instance_type !== 'string') bad('cloud.computing.instances', 'must list at least one instance type, e.g. [{"type": "ecs.c7a.large"}]');
    } else {
      instances.forEach((it, i) => {
        if (!isObject(it) || typeof it.type !== 'string' || it.type.trim() === '') bad(`cloud.computing.instances[${i}].type`, 'required: an instance type such as "ecs.c7a.large"');
      });
    }
  } else if (!(isObject(meta) && typeof meta.resource === 'string')) {
    bad('cloud.computing.instances', 'required on public resources (or set metadata.resource to a dedicated resource group)');
  }

  const mounts: string[] = [];
  if (doc.storage !== undefined && !Array.isArray(doc.storage)) bad('storage', 'must be an array of mounts');
  (Array.isArray(doc.storage) ? doc.storage : []).forEach((m: unknown, i) => {
    const at = `storage[${i}]`;
    if (!isObject(m)) return bad(at, 'must be an object with "mount_path" and a source such as "oss"');
    if (typeof m.mount_path !== 'string' || !m.mount_path.startsWith('/')) bad(`${at}.mount_path`, 'required: an absolute path inside the container, e.g. /eas/workspace/model/');
    else mounts.push(m.mount_path);
    if (m.oss !== undefined) {
      if (!isObject(m.oss) || typeof m.oss.path !== 'string') bad(`${at}.oss.path`, 'required: the OSS folder, e.g. oss://my-bucket/models/my_service/model/');
      else if (!PLACEHOLDER.test(m.oss.path) && !OSS_PATH.test(m.oss.path)) {
        bad(`${at}.oss.path`, `"${m.oss.path}" is not an OSS path: oss://<bucket>/<folder>/ (bucket: 3–63 lowercase letters, digits or -)`);
      }
    } else if (m.nfs === undefined && m.git === undefined && m.empty_dir === undefined) {
      bad(at, 'needs a source: "oss" (or nfs, git, empty_dir)');
    }
  });

  if (!Array.isArray(doc.containers) || doc.containers.length === 0) {
    bad('containers', 'required for an image deployment: [{"image", "command", "port"}]');
  } else {
    doc.containers.forEach((c: unknown, i) => {
      const at = `containers[${i}]`;
      if (!isObject(c)) return bad(at, 'must be an object with "image", "command" and "port"');
      if (typeof c.image !== 'string' || c.image.trim() === '') bad(`${at}.image`, 'required: the image address, e.g. registry-vpc.cn-shanghai.aliyuncs.com/ns/name:1.0');
      const hasCommand = typeof c.command === 'string' && c.command.trim() !== '';
      const hasScript = typeof c.script === 'string' && c.script.trim() !== '';
      if (!hasCommand && !hasScript) bad(`${at}.command`, 'required: the command that starts the server (or "script")');
      if (hasCommand && hasScript) bad(`${at}.command`, 'give "command" or "script", not both');
      const run = hasCommand ? (c.command as string) : hasScript ? (c.script as string) : '';
      const listens = /--port[ =](\d+)/.exec(run)?.[1];
      if (c.port === undefined) bad(`${at}.port`, 'required: the port the server listens on');
      else if (!isInt(c.port) || c.port < 1 || c.port > 65535) bad(`${at}.port`, `must be a port number 1–65535 (got ${JSON.stringify(c.port)})`);
      else if (RESERVED_PORTS.includes(c.port)) bad(`${at}.port`, `${c.port} is reserved by the EAS engine (8080 and 9090); use another, e.g. 8000`);
      else if (listens !== undefined && Number(listens) !== c.port) bad(`${at}.port`, `is ${c.port} but the command listens on --port ${listens}`);
      const model = /--model[ =](\S+)/.exec(run)?.[1];
      if (model !== undefined && !model.startsWith('$') && !mounts.some((m) => within(model, m))) {
        bad(`${at}.command`, `--model ${model} is not inside any storage[].mount_path (${mounts.join(', ') || 'none'}): the model would be missing`);
      }
    });
  }
  return problems;
}

function within(path: string, mount: string): boolean {
  const m = mount.replace(/\/+$/, '');
  const p = path.replace(/\/+$/, '');
  return p === m || p.startsWith(`${m}/`);
}

function walkStrings(value: unknown, path: string, visit: (path: string, value: string) => void): void {
  if (typeof value === 'string') visit(path || '(root)', value);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}[${i}]`, visit));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walkStrings(v, path ? `${path}.${k}` : k, visit);
}
