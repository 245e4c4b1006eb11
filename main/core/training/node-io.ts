// The host services of a Node training process (and of the app answering a browser training host):
// tfjs backends loaded here, sharp decoding, model folders on disk.

import { decodeLetterbox, decodeSquare } from './decode';
import type { HostIO } from './host-io';
import { diskModels } from './saved-model';
import { initBackend } from './tf/backend';

export const nodeHostIO: HostIO = {
  // The app routes GPU choices before starting a process: here 'cuda' is tfjs-node-gpu, and browser backends never arrive.
  initBackend: (device) => initBackend(device === 'cuda' || device === 'gpu' ? 'gpu' : device === 'cpu' ? 'cpu' : 'auto'),
  images: {
    square: async (path, size) => (await decodeSquare(path, size)).pixels,
    letterbox: (path, size) => decodeLetterbox(path, size),
  },
  models: diskModels,
};
