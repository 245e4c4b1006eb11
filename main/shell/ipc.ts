// One generic IPC proxy into the Studio (no per-method handlers), plus the folder picker.
// Errors travel as data: Electron keeps only the message of an Error thrown across IPC.

import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CALL } from '../shared/transport';
import { StudioError, isApiMethod, type StudioApi } from '../shared/api';
import { IPC_PICK_FOLDER, type ApiReply } from '../../preload/types';
import { pickFolder } from './dialogs';

export interface IpcOptions {
  /** The current Studio (it changes when another workspace is opened). */
  api: () => StudioApi;
  isTrusted: (event: IpcMainInvokeEvent) => boolean;
}

function errorReply(err: unknown, method: string): ApiReply {
  if (!(err instanceof StudioError)) console.error(`studio.${method} failed:`, err);
  return { error: StudioError.wrap(err).toJSON() };
}

export function registerIpc({ api, isTrusted }: IpcOptions): void {
  const guard = (event: IpcMainInvokeEvent): void => {
    if (!isTrusted(event)) throw new Error('IPC refused: the sender is not the studio window');
  };

  ipcMain.handle(IPC_CALL, async (event, method: unknown, args: unknown): Promise<ApiReply> => {
    guard(event);
    if (!isApiMethod(method)) {
      return { error: { code: 'invalid_input', message: `Unknown method: ${String(method)}` } };
    }
    try {
      const studio = api();
      const fn = studio[method] as (this: StudioApi, ...a: unknown[]) => Promise<unknown>;
      return { result: await fn.apply(studio, Array.isArray(args) ? args : []) };
    } catch (err) {
      return errorReply(err, method);
    }
  });

  ipcMain.handle(IPC_PICK_FOLDER, (event): Promise<string | null> => {
    guard(event);
    return pickFolder(BrowserWindow.fromWebContents(event.sender), 'Choose the image folder');
  });
}
