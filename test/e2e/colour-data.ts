// Training data for the specs that need a model: a folder of red/green/blue squares (the folder
// layout gives the labels) and a tiny colour-keeping backbone, so a high-speed task trains in seconds.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './studio-server';

export interface ColourData {
  /** The temporary folder holding everything below; the caller removes it. */
  scratch: string;
  /** `<label>/<label>_<i>.png`, 40×40 px. */
  colours: string;
  /** A tfjs layers model folder to pass as the backbone. */
  backbone: string;
  /** `<label>/<label>_0.png` at `sampleSize` px, to try a model on (when asked for). */
  samples: string;
}

/**
 * The folder and the backbone come from the unit tests' helpers, which need tfjs and sharp: they run
 * in a tsx child rather than pulling core code into the e2e project.
 */
export function makeColourData(opts: { labels: string[]; perClass: number; sampleSize?: number }): ColourData {
  const scratch = mkdtempSync(path.join(tmpdir(), 'colour-e2e-'));
  const data = { scratch, colours: path.join(scratch, 'colours'), backbone: path.join(scratch, 'colour-net'), samples: path.join(scratch, 'samples') };
  const helpers = path.join(repoRoot, 'test', 'helpers', 'training.ts');
  const backend = path.join(repoRoot, 'main', 'core', 'training', 'tf', 'backend.ts');
  const samples = opts.sampleSize
    ? `await t.colourFolder(${JSON.stringify(data.samples)}, { labels: ${JSON.stringify(opts.labels)}, perClass: 1, size: ${opts.sampleSize}, seed: 11 });`
    : '';
  const script = `(async () => {
    const t = await import(${JSON.stringify(helpers)});
    const b = await import(${JSON.stringify(backend)});
    await t.colourFolder(${JSON.stringify(data.colours)}, { labels: ${JSON.stringify(opts.labels)}, perClass: ${opts.perClass} });
    ${samples}
    await b.initBackend('auto');
    await t.saveColourBackbone(${JSON.stringify(data.backbone)});
  })().catch((e) => { console.error(e); process.exit(1); });`;
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--eval', script], { cwd: repoRoot, stdio: 'inherit' });
  return data;
}
