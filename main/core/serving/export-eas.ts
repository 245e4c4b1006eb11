// export-eas: a self-contained folder to deploy a model on PAI-EAS as a custom image (seed 003),
// answering exactly like the local service (seed 004):
//
//   model/                 the model, weights quantized (float16, or uint8 when the validation
//                          metric drops by less than 1 point), metadata.json
//   processor/server.js    the prediction service (./processor.ts bundled: the same code as `serve`)
//   processor/package.json its packages, pinned to the versions the studio runs; package-lock.json
//   Dockerfile             the image EAS runs
//   service.json           EAS JSON deployment with <PLACEHOLDERS>; `eas-validate` checks the filled copy
//   README.md              push the image, upload the model to OSS, eascmd create, call it with curl

import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { EAS_QUANTIZATIONS, StudioError, type EasExportReport, type EasQuantization, type EasQuantizationReport, type ExportEasInput, type ModelVersion, type TrainingRun } from '../../shared/api';
import { splitTrainVal } from '../datasets/split';
import type { JobContext } from '../jobs/jobs';
import { scoreProbabilities } from '../training/metrics';
import { METADATA_FILE } from '../training/model-metadata';
import { modelBytes } from '../training/saved-model';
import { parse } from '../validate';
import { sql, type Db } from '../workspace/db';
import { bundleProcessor } from './bundle';
import { writeQuantized, type WeightDtype } from './quantize';
import { ModelRuntime, type DecodedImage } from './runtime';
import { DEFAULTS, defaultServiceName, serviceNameProblem } from './service';
import { CONTAINER, containerCommand, serviceJson } from './service-json';

/** uint8 is kept only when the validation metric drops by less than this (1 point). */
const UINT8_MAX_DROP = 0.01;
const STEPS = 5;

export const exportEasSchema = z.object({
  modelId: z.number().int().positive(),
  outDir: z.string().min(1, 'output folder is required'),
  serviceName: z
    .string()
    .superRefine((v, ctx) => {
      const problem = serviceNameProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  quantization: z.enum(EAS_QUANTIZATIONS, { message: `quantization must be one of ${EAS_QUANTIZATIONS.join(', ')}` }).default('auto'),
});

export function parseExportEas(input: ExportEasInput): z.output<typeof exportEasSchema> {
  return parse(exportEasSchema, input, 'exportEas');
}

/** The output folder, absolute: new or empty, and not inside the model's own folder. */
export async function checkOutDir(outDir: string, modelDir: string): Promise<string> {
  const out = resolve(outDir);
  const rel = relative(resolve(modelDir), out);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))) {
    throw new StudioError('invalid_input', `the export folder ${out} is inside the model's folder ${modelDir}`, 'outDir');
  }
  const existing = await readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new StudioError('invalid_input', `cannot use ${out} as the export folder: ${err.message}`, 'outDir');
  });
  if (existing.length > 0) throw new StudioError('conflict', `the export folder ${out} is not empty; choose a new or empty folder`, 'outDir');
  return out;
}

/**
 * The validation images of the model's run. The split is not stored: it is recomputed as training
 * made it (the dataset's labeled images of the run's labels, in path order, the same stratified
 * split with the run's seed). If the dataset changed since, the split is today's, and a note says so.
 */
export function validationImages(db: Db, run: TrainingRun): { images: Array<{ path: string; label: string }>; note: string | null } {
  const ds = sql(db, 'SELECT source_path FROM datasets WHERE id = ?').get(run.datasetId) as { source_path: string } | undefined;
  if (!ds) return { images: [], note: `the dataset of run ${run.id} no longer exists: the weights could not be checked on validation images` };
  const rows = sql(db, 'SELECT path, label FROM images WHERE dataset_id = ? AND invalid_reason IS NULL AND label IS NOT NULL ORDER BY path').all(run.datasetId) as Array<{ path: string; label: string }>;
  const chosen = rows.filter((r) => run.labels.includes(r.label));
  const seed = typeof run.params.seed === 'number' ? run.params.seed : 1;
  const split = splitTrainVal(chosen.map((r) => ({ key: r.path, stratum: r.label })), 0.9, seed);
  const images = chosen.filter((r) => split.get(r.path) === 'val').map((r) => ({ path: join(ds.source_path, r.path), label: r.label }));
  const note =
    images.length !== run.valImages
      ? `the dataset changed since run ${run.id} trained (${run.valImages} validation images then, ${images.length} now): the quantized weights were checked on today's split`
      : null;
  return { images, note };
}

export async function exportEas(db: Db, model: ModelVersion, run: TrainingRun, input: z.output<typeof exportEasSchema>, ctx: JobContext): Promise<EasExportReport> {
  const started = performance.now();
  const out = await checkOutDir(input.outDir, model.dir);
  const serviceName = input.serviceName ?? defaultServiceName(model);
  const warnings: string[] = [];
  const step = (n: number, message: string) => {
    if (ctx.signal.aborted) throw new StudioError('cancelled', 'EAS export cancelled');
    ctx.progress(n, STEPS, message);
  };
  await mkdir(out, { recursive: true });

  step(0, 'Checking the weight formats on the validation images');
  const { images, note } = validationImages(db, run);
  if (note) warnings.push(note);
  const quantization = await quantizeModel(model.dir, join(out, 'model'), images, input.quantization, warnings, step);

  step(3, 'Bundling the processor');
  const processorDir = join(out, 'processor');
  await mkdir(processorDir, { recursive: true });
  const bundle = await bundleProcessor(join(processorDir, 'server.js'));
  const pkg = {
    name: `${serviceName.replace(/_/g, '-')}-processor`,
    version: '1.0.0',
    private: true,
    description: `AutoLearn Studio EAS processor for service ${serviceName} (model "${model.name}")`,
    type: 'module',
    main: 'server.js',
    engines: { node: '>=22' },
    scripts: { start: 'node server.js' },
    dependencies: bundle.dependencies,
  };
  await writeFile(join(processorDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  step(4, 'Writing the lockfile, Dockerfile, service.json and README');
  const lockError = await writeLockfile(processorDir);
  if (lockError) warnings.push(`processor/package-lock.json was not written (${lockError}); run \`npm install --package-lock-only\` in processor/ where the npm registry is reachable`);

  await writeFile(join(out, 'Dockerfile'), dockerfile(serviceName, model, lockError === null));
  await writeFile(join(out, 'service.json'), `${JSON.stringify(serviceJson({ serviceName, queueSize: DEFAULTS.queueSize }), null, 2)}\n`);
  await writeFile(join(out, 'README.md'), readme(serviceName, model, quantization));
  ctx.progress(STEPS, STEPS, 'Done');
  return {
    modelId: model.id,
    outDir: out,
    serviceName,
    files: await listFiles(out),
    quantization,
    lockfile: lockError === null,
    warnings,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Writes the model into `dest` with its weights as `mode` asks; 'auto' measures float16 and uint8
 * against float32 on the validation images and keeps uint8 only when the metric drops by < 1 point.
 */
async function quantizeModel(
  src: string,
  dest: string,
  validation: Array<{ path: string; label: string }>,
  mode: EasQuantization,
  warnings: string[],
  step: (n: number, message: string) => void,
): Promise<EasQuantizationReport> {
  const sizeBefore = await modelBytes(src);
  const scratch = `${dest}.candidates`;
  const candidates: WeightDtype[] = mode === 'auto' ? ['float16', 'uint8'] : [mode];
  const report: EasQuantizationReport = {
    dtype: candidates[0]!,
    modelSizeBefore: sizeBefore,
    modelSizeAfter: sizeBefore,
    metric: 'accuracy',
    validationImages: 0,
    float32: null,
    float16: null,
    uint8: null,
    change: null,
    maxConfidenceChange: null,
    reason: '',
  };
  try {
    // float32 on the validation images: the reference the candidates are measured against.
    const base = await ModelRuntime.load(src);
    let decoded: Array<{ label: string; image: DecodedImage }> = [];
    let truth: number[] = [];
    let reference: Float32Array | null = null;
    try {
      const classifier = base.meta.type === 'classification' ? base.classifier() : null;
      if (!classifier) warnings.push(`the weights of a ${base.meta.type} model are not checked on validation images yet`);
      for (const v of classifier ? validation : []) {
        try {
          decoded.push({ label: v.label, image: await base.decode(v.path) });
        } catch (err) {
          warnings.push(`validation image left out: ${(err as Error).message}`);
        }
      }
      truth = decoded.map((d) => base.meta.labels.indexOf(d.label));
      if (classifier && decoded.length) {
        reference = await classifier.probabilities(decoded.map((d) => d.image));
        report.float32 = scoreProbabilities(base.meta.labels, truth, reference).accuracy;
        report.validationImages = decoded.length;
      }
    } finally {
      base.dispose();
    }
    const labels = base.meta.labels;
    const measured = new Map<WeightDtype, { size: number; metric: number | null; maxChange: number | null }>();
    for (const [i, dtype] of candidates.entries()) {
      step(1 + i, `Writing and measuring ${dtype} weights`);
      const dir = join(scratch, dtype);
      const size = await writeQuantized(src, dir, dtype);
      // Load what was written, as the processor will: this also proves the manifest loads.
      const runtime = await ModelRuntime.load(dir);
      try {
        let metric: number | null = null;
        let maxChange: number | null = null;
        if (reference) {
          const probs = await runtime.classifier().probabilities(decoded.map((d) => d.image));
          metric = scoreProbabilities(labels, truth, probs).accuracy;
          maxChange = probs.reduce((m, p, k) => Math.max(m, Math.abs(p - reference![k]!)), 0);
        }
        measured.set(dtype, { size, metric, maxChange });
        if (dtype !== 'float32') report[dtype] = metric;
      } finally {
        runtime.dispose();
      }
    }
    let chosen: WeightDtype = candidates[0]!;
    if (mode === 'auto') {
      const u8 = measured.get('uint8')!;
      if (reference === null || report.float32 === null || u8.metric === null) {
        chosen = 'float16';
        report.reason = 'float16: no validation images to check uint8 on, and float16 keeps float32 accuracy';
      } else if (report.float32 - u8.metric < UINT8_MAX_DROP) {
        chosen = 'uint8';
        report.reason = `uint8: ${report.metric} ${pct(report.float32)} → ${pct(u8.metric)} on ${report.validationImages} validation images, a drop under 1 point`;
      } else {
        chosen = 'float16';
        report.reason = `float16: uint8 would drop ${report.metric} from ${pct(report.float32)} to ${pct(u8.metric)} (1 point or more) on ${report.validationImages} validation images`;
      }
    } else {
      report.reason = `${mode}: asked for`;
    }
    const result = measured.get(chosen)!;
    report.dtype = chosen;
    report.modelSizeAfter = result.size;
    report.maxConfidenceChange = result.maxChange;
    if (chosen === 'float32') report.float32 ??= result.metric;
    report.change = result.metric !== null && report.float32 !== null ? result.metric - report.float32 : null;
    await rename(join(scratch, chosen), dest);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  // metadata.json: the exported size and how the weights are stored.
  const metaFile = join(dest, METADATA_FILE);
  const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown> & { metrics?: Record<string, unknown> | null };
  if (meta.metrics) meta.metrics = { ...meta.metrics, model_size: report.modelSizeAfter };
  meta.quantization = report;
  await writeFile(metaFile, JSON.stringify(meta, null, 2));
  return report;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** `npm install --package-lock-only` in `dir`; null when it worked, else why not. */
function writeLockfile(dir: string): Promise<string | null> {
  return new Promise((done) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: process.platform === 'win32',
      timeout: 180_000,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => done(`npm could not be run: ${err.message}`));
    child.on('close', (code, signal) => {
      if (code === 0) done(null);
      else done(`npm install --package-lock-only failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
    });
  });
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory()) out.push(...(await listFiles(root, join(dir, e.name))));
    else out.push(relative(root, join(dir, e.name)).split(sep).join('/'));
  }
  return out;
}

function dockerfile(serviceName: string, model: ModelVersion, lockfile: boolean): string {
  const cmd = containerCommand(serviceName, DEFAULTS.queueSize).split(' ');
  return `# EAS image for service ${serviceName}: AutoLearn Studio model "${model.name}" (${model.type}, labels ${model.labels.join(', ')}).
# Build in this folder:  docker build -t ${serviceName}:1.0 .
FROM node:22-bookworm-slim
WORKDIR ${CONTAINER.appDir}
COPY processor/package.json${lockfile ? ' processor/package-lock.json' : ''} ./
RUN ${lockfile ? 'npm ci' : 'npm install'} --omit=dev && npm cache clean --force
COPY processor/server.js ./
# The model is mounted from OSS at ${CONTAINER.modelMount} (service.json "storage"). To bake it into the image instead:
# COPY model/ ${CONTAINER.modelMount}
ENV NODE_ENV=production
EXPOSE ${CONTAINER.port}
# EAS's gateway checks the service token, so the processor runs with --no-auth inside the service.
CMD ${JSON.stringify(cmd)}
`;
}

function readme(serviceName: string, model: ModelVersion, q: EasQuantizationReport): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const measured = q.float32 === null ? 'not measured (no validation images)' : `${q.metric} ${pct(q.float32)} in float32, ${q.change === null ? '?' : `${q.change >= 0 ? '+' : ''}${(q.change * 100).toFixed(1)} points`} as exported (${q.validationImages} validation images)`;
  return `# EAS package: ${serviceName}

AutoLearn Studio model "${model.name}" (${model.type}; labels: ${model.labels.join(', ')}), ready to deploy on
PAI-EAS as a custom image. Once deployed it answers exactly like the studio's \`serve\`.

| path | what |
| --- | --- |
| \`model/\` | TensorFlow.js layers model (\`model.json\`, \`weights.bin\`) and \`metadata.json\` |
| \`processor/\` | the prediction service: \`server.js\` (one file), \`package.json\`, \`package-lock.json\` |
| \`Dockerfile\` | the image: Node 22, the processor's packages, \`server.js\` |
| \`service.json\` | EAS JSON deployment (image, command, port ${CONTAINER.port}, OSS mount of the model); fill in the \`<PLACEHOLDERS>\` |

Weights: **${q.dtype}** (${q.reason}). model_size ${kb(q.modelSizeBefore)} → ${kb(q.modelSizeAfter)}; ${measured}.

## 1. Try it on this machine

\`\`\`sh
cd processor && npm ci && cd ..
node processor/server.js --model model --name ${serviceName} --token my-token --port ${CONTAINER.port}
\`\`\`

It starts one worker process per CPU core, each with the model (\`--workers N\` to choose), all on the
one port: a CPU computes a forward pass on one thread, so cores serve requests side by side.
\`node processor/server.js --help\` lists the options (queue size, batch size, body limit, timeouts).

## 2. Build and push the image

Use an Alibaba Cloud Container Registry (ACR) repository in the region of the service:

\`\`\`sh
docker build -t ${serviceName}:1.0 .
docker login --username=<ACR user> registry.<REGION>.aliyuncs.com
docker tag ${serviceName}:1.0 registry.<REGION>.aliyuncs.com/<NAMESPACE>/${serviceName}:1.0
docker push registry.<REGION>.aliyuncs.com/<NAMESPACE>/${serviceName}:1.0
\`\`\`

In \`service.json\`, \`containers[0].image\` uses the VPC address (\`registry-vpc.<REGION>.aliyuncs.com/…\`),
which EAS pulls from inside the region.

## 3. Upload the model to OSS

\`\`\`sh
ossutil cp -r model/ oss://<BUCKET>/<PATH>/${serviceName}/model/
\`\`\`

\`storage[0]\` mounts that folder read-only at \`${CONTAINER.modelMount}\`, where the command reads it.

## 4. Fill in service.json, check it, create the service

Replace \`<REGION>\`, \`<NAMESPACE>\`, \`<BUCKET>\` and \`<PATH>\`; adjust \`metadata.instance\`, \`cpu\`, \`memory\` (MB)
and \`cloud.computing.instances\` (or set \`metadata.resource\` to a dedicated resource group). The port must
not be 8080 or 9090 (the EAS engine's). Then:

\`\`\`sh
npm run --silent cli -- eas-validate service.json    # in AutoLearn Studio: names each field still wrong
eascmd create service.json                           # prints the service's endpoint and token
\`\`\`

## 5. Call it

As in the AutoLearning manual: a POST with the token in \`Authorization\` and the image as base64.

\`\`\`sh
# The body goes through stdin: as a command-line argument, a photo's base64 exceeds the shell's limit.
(printf '{"dataArray": [{"name": "image", "type": "stream", "body": "'; base64 < image.jpg | tr -d '\\n'; printf '"}]}') \\
  | curl http://<endpoint>/api/predict/${serviceName} -H 'Authorization: <token>' --data-binary @-
\`\`\`

\`\`\`json
{"success":true,"result":{"output":[{"type":"cv_common","body":[{"label":"${model.labels[0] ?? 'a'}","conf":0.8},{"label":"${model.labels[1] ?? 'b'}","conf":0.2}]}],"meta":{"height":1920,"width":1080}}}
\`\`\`

Errors: \`{"success":false,"errorCode":"1001","errorMsg":"INPUT_FORMAT_ERROR"}\`.

| errorCode | errorMsg | when |
| --- | --- | --- |
| 1001 | INPUT_FORMAT_ERROR | not JSON, no \`dataArray\`, no \`body\`, \`body\` not base64, body over 20 MB |
| 1002 | IMAGE_DECODE_ERROR | the bytes are not an image (JPEG, PNG, BMP, GIF, WebP, TIFF) |
| 2001 | UNKNOWN_ERROR | unexpected server error |
| 2002 | GET_INSTANCE_ERROR | the instance's queue is full (${DEFAULTS.queueSize} requests): retry later or add instances |
| 2003 | MODEL_FORWARD_ERROR | the model failed on the image |

The response header \`x-eas-error-detail\` says why in words. \`GET /health\` answers \`{"status":"ok"}\`.
`;
}
