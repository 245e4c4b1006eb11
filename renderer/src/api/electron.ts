import { clientFromBridge, type PreloadStudio } from '../../../preload/types';

declare global {
  interface Window {
    studio?: PreloadStudio;
  }
}

export const createElectronClient = clientFromBridge;
