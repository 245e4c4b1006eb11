// The offer a page makes to host training runs, and where the host lives on the app's server. No
// imports: the studio page (renderer) includes this without the trainer's types.

export type BrowserBackendName = 'webgpu' | 'webgl';

/** A GPU path found in a browser context. */
export interface BrowserDevice {
  backend: BrowserBackendName;
  /** The adapter or renderer, e.g. "NVIDIA GeForce RTX 4070", "Google SwiftShader". */
  name: string;
  /** Software rendering (SwiftShader, llvmpipe): correct, but slower than the CPU path. */
  software: boolean;
}

/** Offer connection: page → app. */
export type OfferMessage = { type: 'offer'; devices: BrowserDevice[]; userAgent: string; /** The page the app opened itself (headless Chromium, hidden window), not a person's. */ launched: boolean };
/** Offer connection: app → page. */
export type OfferCommand = { type: 'spawn'; session: string };

export const HOST_PATH = '/training-host/';
export const OFFER_SOCKET = `${HOST_PATH}offer`;
export const SESSION_SOCKET = `${HOST_PATH}session`;
