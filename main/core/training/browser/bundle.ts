// The browser host's scripts: page.js (the offer) and worker.js (the trainer, TensorFlow.js with
// its WebGPU/WebGL/CPU backends). From the sources (dev, CLI, tests) esbuild bundles them in memory
// on first use; `npm run build` writes them to out/training-host/ for packaged apps.

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StudioError } from '../../../shared/api';

export const HOST_SCRIPTS = { 'page.js': 'page-entry.ts', 'worker.js': 'worker.ts' } as const;
export type HostScript = keyof typeof HOST_SCRIPTS;

let cached: Promise<Map<HostScript, Uint8Array>> | null = null;

/** out/training-host of the build this module runs from (out/main/…), or null. */
function prebuiltDir(): string | null {
  for (let dir = import.meta.dirname, up = dirname(dir); up !== dir; dir = up, up = dirname(dir)) {
    if (existsSync(join(dir, 'training-host', 'worker.js')) && existsSync(join(dir, 'main'))) return join(dir, 'training-host');
  }
  return null;
}

export function hostScript(name: HostScript): Promise<Uint8Array> {
  cached ??= load().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached.then((m) => m.get(name)!);
}

async function load(): Promise<Map<HostScript, Uint8Array>> {
  const names = Object.keys(HOST_SCRIPTS) as HostScript[];
  if (existsSync(join(import.meta.dirname, HOST_SCRIPTS['worker.js']))) return bundleFromSource();
  const prebuilt = prebuiltDir();
  if (!prebuilt) throw new StudioError('not_found', 'this build has no browser training host (out/training-host/); rebuild with npm run build');
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(prebuilt, n))] as const)));
}

async function bundleFromSource(): Promise<Map<HostScript, Uint8Array>> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new StudioError('internal', `esbuild is needed to build the browser training host and could not be loaded (${(err as Error).message}); run npm install`);
  }
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(HOST_SCRIPTS).map(([out, src]) => [out.replace(/\.js$/, ''), join(import.meta.dirname, src)])),
    outdir: 'out',
    write: false,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return new Map(result.outputFiles.map((f) => [f.path.split(/[\\/]/).pop() as HostScript, f.contents]));
}

/** The build step: out/training-host/{page,worker}.js. */
export async function buildHostScripts(outDir: string): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const scripts = await bundleFromSource();
  let bytes = 0;
  for (const [name, data] of scripts) {
    await writeFile(join(outDir, name), data);
    bytes += data.byteLength;
  }
  return bytes;
}
