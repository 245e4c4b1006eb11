// Electron entry: wires the Studio core to one window. Everything substantial lives in the core
// (main/core) and in the small modules of main/shell.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { IPC_EVENT } from './shared/transport';
import { resolveWorkspaceDir } from './core/workspace/location';
import { pickFolder } from './shell/dialogs';
import { registerIpc } from './shell/ipc';
import { handleMedia, registerMediaScheme } from './shell/media';
import { buildMenu } from './shell/menu';
import { addRecent, clearRecent, readRecent } from './shell/recent';
import { workspaceArg } from './shell/policy';
import { StudioHost } from './shell/studio-host';
import { createMainWindow, focusWindow, hardenSession, isTrustedSender } from './shell/window';

const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const appUrl = devServerUrl ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;

let win: BrowserWindow | null = null;
const host = new StudioHost(app.getVersion(), (event) => {
  if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event);
});

function fail(title: string, err: unknown): void {
  dialog.showErrorBox(title, err instanceof Error ? err.message : String(err));
}

const recentFile = () => join(app.getPath('userData'), 'recent-workspaces.json');

function updateMenu(fallbackWorkspace: string): void {
  Menu.setApplicationMenu(
    buildMenu({
      openWorkspace: () =>
        void pickFolder(win, 'Open workspace').then(async (dir) => {
          if (dir) await switchWorkspace(dir);
        }),
      recent: readRecent(recentFile()),
      openRecent: (dir) => void switchWorkspace(dir),
      clearRecent: () => {
        clearRecent(recentFile());
        updateMenu(fallbackWorkspace);
      },
      showWorkspaceFolder: () => void shell.openPath(host.workspace ?? fallbackWorkspace),
      about: () =>
        void dialog.showMessageBox({
          title: 'About AutoLearn Studio',
          message: `AutoLearn Studio ${app.getVersion()}`,
          detail: `Workspace: ${host.workspace ?? fallbackWorkspace}`,
        }),
    }),
  );
}

async function switchWorkspace(dir: string): Promise<void> {
  try {
    await host.open(dir);
  } catch (err) {
    fail('Could not open the workspace', err);
    return;
  }
  addRecent(recentFile(), dir);
  updateMenu(dir);
  // The page holds data of the previous workspace: start it afresh.
  win?.webContents.reload();
}

// WebGPU for the browser training host's hidden window (still behind a flag on Linux).
app.commandLine.appendSwitch('enable-unsafe-webgpu');

async function start(): Promise<void> {
  await app.whenReady();
  // Workspace: --workspace DIR, else $AUTOLEARN_HOME (both resolved by the core), else userData.
  const explicit = workspaceArg(process.argv);
  const workspace =
    explicit || process.env['AUTOLEARN_HOME'] ? resolveWorkspaceDir(explicit) : app.getPath('userData');
  try {
    await host.open(workspace);
  } catch (err) {
    fail('Could not open the workspace', err);
    app.exit(1);
    return;
  }

  hardenSession(session.defaultSession, { production: devServerUrl === undefined });
  handleMedia(session.defaultSession, () => host.studio);
  registerIpc({ api: () => host.studio, isTrusted: (event) => win !== null && isTrustedSender(event, win, appUrl) });
  addRecent(recentFile(), workspace);
  updateMenu(workspace);

  win = createMainWindow({
    appUrl,
    preload: join(import.meta.dirname, '../preload/index.cjs'),
    stateFile: join(app.getPath('userData'), 'window-state.json'),
  });
  win.on('closed', () => {
    win = null;
  });
}

registerMediaScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) focusWindow(win);
  });
  app.on('window-all-closed', () => app.quit());
  // Close the Studio (database, running jobs) before the process goes away.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void host.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  start().catch((err: unknown) => {
    fail('AutoLearn Studio could not start', err);
    app.exit(1);
  });
}
