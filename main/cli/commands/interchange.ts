import { Command, InvalidArgumentError, Option } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/api';
import { followJob } from '../follow';
import { table } from '../output';
import { resolveDataset } from '../refs';
import { withStudio } from '../run';

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.9');
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const formatOption = () => new Option('--format <format>', 'annotation format').choices(EXPORT_FORMATS).makeOptionMandatory();
const datasetOption = () => new Option('--dataset <name|id>', 'dataset').makeOptionMandatory();
const instanceOption = () => new Option('--instance <name|id>', 'instance the dataset belongs to');

/** `export`: the dataset's labeled images in another tool's format. */
export function exportCommand(appVersion: string): Command {
  return new Command('export')
    .description('Write a dataset\'s labeled images and annotations in another tool\'s format')
    .addOption(datasetOption())
    .addOption(instanceOption())
    .addOption(formatOption())
    .requiredOption('--out <dir>', 'new or empty output folder (never inside the dataset folder)')
    .addOption(new Option('--split <fraction>', 'share of images in the train split, e.g. 0.9').argParser(fraction))
    .addOption(new Option('--seed <n>', 'seed of the reproducible split').argParser(seed))
    .addOption(new Option('--images <mode>', 'hard-link images where possible, or copy them').choices(['link', 'copy']).default('link'))
    .action(
      withStudio<{ dataset: string; instance?: string; format: ExportFormat; out: string; split?: number; seed?: number; images: 'link' | 'copy' }>(
        appVersion,
        async (ctx, o) => {
          const dataset = await resolveDataset(ctx.studio, o.dataset, o.instance);
          const report = await followJob(ctx, 'export', () =>
            ctx.studio.exportDataset({ datasetId: dataset.id, format: o.format, outDir: o.out, split: o.split, seed: o.seed, images: o.images }),
          );
          const skipped = report.skipped ? ` (${report.skipped} unlabeled or invalid left out)` : '';
          return {
            json: report,
            text: `Exported ${report.images} images of "${dataset.name}" as ${report.format} to ${report.outDir}: ${report.files} files in ${(report.durationMs / 1000).toFixed(1)} s${skipped}`,
          };
        },
      ),
    );
}

/** `import`: merge another tool's annotations into an indexed dataset. */
export function importCommand(appVersion: string): Command {
  return new Command('import')
    .description('Merge annotations from another tool into a dataset, matching images by file name')
    .addOption(datasetOption())
    .addOption(instanceOption())
    .addOption(formatOption())
    .requiredOption('--from <path>', 'folder (or COCO JSON file) to read')
    .action(
      withStudio<{ dataset: string; instance?: string; format: ExportFormat; from: string }>(appVersion, async (ctx, o) => {
        const dataset = await resolveDataset(ctx.studio, o.dataset, o.instance);
        const report = await followJob(ctx, 'import', () => ctx.studio.importAnnotations({ datasetId: dataset.id, format: o.format, from: o.from }));
        const lines = [`Imported ${report.updated} annotations into "${dataset.name}" from ${o.from} (${report.format})`];
        if (report.unmatched.length) lines.push(`Not in the dataset (${report.unmatched.length}): ${report.unmatched.slice(0, 10).join(', ')}${report.unmatched.length > 10 ? ', …' : ''}`);
        for (const p of report.problems) lines.push(`  ${p.path}: ${p.reason}`);
        return { json: report, text: lines.join('\n') };
      }),
    );
}

/** `formats`: what export and import understand. */
export function formatsCommand(appVersion: string): Command {
  return new Command('formats').description('List the annotation formats for export and import').action(
    withStudio(appVersion, async ({ studio }) => {
      const formats = await studio.listFormats();
      return { json: formats, text: table(['FORMAT', 'TYPES', 'LAYOUT'], formats.map((f) => [f.id, f.types.join(', '), f.description])) };
    }),
  );
}
