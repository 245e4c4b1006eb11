// The exported processor is ./processor.ts itself, bundled with esbuild into one ES module (the
// runtime, the service and the tf backend setup inlined, so no copy of that code lives anywhere
// else). Packages with native code or their own .wasm files (TensorFlow.js, sharp) stay imports,
// installed from the processor's own package.json and lockfile.
// From the sources (dev, CLI, tests) it is bundled at export time. `npm run build` also bundles it
// into out/processor/ (server.js + dependencies.json), which is what a packaged app, without
// sources or esbuild, copies.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StudioError } from '../../shared/api';

/** Imports left to the processor's node_modules. */
const EXTERNAL = ['@tensorflow/*', 'sharp'];

const SOURCE = join(import.meta.dirname, 'processor.ts');
const DEPENDENCIES_FILE = 'dependencies.json';

interface Bundled {
  bytes: number;
  /** Packages the bundle imports, at the versions installed where it was built (and tested). */
  dependencies: Record<string, string>;
}

/** out/processor of the build this module runs from (out/main/…), or null. */
function prebuiltDir(): string | null {
  for (let dir = import.meta.dirname, up = dirname(dir); up !== dir; dir = up, up = dirname(dir)) {
    if (existsSync(join(dir, 'processor', 'server.js')) && existsSync(join(dir, 'main'))) return join(dir, 'processor');
  }
  return null;
}

/** Writes the processor to `outFile`: bundled from the sources when they are here, else the build's copy. */
export async function bundleProcessor(outFile: string): Promise<Bundled> {
  if (existsSync(SOURCE)) return bundleFromSource(outFile);
  const prebuilt = prebuiltDir();
  if (!prebuilt) throw new StudioError('not_found', `this build has no EAS processor (out/processor/server.js); rebuild with npm run build`);
  await copyFile(join(prebuilt, 'server.js'), outFile);
  const dependencies = JSON.parse(await readFile(join(prebuilt, DEPENDENCIES_FILE), 'utf8')) as Record<string, string>;
  return { bytes: (await stat(outFile)).size, dependencies };
}

/** The build step: out/processor/server.js and the versions it imports. */
export async function buildProcessor(outDir: string): Promise<Bundled> {
  await mkdir(outDir, { recursive: true });
  const bundled = await bundleFromSource(join(outDir, 'server.js'));
  await writeFile(join(outDir, DEPENDENCIES_FILE), JSON.stringify(bundled.dependencies, null, 2));
  return bundled;
}

async function bundleFromSource(outFile: string): Promise<Bundled> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new StudioError('internal', `esbuild is needed to build the EAS processor and could not be loaded (${(err as Error).message}); run npm install`);
  }
  const entry = SOURCE;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: EXTERNAL,
    metafile: true,
    legalComments: 'inline',
    logLevel: 'silent',
    banner: { js: '// AutoLearn Studio EAS processor, bundled from main/core/serving/processor.ts. Run: node server.js --help' },
  });
  const imported = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external && !imp.path.startsWith('node:')) imported.add(packageName(imp.path));
  }
  const dependencies: Record<string, string> = {};
  for (const name of [...imported].sort()) dependencies[name] = await installedVersion(name, entry);
  return { bytes: (await stat(outFile)).size, dependencies };
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The version of `name` that the studio itself resolves from `from`. */
async function installedVersion(name: string, from: string): Promise<string> {
  const require = createRequire(from);
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    throw new StudioError('not_found', `the processor imports ${name}, which is not installed here; run npm install`);
  }
  // Walk up from the entry point to the package's own package.json ("exports" may hide it from resolve).
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(await readFile(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new StudioError('not_found', `cannot find the installed version of ${name}`);
    dir = up;
  }
}
