// The installer configuration (electron-builder.yml) checked without running electron-builder,
// which needs to download Electron and the platform tools.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  appId: string;
  productName: string;
  directories: { buildResources: string; output: string };
  files: string[];
  npmRebuild: boolean;
  asarUnpack: string[];
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean; os?: string[]; cpu?: string[] }> };

/** Whether a packaged path is matched by the include globs and not excluded by a "!" glob. */
function packaged(path: string): boolean {
  const included = config.files.filter((g) => !g.startsWith('!')).some((g) => matchesGlob(path, g));
  return included && !config.files.filter((g) => g.startsWith('!')).some((g) => matchesGlob(path, g.slice(1)));
}

const unpacked = (path: string) => config.asarUnpack.some((g) => matchesGlob(path, g));

function hasNativeAddon(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'node_modules' && hasNativeAddon(join(dir, entry.name))) return true;
    if (entry.isFile() && entry.name.endsWith('.node')) return true;
  }
  return false;
}

describe('electron-builder configuration', () => {
  it('builds the installers of every desktop OS', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('AutoLearn Studio');
    expect(pkg.scripts.dist).toMatch(/npm run build && electron-builder/);
  });

  it('packages what npm run build makes: the main entry, the training worker, the browser training host, preload, renderer and the EAS processor', () => {
    for (const file of [pkg.main.replace(/^\.\//, ''), 'out/main/training-worker.js', 'out/training-host/worker.js', 'out/training-host/page.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/processor/server.js', 'out/processor/dependencies.json', 'package.json']) {
      expect(packaged(file), file).toBe(true);
    }
    expect(packaged('out/main/index.js.map')).toBe(false);
    expect(packaged('main/core/studio.ts')).toBe(false);
    expect(packaged('test/shell/builder-config.test.ts')).toBe(false);
  });

  it('rebuilds nothing and unpacks every native module of the app from the asar archive', () => {
    expect(config.npmRebuild).toBe(false);
    for (const path of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/sharp/lib/index.js', 'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node', 'node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tensorflow.node']) {
      expect(unpacked(path), path).toBe(true);
    }
    // Every production package that carries a native addon, or is a per-platform binary package
    // (os/cpu fields: sharp's @img/* libvips builds and the like), must be unpacked.
    const production = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && !p.dev);
    const native = production.filter(([path, p]) => p.os || p.cpu || (existsSync(join(root, path)) && statSync(join(root, path)).isDirectory() && hasNativeAddon(join(root, path))));
    expect(native.map(([path]) => path)).toEqual(expect.arrayContaining(['node_modules/better-sqlite3']));
    for (const [path] of native) expect(unpacked(`${path}/package.json`), `${path} has native code but is not in asarUnpack`).toBe(true);
  });

  it('has icons large enough for every target under the build resources', async () => {
    for (const os of ['linux', 'win', 'mac'] as const) {
      const icon = config[os].icon;
      expect(icon.startsWith(`${config.directories.buildResources}/`), `${os} icon under ${config.directories.buildResources}`).toBe(true);
      const meta = await sharp(join(root, icon)).metadata();
      expect(meta.format).toBe('png');
      // macOS icns needs 512×512 at least (1024 for retina).
      expect(Math.min(meta.width ?? 0, meta.height ?? 0)).toBeGreaterThanOrEqual(512);
    }
  });
});
