import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openWorkspace: () => void;
  showWorkspaceFolder: () => void;
  about: () => void;
}

export function buildMenu({ openWorkspace, showWorkspaceFolder, about }: MenuActions): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: openWorkspace },
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
