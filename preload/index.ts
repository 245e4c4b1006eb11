// Sandboxed preload: bundled into one CommonJS file that requires only 'electron'.
// Exposes `window.studio` (see ./types), built generically from API_METHODS: no per-method code.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, type StudioEvent } from '../main/shared/api';
import { IPC_CALL, IPC_EVENT } from '../main/shared/transport';
import { IPC_PICK_FOLDER, MEDIA_BASE, type BridgeMethods, type PreloadStudio } from './types';

const methods = Object.fromEntries(
  API_METHODS.map((method) => [method, (...args: unknown[]) => ipcRenderer.invoke(IPC_CALL, method, args)]),
) as unknown as BridgeMethods;

const studio: PreloadStudio = {
  ...methods,
  subscribe(listener: (event: StudioEvent) => void) {
    // The IpcRendererEvent stays here: it would hand the page a raw `sender`.
    const handler = (_event: IpcRendererEvent, event: StudioEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  pickFolder: () => ipcRenderer.invoke(IPC_PICK_FOLDER) as Promise<string | null>,
  mediaBase: MEDIA_BASE,
};

contextBridge.exposeInMainWorld('studio', studio);
