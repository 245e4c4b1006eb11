// The `autolearn` command line: the same Studio as the app, in-process, through StudioApi.
// Run with `npm run --silent cli -- <command>` (Node >= 22).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { datasetCommand } from './commands/dataset';
import { evalDetectionsCommand } from './commands/eval';
import { instanceCommand } from './commands/instance';
import { exportCommand, formatsCommand, importCommand } from './commands/interchange';
import { easValidateCommand, exportEasCommand, serveCommand } from './commands/serve';
import { studioCommand } from './commands/studio';
import { backbonesCommand, devicesCommand, evaluateCommand, modelsCommand, predictCommand, runsCommand, trainCommand } from './commands/train';
import { EXIT_USAGE, printError } from './run';

const repoRoot = join(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

const program = new Command('autolearn')
  .description('AutoLearn Studio: turn a folder of images into a vision model')
  .version(version)
  .option('--workspace <dir>', 'workspace folder (default: $AUTOLEARN_HOME, else the per-user folder)')
  .option('--json', 'print one JSON document on stdout (errors too)')
  .addCommand(instanceCommand(version))
  .addCommand(datasetCommand(version))
  .addCommand(evalDetectionsCommand())
  .addCommand(exportCommand(version))
  .addCommand(importCommand(version))
  .addCommand(formatsCommand(version))
  .addCommand(trainCommand(version))
  .addCommand(devicesCommand(version))
  .addCommand(predictCommand(version))
  .addCommand(evaluateCommand(version))
  .addCommand(modelsCommand(version))
  .addCommand(runsCommand(version))
  .addCommand(backbonesCommand(version))
  .addCommand(serveCommand(version))
  .addCommand(exportEasCommand(version))
  .addCommand(easValidateCommand())
  .addCommand(studioCommand(version, join(repoRoot, 'out', 'renderer')));

// Usage errors are reported here, in the format --json asks for, with their own exit code.
for (const command of [program, ...program.commands.flatMap((c) => [c, ...c.commands])]) {
  command.exitOverride().configureOutput({ outputError: () => {} });
}

try {
  await program.parseAsync();
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // exitCode 0: --help or --version. 'commander.help': help for an incomplete command, already on stderr.
  if (err.exitCode !== 0) {
    process.exitCode = EXIT_USAGE;
    if (err.code !== 'commander.help') {
      const json = program.opts<{ json?: boolean }>().json === true;
      const message = err.message.replace(/^error: /, '');
      printError({ code: 'invalid_input', message: json ? message : `${message} (see --help)` }, json);
    }
  }
}

// Exit explicitly once stdout has drained (pipes may be asynchronous), so a handle left open
// anywhere cannot keep the command alive.
process.stdout.write('', () => process.exit());
