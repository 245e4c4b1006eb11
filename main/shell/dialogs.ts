import { dialog, type BrowserWindow } from 'electron';

/** Native folder picker; null when cancelled. */
export async function pickFolder(parent: BrowserWindow | null, title: string): Promise<string | null> {
  const options = { title, properties: ['openDirectory' as const] };
  const picked = await (parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options));
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}
