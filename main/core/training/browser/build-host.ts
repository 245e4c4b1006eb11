// Build step (`npm run build`): bundles the browser training host into out/training-host for packaged
// apps, which carry neither the sources nor esbuild. Usage: tsx main/core/training/browser/build-host.ts [outDir]

import { resolve } from 'node:path';
import { buildHostScripts } from './bundle';

const outDir = resolve(process.argv[2] ?? 'out/training-host');
const bytes = await buildHostScripts(outDir);
console.log(`browser training host: ${outDir}/{page,worker}.js (${(bytes / 1024).toFixed(0)} KB)`);
