// Serving and publishing from the command line: `serve` (the local EAS-compatible service),
// `export-eas` (the EAS deployment package) and `eas-validate` (checks a filled-in service.json).

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command as CommandType } from 'commander';
import { Command, Option } from 'commander';
import { validateServiceJson } from '../../core/serving/service-json';
import { EAS_QUANTIZATIONS, StudioError, type EasQuantization } from '../../shared/api';
import { followJob } from '../follow';
import { EXIT_FAILURE, printResult, withStudio, type GlobalOptions } from '../run';
import { port, untilStopped } from './studio';
import { positiveId } from './train';

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

export function serveCommand(appVersion: string): Command {
  return new Command('serve')
    .description('Serve a model behind the PAI-EAS API (POST /api/predict/<name>) until Ctrl+C')
    .addOption(new Option('--model <id>', 'model version').argParser(positiveId).makeOptionMandatory())
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(port).default(8000))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'token callers send in the Authorization header (default: a random one)')
    .option('--name <name>', 'service name in /api/predict/<name> (default: from the model name)')
    .action(
      withStudio<{ model: number; port: number; host: string; token?: string; name?: string }>(appVersion, async ({ studio }, o) => {
        const info = await studio.startService({ modelId: o.model, port: o.port, host: o.host, token: o.token, name: o.name });
        return {
          json: info,
          text: [
            `EAS service "${info.name}" (model ${info.modelId}): POST ${info.endpoint}`,
            `Authorization: ${info.token}`,
            `curl ${info.endpoint} -H 'Authorization: ${info.token}' -d '{"dataArray": [{"body": "<base64>", "type": "stream", "name": "image"}]}'`,
            'Ctrl+C stops it (requests in flight are answered first).',
          ].join('\n'),
          afterPrint: async () => {
            await untilStopped();
            await studio.stopService(info.name);
          },
        };
      }),
    );
}

export function exportEasCommand(appVersion: string): Command {
  return new Command('export-eas')
    .description('Write the EAS deployment package of a model: model, processor, Dockerfile, service.json, README')
    .addOption(new Option('--model <id>', 'model version').argParser(positiveId).makeOptionMandatory())
    .requiredOption('--out <dir>', 'output folder (new or empty)')
    .option('--service-name <name>', 'EAS service name (default: from the model name)')
    .addOption(new Option('--quantization <q>', 'weights: auto (uint8 if accuracy drops < 1 point, else float16)').choices(EAS_QUANTIZATIONS).default('auto'))
    .action(
      withStudio<{ model: number; out: string; serviceName?: string; quantization: EasQuantization }>(appVersion, async (ctx, o) => {
        const report = await followJob(ctx, 'export-eas', () =>
          ctx.studio.exportEas({ modelId: o.model, outDir: resolve(o.out), serviceName: o.serviceName, quantization: o.quantization }),
        );
        const q = report.quantization;
        const text = [
          `EAS package for service "${report.serviceName}" in ${report.outDir} (${report.files.length} files)`,
          `Weights: ${q.dtype} — ${q.reason}; model_size ${kb(q.modelSizeBefore)} → ${kb(q.modelSizeAfter)}`,
          ...report.warnings.map((w) => `Warning: ${w}`),
          'Next: fill in service.json, then see README.md (docker push, OSS upload, eascmd create service.json).',
        ].join('\n');
        return { json: report, text };
      }),
    );
}

export function easValidateCommand(): Command {
  return new Command('eas-validate')
    .description("Check a filled-in service.json (EAS JSON deployment) and name each field that is wrong")
    .argument('<file>', 'service.json')
    .action(async (file: string, _o: object, command: CommandType) => {
      const json = command.optsWithGlobals<GlobalOptions>().json === true;
      await printResult(json, async () => {
        let doc: unknown;
        try {
          doc = JSON.parse(await readFile(file, 'utf8'));
        } catch (err) {
          throw new StudioError('invalid_input', `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`, 'file');
        }
        const problems = validateServiceJson(doc);
        if (problems.length) process.exitCode = EXIT_FAILURE;
        return {
          json: { file, valid: problems.length === 0, problems },
          text: problems.length ? `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}` : `${file}: OK`,
        };
      });
    });
}
