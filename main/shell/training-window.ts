// The desktop app's browser training host: a hidden window on the host page, made for a run and
// closed after it, so WebGPU/WebGL train on whatever GPU Chromium reaches (D3D12, Metal, Vulkan).
// Same sandboxed web preferences as the main window; the page talks to the core over its
// loopback socket like any host page.

import { BrowserWindow } from 'electron';
import type { HostPage, OpenHostPage } from '../core/training/browser/hosts';
import { WEB_PREFERENCES } from './policy';

export const hiddenTrainingWindow: OpenHostPage = (url): HostPage => {
  // Never throttled: a hidden window would otherwise get its timers and GPU work slowed down.
  const win = new BrowserWindow({ show: false, webPreferences: { ...WEB_PREFERENCES, backgroundThrottling: false } });
  void win.loadURL(url);
  return {
    close: async () => {
      if (!win.isDestroyed()) win.destroy();
    },
  };
};
