// The shell's security settings, checked where they are defined (policy.ts) and where they are
// applied (window.ts, main/index.ts), since no Electron window can open on CI.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CSP, WEB_PREFERENCES } from '../../main/shell/policy';
import { addRecent, clearRecent, MAX_RECENT, readRecent } from '../../main/shell/recent';

const root = join(import.meta.dirname, '..', '..');
const source = (path: string) => readFileSync(join(root, path), 'utf8');

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));
}

describe('renderer isolation', () => {
  it('isolates the page: context isolation, sandbox, no Node anywhere, no webview', () => {
    expect(WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
  });

  it('applies those preferences to the window without overriding any of them', () => {
    const window = source('main/shell/window.ts');
    expect(window).toMatch(/webPreferences: \{ \.\.\.WEB_PREFERENCES, preload \}/);
    expect(window.match(/webPreferences/g)).toHaveLength(1);
    for (const key of Object.keys(WEB_PREFERENCES)) expect(window, `window.ts sets ${key} itself`).not.toMatch(new RegExp(`\\b${key}\\s*:`));
  });

  it('gives the hidden training window the same preferences, adding only unthrottled background work, and no preload', () => {
    const hidden = source('main/shell/training-window.ts');
    expect(hidden).toMatch(/webPreferences: \{ \.\.\.WEB_PREFERENCES, backgroundThrottling: false \}/);
    expect(hidden).toMatch(/show: false/);
    expect(hidden).not.toMatch(/preload/);
    for (const key of Object.keys(WEB_PREFERENCES)) expect(hidden, `training-window.ts sets ${key} itself`).not.toMatch(new RegExp(`\\b${key}\\s*:`));
  });

  it('blocks navigation, new windows and permission requests', () => {
    const window = source('main/shell/window.ts');
    expect(window).toMatch(/setWindowOpenHandler\([^]*?return \{ action: 'deny' \}/);
    expect(window).toMatch(/on\('will-navigate'[^]*?if \(isAppUrl\(event\.url, appUrl\)\) return;\s*event\.preventDefault\(\)/);
    expect(window).toMatch(/setPermissionRequestHandler\(\(_webContents, _permission, callback\) => callback\(false\)\)/);
    expect(window).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    // IPC answers only our own page's main frame.
    expect(source('main/index.ts')).toMatch(/isTrusted: \(event\) => win !== null && isTrustedSender\(event, win, appUrl\)/);
  });

  it('has a strict content security policy in the shell and in the page itself', () => {
    for (const [where, csp] of [
      ['shell', CSP],
      ['renderer/index.html', /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(source('renderer/index.html'))![1]!],
    ] as const) {
      const d = directives(csp);
      expect(d.get('default-src'), where).toEqual(["'self'"]);
      expect(d.get('script-src'), where).toEqual(["'self'"]);
      expect(d.get('object-src'), where).toEqual(["'none'"]);
      expect(d.get('base-uri'), where).toEqual(["'none'"]);
      expect(csp, where).not.toMatch(/unsafe-eval|\*/);
    }
    expect(directives(CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('recent workspaces', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the most recent first, once each, at most MAX_RECENT', () => {
    dir = mkdtempSync(join(tmpdir(), 'recent-'));
    const file = join(dir, 'sub', 'recent.json');
    expect(readRecent(file)).toEqual([]);
    for (let i = 0; i < MAX_RECENT + 3; i++) addRecent(file, join(dir, `ws${i}`));
    addRecent(file, join(dir, 'ws5', '.'));
    const list = readRecent(file);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe(join(dir, 'ws5'));
    expect(list[1]).toBe(join(dir, `ws${MAX_RECENT + 2}`));
    expect(new Set(list).size).toBe(list.length);
    clearRecent(file);
    expect(readRecent(file)).toEqual([]);
  });

  it('treats a damaged file as an empty list and repairs it on the next open', () => {
    dir = mkdtempSync(join(tmpdir(), 'recent-'));
    const file = join(dir, 'recent.json');
    writeFileSync(file, '{"not": "a list"');
    expect(readRecent(file)).toEqual([]);
    expect(addRecent(file, join(dir, 'a'))).toEqual([join(dir, 'a')]);
    writeFileSync(file, JSON.stringify([42, 'x']));
    expect(readRecent(file)).toEqual([]);
  });
});
