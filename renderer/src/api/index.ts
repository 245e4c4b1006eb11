import type { StudioClient } from '../../../main/shared/api';
import { createElectronClient } from './electron';
import { createHttpClient } from './http';

export function createClient(): StudioClient {
  return window.studio ? createElectronClient(window.studio) : createHttpClient();
}
