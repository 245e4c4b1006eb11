// Training and models from the command line: train, predict, evaluate, models, runs, backbones.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ALGORITHMS, DEVICE_CHOICES, type Algorithm, type DeviceChoice, type ModelEvaluation, type ModelMetrics, type ModelVersion, type TrainingRun, headlineMetric, isDetectionMetrics, isOcrMetrics } from '../../shared/api';
import { followJob } from '../follow';
import { table } from '../output';
import { resolveDataset, resolveInstance } from '../refs';
import { withStudio } from '../run';

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function positiveId(value: string): number {
  const n = nonNegativeInt(value);
  if (n < 1) throw new InvalidArgumentError('expected an id (a positive integer)');
  return n;
}

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number of minutes');
  return n;
}

/** A folder that exists is passed as an absolute path; anything else is a zoo id (or "none"). */
function backboneRef(ref: string | undefined): string | undefined {
  return ref !== undefined && ref !== 'none' && existsSync(ref) ? resolve(ref) : ref;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Metrics as text; model_size and the losses only where the metrics carry them (evaluate has neither). */
function metricsText(m: ModelMetrics | ModelEvaluation['metrics']): string {
  const size = 'model_size' in m ? ` · model size ${(m.model_size / 1024).toFixed(0)} KB` : '';
  if (isDetectionMetrics(m)) {
    const losses = 'loss' in m ? ` · loss ${m.loss.toFixed(4)} (classification ${m['Loss/classification_loss'].toFixed(4)}, localization ${m['Loss/localization_loss'].toFixed(4)})` : '';
    const rows = Object.entries(m.per_class).map(([label, c]) => [label, c.ap === null ? null : c.ap.toFixed(3), c.coco_ap === null ? null : c.coco_ap.toFixed(3), c.positives]);
    return [`mAP@0.5 ${m['DetectionBoxes_Precision/mAP@.50IOU'].toFixed(3)} · COCO mAP ${m['DetectionBoxes_Precision/mAP'].toFixed(3)}${losses}${size}`, table(['label', 'AP@0.5', 'COCO AP', 'objects'], rows)].join('\n');
  }
  if (isOcrMetrics(m)) {
    return `CER ${pct(m.cer)} · exact lines ${pct(m.line_accuracy)} · text detection mAP@0.5 ${m.detection_map50.toFixed(3)} · loss ${m.loss.toFixed(4)}${size} (${m.samples} validation lines)`;
  }
  const rows = Object.entries(m.per_class).map(([label, c]) => [label, c.precision.toFixed(3), c.recall.toFixed(3), c.f1.toFixed(3), c.support]);
  return [
    `Accuracy ${pct(m.accuracy)} · precision ${m.precision.toFixed(3)} · recall ${m.recall.toFixed(3)} · F1 ${m.f1.toFixed(3)} · loss ${m.loss.toFixed(4)}${size}`,
    table(['label', 'precision', 'recall', 'f1', 'support'], rows),
  ].join('\n');
}

const headline = (m: ModelMetrics) => {
  const h = headlineMetric(m);
  return h.name === 'mAP@0.5' ? `${h.name} ${h.value.toFixed(3)}` : `${h.name === 'CER' ? 'CER ' : ''}${pct(h.value)}`;
};

function runRow(r: TrainingRun) {
  const duration = r.endedAt ? `${((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(0)} s` : null;
  return [r.id, r.name, r.algorithm, r.status, r.stopReason, r.metrics ? headline(r.metrics) : null, r.modelId, r.startedAt.slice(0, 19).replace('T', ' '), duration];
}

function modelRow(m: ModelVersion) {
  return [m.id, m.name, m.algorithm, m.labels.join(','), headline(m.metrics), `${(m.sizeBytes / 1024).toFixed(0)} KB`, m.baseModelId, m.createdAt.slice(0, 19).replace('T', ' ')];
}

export function trainCommand(appVersion: string): Command {
  return new Command('train')
    .description('Train a classification, detection or OCR model on a dataset (progress on stderr; Ctrl+C stops and keeps the best epoch)')
    .requiredOption('--dataset <name|id>', 'dataset to train on')
    .option('--instance <name|id>', 'instance the dataset belongs to')
    .addOption(new Option('--algorithm <name>', 'fast (high-speed) or accurate (high-accuracy)').choices(ALGORITHMS).makeOptionMandatory())
    .addOption(new Option('--max-minutes <m>', 'max training time, 10–60 minutes').argParser(minutes))
    .option('--labels <a,b,...>', 'labels to train on (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .addOption(new Option('--base-model <id>', 'incremental training from this model version').argParser(positiveId))
    .option('--backbone <id|dir>', 'model-zoo id, a local tfjs layers model folder, or "none" (from scratch)')
    .addOption(new Option('--device <device>', 'where to train').choices(DEVICE_CHOICES).default('auto'))
    .addOption(new Option('--seed <n>', 'seed of the validation split and initialisation').argParser(nonNegativeInt))
    .option('--no-hpo', 'skip the hyperparameter search')
    .option('--name <name>', 'task name')
    .option('--description <text>', 'task description')
    .action(
      withStudio<{ dataset: string; instance?: string; algorithm: Algorithm; maxMinutes?: number; labels?: string[]; baseModel?: number; backbone?: string; device: DeviceChoice; seed?: number; hpo: boolean; name?: string; description?: string }>(
        appVersion,
        async (ctx, o) => {
          const dataset = await resolveDataset(ctx.studio, o.dataset, o.instance);
          const backbone = backboneRef(o.backbone);
          const report = await followJob(
            ctx,
            'train',
            async () =>
              (
                await ctx.studio.startTraining({
                  datasetId: dataset.id,
                  algorithm: o.algorithm,
                  maxMinutes: o.maxMinutes,
                  labels: o.labels,
                  baseModelId: o.baseModel,
                  backbone,
                  device: o.device,
                  seed: o.seed,
                  hpo: o.hpo,
                  name: o.name,
                  description: o.description,
                })
              ).job,
            { lines: true },
          );
          const { run, model } = report;
          const epochs = typeof run.params.epochs === 'number' ? run.params.epochs : run.epochs.filter((e) => e.trial === null && e.epoch > 0).length;
          const text = [
            `Run ${run.id} "${run.name}": ${run.status} (${run.stopReason}) after ${epochs} epochs on ${run.backend?.detail ?? 'unknown backend'}`,
            model ? `Model ${model.id} (${model.algorithm}, backbone ${model.backbone ?? 'none'}), validation on ${model.metrics.samples} images:\n${metricsText(model.metrics)}` : 'No model was saved.',
          ].join('\n');
          return { json: { model, run, backend: run.backend, stop_reason: run.stopReason, epochs, metrics: model?.metrics ?? run.metrics }, text };
        },
      ),
    );
}

export function devicesCommand(appVersion: string): Command {
  return new Command('devices')
    .description('What --device can use here, by name: CUDA GPUs, the GPU a headless Chromium reaches through WebGPU/WebGL, the CPU')
    .action(
      withStudio<object>(appVersion, async (ctx) => {
        // The probe starts the headless Chromium the browser training host would use (AUTOLEARN_CHROMIUM[_ARGS]).
        const { listDevices } = await import('../../core/training/devices');
        const json = await listDevices(ctx.studio.trainingHosts, true);
        const text = json.map((d) => `${d.id.padEnd(7)} ${d.usable ? 'usable    ' : 'not usable'}  ${d.label}${d.note ? ` (${d.note})` : ''}`).join('\n');
        return { json, text };
      }),
    );
}

export function predictCommand(appVersion: string): Command {
  return new Command('predict')
    .description('Run a model on image files; prints the EAS result per image')
    .addOption(new Option('--model <id>', 'model version').argParser(positiveId).makeOptionMandatory())
    .argument('<images...>', 'image files')
    .action(
      withStudio<{ model: number }>(appVersion, async (ctx, o, [paths]) => {
        const files = paths as string[];
        const predictions = await ctx.studio.predict({ modelId: o.model, images: files.map((p) => ({ path: resolve(p) })) });
        const json = predictions.map((p, i) => ({ image: files[i]!, result: p.result }));
        const text = json.map((p) => `${p.image}: ${p.result.output[0]!.body.slice(0, 3).map((b) => `${b.label} ${b.conf.toFixed(3)}`).join(', ')}`).join('\n');
        return { json, text };
      }),
    );
}

export function evaluateCommand(appVersion: string): Command {
  return new Command('evaluate')
    .description('Score a model on a labeled folder (one subfolder per label)')
    .addOption(new Option('--model <id>', 'model version').argParser(positiveId).makeOptionMandatory())
    .requiredOption('--path <dir>', 'labeled folder')
    .action(
      withStudio<{ model: number; path: string }>(appVersion, async (ctx, o) => {
        const report = await followJob(ctx, 'evaluate', () => ctx.studio.evaluateModel({ modelId: o.model, path: resolve(o.path) }));
        const skipped = report.skipped.length ? `\n${report.skipped.length} images skipped (first: ${report.skipped[0]!.path}: ${report.skipped[0]!.reason})` : '';
        return { json: report, text: `Model ${o.model} on ${report.metrics.samples} images of ${report.path}:\n${metricsText(report.metrics)}${skipped}` };
      }),
    );
}

export function modelsCommand(appVersion: string): Command {
  const command = new Command('models').description('Model versions');
  command
    .command('list')
    .description('List model versions')
    .option('--instance <name|id>', 'only this instance')
    .action(
      withStudio<{ instance?: string }>(appVersion, async (ctx, o) => {
        const instance = o.instance ? await resolveInstance(ctx.studio, o.instance) : undefined;
        const models = await ctx.studio.listModels(instance?.id);
        return { json: models, text: models.length ? table(['id', 'name', 'algorithm', 'labels', 'accuracy', 'size', 'base', 'created'], models.map(modelRow)) : 'No models yet.' };
      }),
    );
  command
    .command('delete')
    .description('Delete a model version and its files')
    .argument('<id>', 'model id', positiveId)
    .action(
      withStudio<object>(appVersion, async (ctx, _o, [id]) => {
        await ctx.studio.deleteModel(id as number);
        return { json: { deleted: id }, text: `Deleted model ${id}` };
      }),
    );
  return command;
}

export function runsCommand(appVersion: string): Command {
  const command = new Command('runs').description('Training runs');
  command
    .command('list')
    .description('List training runs')
    .option('--instance <name|id>', 'only this instance')
    .action(
      withStudio<{ instance?: string }>(appVersion, async (ctx, o) => {
        const instance = o.instance ? await resolveInstance(ctx.studio, o.instance) : undefined;
        const runs = await ctx.studio.listRuns(instance?.id);
        return { json: runs, text: runs.length ? table(['id', 'name', 'algorithm', 'status', 'stop', 'accuracy', 'model', 'started', 'took'], runs.map(runRow)) : 'No training runs yet.' };
      }),
    );
  command
    .command('show')
    .description('A run: params, backend, HPO trials, epochs, metrics and log')
    .argument('<id>', 'run id', positiveId)
    .action(
      withStudio<object>(appVersion, async (ctx, _o, [id]) => {
        const run = await ctx.studio.getRun(id as number);
        const logs = await ctx.studio.runLogs({ runId: run.id });
        const final = run.epochs.filter((e) => e.trial === null && e.epoch > 0);
        const text = [
          table(['id', 'name', 'algorithm', 'status', 'stop', 'accuracy', 'model', 'started', 'took'], [runRow(run)]),
          `Backend: ${run.backend?.detail ?? '-'} · images: ${run.trainImages} train, ${run.valImages} validation · labels: ${run.labels.join(', ')}`,
          `Params: ${JSON.stringify(run.params)}`,
          run.trials.length ? `HPO trials:\n${table(['trial', 'params', 'status', 'val loss', 'val acc', 'epochs'], run.trials.map((t) => [t.index, JSON.stringify(t.params), t.status, t.metric?.toFixed(4) ?? null, t.valAccuracy === null ? null : pct(t.valAccuracy), t.epochs]))}` : 'No HPO trials.',
          final.length ? `Epochs: ${final.length}, last: loss ${final.at(-1)!.loss?.toFixed(4)} · val loss ${final.at(-1)!.valLoss.toFixed(4)} · val acc ${pct(final.at(-1)!.valAccuracy)}` : 'No epochs.',
          run.metrics ? metricsText(run.metrics) : '',
          'Log:',
          ...logs.map((l) => `  ${l.at.slice(11, 19)} ${l.level.padEnd(5)} ${l.message}`),
        ].filter(Boolean);
        return { json: { ...run, logs }, text: text.join('\n') };
      }),
    );
  command
    .command('stop')
    .description('Stop a running training task; it keeps the model of its best epoch')
    .argument('<id>', 'run id', positiveId)
    .action(
      withStudio<object>(appVersion, async (ctx, _o, [id]) => {
        const run = await ctx.studio.stopRun(id as number);
        return { json: run, text: `Stop requested for run ${run.id} "${run.name}"` };
      }),
    );
  return command;
}

export function backbonesCommand(appVersion: string): Command {
  const command = new Command('backbones').description('Pretrained backbones (model zoo and imported folders)');
  command
    .command('list')
    .description('List zoo and imported backbones')
    .action(
      withStudio<object>(appVersion, async (ctx) => {
        const list = await ctx.studio.listBackbones();
        return { json: list, text: table(['id', 'title', 'source', 'cached'], list.map((b) => [b.id, b.title, b.source, b.cached ? 'yes' : 'no'])) };
      }),
    );
  command
    .command('fetch')
    .description('Download a zoo backbone, or import a local tfjs layers model folder, into the workspace')
    .argument('<id|dir>', 'zoo id or folder')
    .action(
      withStudio<object>(appVersion, async (ctx, _o, [ref]) => {
        const info = await followJob(ctx, 'backbone', () => ctx.studio.fetchBackbone(backboneRef(ref as string)!));
        return { json: info, text: `Backbone ${info.id} (${info.title}) is ready` };
      }),
    );
  return command;
}
