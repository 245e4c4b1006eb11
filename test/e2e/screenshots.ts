// `npm run screenshots`: regenerates resources/screenshots/*.png, the README's pictures of every
// screen. The pictures are taken by the end-to-end specs themselves, at the step that shows each
// screen (`snapshot(page, 'name.png')` in test/e2e/studio-ui.ts, a no-op unless UPDATE_SCREENSHOTS
// is set), so a screenshot always shows what a passing test saw. This runs the specs that take
// any (after `npm run build`, which the npm script does first), then checks that each one was
// written and that README.md shows every one and names none that is missing.
//
//   npm run screenshots                         # every spec that takes a screenshot
//   npm run screenshots -- test/e2e/journey.spec.ts   # only these (any Playwright arguments)

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const e2eDir = path.join(repoRoot, 'test', 'e2e');
const screenshotDir = path.join(repoRoot, 'resources', 'screenshots');

/** spec file (relative to the repository) → the screenshots it takes. */
function specsWithScreenshots(): Map<string, string[]> {
  const specs = new Map<string, string[]>();
  for (const file of readdirSync(e2eDir).filter((f) => f.endsWith('.spec.ts')).sort()) {
    const names = [...readFileSync(path.join(e2eDir, file), 'utf8').matchAll(/snapshot\(\s*page\s*,\s*'([^']+\.png)'\s*\)/g)].map((m) => m[1]!);
    if (names.length > 0) specs.set(path.posix.join('test', 'e2e', file), names);
  }
  return specs;
}

const specs = specsWithScreenshots();
const args = process.argv.slice(2);
const started = Date.now();
const playwright = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'playwright.cmd' : 'playwright');
const run = spawnSync(playwright, ['test', ...(args.length > 0 ? args : [...specs.keys()])], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, UPDATE_SCREENSHOTS: '1' },
  shell: process.platform === 'win32',
});

const expected = args.length > 0 ? [...specs].filter(([spec]) => args.some((arg) => spec.includes(arg.replace(/\\/g, '/')))) : [...specs];
const written: string[] = [];
const notWritten: string[] = [];
for (const [spec, names] of expected) {
  for (const name of names) {
    const file = path.join(screenshotDir, name);
    if (existsSync(file) && statSync(file).mtimeMs >= started) written.push(name);
    else notWritten.push(`${name} (${spec})`);
  }
}

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const shown = new Set([...readme.matchAll(/resources\/screenshots\/([\w.-]+\.png)/g)].map((m) => m[1]!));
const taken = new Set([...specs.values()].flat());
const missing = [...shown].filter((name) => !existsSync(path.join(screenshotDir, name)));
const unshown = [...taken].filter((name) => !shown.has(name));
const orphans = readdirSync(screenshotDir).filter((name) => name.endsWith('.png') && !taken.has(name));

console.log(`\nScreenshots written (${written.length}): ${written.join(', ') || 'none'}`);
if (notWritten.length > 0) console.log(`Not written this time (a test failed or was skipped before that step): ${notWritten.join(', ')}`);
if (unshown.length > 0) console.log(`Taken but not shown in README.md: ${unshown.join(', ')}`);
if (orphans.length > 0) console.log(`In resources/screenshots but taken by no spec: ${orphans.join(', ')}`);
if (missing.length > 0) console.error(`README.md shows screenshots that do not exist: ${missing.join(', ')}`);

process.exitCode = run.status !== 0 ? (run.status ?? 1) : missing.length > 0 || notWritten.length > 0 ? 1 : 0;
