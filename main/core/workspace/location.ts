import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The workspace directory: the explicit flag, else $AUTOLEARN_HOME, else a per-user default. */
export function resolveWorkspaceDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env['AUTOLEARN_HOME'];
  if (fromEnv) return resolve(fromEnv);
  return defaultWorkspaceDir();
}

function defaultWorkspaceDir(): string {
  const home = homedir();
  switch (process.platform) {
    case 'win32':
      return join(process.env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'AutoLearn Studio');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'AutoLearn Studio');
    default:
      return join(process.env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'autolearn-studio');
  }
}
