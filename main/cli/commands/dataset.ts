import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { StudioError, type Dataset, type ImageFilter, type IndexReport } from '../../shared/api';
import { followJob } from '../follow';
import { datasetLine, reportText, statsText, table } from '../output';
import { resolveDataset, resolveInstance } from '../refs';
import { withStudio, type Output } from '../run';

const FILTERS = ['all', 'labeled', 'unlabeled', 'invalid'] as const satisfies readonly ImageFilter[];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return n;
}

/** The stats JSON: DatasetStats at top level plus the dataset itself (without its stats). */
function statsJson({ stats, ...dataset }: Dataset) {
  return { ...stats, dataset };
}

function statsOutput(dataset: Dataset): Output {
  return {
    json: statsJson(dataset),
    text: [datasetLine(dataset), `Path: ${dataset.path}`, statsText(dataset.stats)].join('\n'),
  };
}

function reportOutput(report: IndexReport): Output {
  const { dataset, ...counts } = report;
  return {
    json: { ...statsJson(dataset), ...counts },
    text: `${statsOutput(dataset).text}\n${reportText(report)}`,
  };
}

interface DatasetRef {
  dataset: string;
  instance?: string;
}

const datasetOption = (): Option => new Option('--dataset <name|id>', 'dataset').makeOptionMandatory();
const scopeOption = (): Option => new Option('--instance <name|id>', 'instance the dataset belongs to');

export function datasetCommand(appVersion: string): Command {
  const command = new Command('dataset').description('Manage datasets (indexed image folders)');

  command
    .command('create')
    .description('Create a dataset from a folder and index it')
    .requiredOption('--instance <name|id>', 'instance to add the dataset to')
    .requiredOption('--name <name>', 'dataset name (unique within the instance)')
    .requiredOption('--path <dir>', 'image folder (its images are indexed, never copied)')
    .option('--description <text>', 'free text')
    .action(
      withStudio<{ instance: string; name: string; path: string; description?: string }>(appVersion, async (ctx, o) => {
        const instance = await resolveInstance(ctx.studio, o.instance);
        let created: Dataset | undefined;
        try {
          const report = await followJob(ctx, 'index', async () => {
            const input = { instanceId: instance.id, name: o.name, path: resolve(o.path), description: o.description };
            const { dataset, job } = await ctx.studio.createDataset(input);
            created = dataset;
            return job;
          });
          return statsOutput(report.dataset);
        } catch (err) {
          // The dataset exists once created, even when its indexing did not finish: say how to resume.
          if (!created || !(err instanceof StudioError)) throw err;
          const hint = `dataset ${created.id} was created but not fully indexed; run \`dataset reindex --dataset ${created.id}\``;
          throw new StudioError(err.code, `${err.message} (${hint})`, err.field);
        }
      }),
    );

  command
    .command('reindex')
    .description('Re-scan the folder of a dataset and report what changed')
    .addOption(datasetOption())
    .addOption(scopeOption())
    .action(
      withStudio<DatasetRef>(appVersion, async (ctx, o) => {
        const dataset = await resolveDataset(ctx.studio, o.dataset, o.instance);
        return reportOutput(await followJob(ctx, 'index', () => ctx.studio.reindexDataset(dataset.id)));
      }),
    );

  command
    .command('stats')
    .description('Show the statistics of a dataset')
    .addOption(datasetOption())
    .addOption(scopeOption())
    .action(
      withStudio<DatasetRef>(appVersion, async ({ studio }, o) =>
        statsOutput(await resolveDataset(studio, o.dataset, o.instance)),
      ),
    );

  command
    .command('list')
    .description('List datasets')
    .addOption(scopeOption())
    .action(
      withStudio<{ instance?: string }>(appVersion, async ({ studio }, o) => {
        const instance = o.instance === undefined ? undefined : await resolveInstance(studio, o.instance);
        const datasets = await studio.listDatasets(instance?.id);
        const text =
          datasets.length === 0
            ? 'No datasets.'
            : table(
                ['ID', 'NAME', 'INSTANCE', 'TYPE', 'IMAGES', 'LABELED', 'INVALID', 'INDEXED', 'PATH'],
                datasets.map((d) => [
                  d.id,
                  d.name,
                  d.instanceName,
                  d.type,
                  d.stats.images,
                  d.stats.labeled,
                  d.stats.invalid.length,
                  d.indexedAt,
                  d.path,
                ]),
              );
        return { json: datasets, text };
      }),
    );

  command
    .command('images')
    .description('List the images of a dataset')
    .addOption(datasetOption())
    .addOption(scopeOption())
    .addOption(new Option('--filter <status>', 'which images').choices(FILTERS).default('all'))
    .addOption(new Option('--limit <k>', 'at most this many images').argParser(positiveInt))
    .action(
      withStudio<DatasetRef & { filter: ImageFilter; limit?: number }>(appVersion, async ({ studio }, o) => {
        const dataset = await resolveDataset(studio, o.dataset, o.instance);
        const page = await studio.listImages({ datasetId: dataset.id, filter: o.filter, limit: o.limit });
        const rows = page.items.map((i) => [
          i.id,
          i.status,
          i.label,
          i.boxCount,
          i.width === null || i.height === null ? null : `${i.width}x${i.height}`,
          i.size,
          i.status === 'invalid' ? `${i.path} (${i.reason ?? 'invalid'})` : i.path,
        ]);
        const shown = page.items.length === 0 ? 'No images' : `Images ${page.offset + 1}–${page.offset + page.items.length}`;
        const text = [
          ...(rows.length > 0 ? [table(['ID', 'STATUS', 'LABEL', 'BOXES', 'SIZE', 'BYTES', 'PATH'], rows)] : []),
          `${shown} of ${page.total} (${o.filter})`,
        ].join('\n');
        return { json: page, text };
      }),
    );

  return command;
}
