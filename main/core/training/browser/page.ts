// A page's offer to host training runs on its GPU: the studio page in a browser (so someone who
// opens the studio in Chrome or Edge trains on that computer's GPU) and the page a headless Chromium
// opens for the CLI. It stays light (no TensorFlow.js) until the app asks it to start a run; each
// run then gets its own worker, which loads the trainer.

import { probeBrowserDevices } from './devices';
import { HOST_PATH, OFFER_SOCKET, type OfferCommand, type OfferMessage } from './offer';

/** Offers this page as a training host to the app at `base` (its origin); returns a function that withdraws the offer. */
export async function offerTrainingHost(base: string, token?: string, launched = false): Promise<() => void> {
  // Offered even without a GPU path: the app then knows this browser has none, rather than waiting.
  const devices = await probeBrowserDevices();
  const withToken = (path: string) => {
    const u = new URL(path, base);
    if (token) u.searchParams.set('token', token);
    return u;
  };
  const url = withToken(OFFER_SOCKET);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url);
  socket.onopen = () => socket.send(JSON.stringify({ type: 'offer', devices, userAgent: navigator.userAgent, launched } satisfies OfferMessage));
  socket.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as OfferCommand;
    if (m.type !== 'spawn') return;
    const worker = withToken(`${HOST_PATH}worker.js`);
    worker.searchParams.set('session', m.session);
    new Worker(worker, { type: 'module', name: `training ${m.session}` });
  };
  return () => socket.close();
}
