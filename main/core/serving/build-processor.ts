// Build step (`npm run build`): bundles the EAS processor into out/processor for packaged apps,
// which carry neither the sources nor esbuild. Usage: tsx main/core/serving/build-processor.ts [outDir]

import { resolve } from 'node:path';
import { buildProcessor } from './bundle';

const outDir = resolve(process.argv[2] ?? 'out/processor');
const { bytes, dependencies } = await buildProcessor(outDir);
console.log(`EAS processor: ${outDir}/server.js (${(bytes / 1024).toFixed(0)} KB), imports ${Object.entries(dependencies).map(([n, v]) => `${n}@${v}`).join(', ')}`);
