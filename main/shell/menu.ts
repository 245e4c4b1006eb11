import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openWorkspace: () => void;
  /** Recent workspaces, most recent first. */
  recent: readonly string[];
  openRecent: (dir: string) => void;
  clearRecent: () => void;
  showWorkspaceFolder: () => void;
  about: () => void;
}

export function buildMenu({ openWorkspace, recent, openRecent, clearRecent, showWorkspaceFolder, about }: MenuActions): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: openWorkspace },
        {
          label: 'Open Recent',
          submenu: [
            ...recent.map((dir) => ({ label: dir, click: () => openRecent(dir) })),
            ...(recent.length ? [{ type: 'separator' as const }] : []),
            { label: 'Clear Recent', enabled: recent.length > 0, click: clearRecent },
          ],
        },
        { label: 'Show Workspace Folder', click: showWorkspaceFolder },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'help', submenu: [{ label: 'About AutoLearn Studio', click: about }] },
  ];
  return Menu.buildFromTemplate(template);
}
