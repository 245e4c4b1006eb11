// The one application window and the security rules around it.

import { BrowserWindow, shell, type IpcMainInvokeEvent, type Session } from 'electron';
import { CSP, externalWebUrl, isAppUrl, WEB_PREFERENCES } from './policy';
import { loadWindowState, trackWindowState } from './window-state';

/** Denies every permission; in production also sends our CSP with every response. */
export function hardenSession(session: Session, { production }: { production: boolean }): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Not in dev: the Vite dev server injects inline scripts (React refresh).
  if (production) {
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
  }
}

function openInBrowser(url: string): void {
  const web = externalWebUrl(url);
  if (web) void shell.openExternal(web);
}

export interface WindowOptions {
  /** Dev server URL or file URL of the built index.html. */
  appUrl: string;
  preload: string;
  stateFile: string;
}

export function createMainWindow({ appUrl, preload, stateFile }: WindowOptions): BrowserWindow {
  const { maximized, ...bounds } = loadWindowState(stateFile);
  const win = new BrowserWindow({
    ...bounds,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'AutoLearn Studio',
    webPreferences: { ...WEB_PREFERENCES, preload },
  });
  trackWindowState(win, stateFile);
  win.once('ready-to-show', () => {
    if (maximized) win.maximize();
    win.show();
  });

  // No new windows and no navigation away from our page; web links go to the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, appUrl)) return;
    event.preventDefault();
    openInBrowser(event.url);
  });

  void win.loadURL(appUrl);
  return win;
}

/** Whether an IPC call comes from our page in the main frame of `win`. */
export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow, appUrl: string): boolean {
  const frame = event.senderFrame;
  return (
    !win.isDestroyed() &&
    event.sender === win.webContents &&
    frame !== null &&
    frame.parent === null &&
    isAppUrl(frame.url, appUrl)
  );
}

/** Brings the window to the front when a second instance starts. */
export function focusWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
