// Pure decisions of the shell (no Electron import), so they can be unit-tested under Node.

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { MediaKind } from '../shared/api';
import { MEDIA_BASE } from '../../preload/types';
import { MEDIA_SCHEME } from '../shared/transport';

/**
 * The renderer's web preferences: the page is untrusted web content that reaches the core only
 * through the preload's one API (contextBridge).
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
} as const;

// 'unsafe-inline' styles: React style attributes. The media scheme: thumbnails and images.
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${MEDIA_SCHEME}:`,
  `connect-src 'self' ${MEDIA_SCHEME}:`,
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether `candidate` is our own page. For the dev server that is its origin; for file:// the
 * origin is opaque ("null"), so only the very index.html we loaded counts.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  const url = parse(candidate);
  const app = parse(appUrl);
  if (!url || !app) return false;
  if (app.protocol !== 'file:') return url.origin === app.origin;
  return url.protocol === 'file:' && fileURLToPath(url) === fileURLToPath(app);
}

/** The URL to hand to the system browser, or null when it is not a plain web link. */
export function externalWebUrl(candidate: string): string | null {
  const url = parse(candidate);
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : null;
}

/** `studio-media://media/<thumb|image>/<imageId>` (any query ignored) → its parts, or null. */
export function parseMediaUrl(candidate: string): { kind: MediaKind; imageId: number } | null {
  const url = parse(candidate);
  if (!url || `${url.protocol}//${url.host}/` !== MEDIA_BASE) return null;
  const match = /^\/(thumb|image)\/([1-9][0-9]{0,14})$/.exec(url.pathname);
  if (!match) return null;
  return { kind: match[1] as MediaKind, imageId: Number(match[2]) };
}

/** The value of `--workspace DIR` / `--workspace=DIR`, resolved against the cwd. */
export function workspaceArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--workspace' ? argv[i + 1] : arg.startsWith('--workspace=') ? arg.slice(12) : undefined;
    if (value) return resolve(value);
  }
  return undefined;
}
