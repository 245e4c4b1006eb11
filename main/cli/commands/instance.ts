import { Command, Option } from 'commander';
import { INSTANCE_TYPES, type InstanceType } from '../../shared/api';
import { table } from '../output';
import { resolveInstance } from '../refs';
import { followJob } from '../follow';
import { withStudio } from '../run';

export function instanceCommand(appVersion: string): Command {
  const command = new Command('instance').description('Manage instances (one per vision task)');

  command
    .command('create')
    .description('Create an instance')
    .addOption(new Option('--type <type>', 'task type').choices(INSTANCE_TYPES).makeOptionMandatory())
    .requiredOption('--name <name>', 'instance name')
    .option('--description <text>', 'free text')
    .option('--template', "with demo data (shapes, or bank cards for OCR) written into the workspace and indexed as dataset 'demo'")
    .action(
      withStudio<{ type: InstanceType; name: string; description?: string; template?: boolean }>(appVersion, async (ctx, o) => {
        const input = { type: o.type, name: o.name, description: o.description };
        if (!o.template) {
          const instance = await ctx.studio.createInstance(input);
          return { json: instance, text: `Created instance "${instance.name}" (id ${instance.id}, ${instance.type})` };
        }
        const created = await ctx.studio.createFromTemplate(input);
        const index = await followJob(ctx, 'index', async () => created.job);
        return { json: { ...created, index }, text: `Created instance "${created.instance.name}" (id ${created.instance.id}, ${created.instance.type}) with demo dataset "${created.dataset.name}" at ${created.dataset.path}: ${index.added} images indexed` };
      }),
    );

  command
    .command('list')
    .description('List instances')
    .action(
      withStudio(appVersion, async ({ studio }) => {
        const instances = await studio.listInstances();
        const text =
          instances.length === 0
            ? 'No instances.'
            : table(
                ['ID', 'NAME', 'TYPE', 'DATASETS', 'CREATED', 'DESCRIPTION'],
                instances.map((i) => [i.id, i.name, i.type, i.datasetCount, i.createdAt, i.description]),
              );
        return { json: instances, text };
      }),
    );

  command
    .command('delete')
    .description("Delete an instance and its datasets' index (image folders are never touched)")
    .requiredOption('--instance <name|id>', 'instance to delete')
    .action(
      withStudio<{ instance: string }>(appVersion, async ({ studio }, o) => {
        const instance = await resolveInstance(studio, o.instance);
        await studio.deleteInstance(instance.id);
        return { json: { deleted: instance }, text: `Deleted instance "${instance.name}" (id ${instance.id})` };
      }),
    );

  return command;
}
