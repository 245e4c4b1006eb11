// Holds the open Studio so the workspace can be switched without restarting the app.

import { openStudio, type Studio } from '../core/studio';
import { StudioError, type StudioEvent } from '../shared/api';
import { BrowserHosts } from '../core/training/browser/hosts';
import { utilityWorker } from './training-process';
import { hiddenTrainingWindow } from './training-window';

export class StudioHost {
  #open: { studio: Studio; workspace: string; unsubscribe: () => void } | null = null;
  readonly #appVersion: string;
  readonly #onEvent: (event: StudioEvent) => void;

  constructor(appVersion: string, onEvent: (event: StudioEvent) => void) {
    this.#appVersion = appVersion;
    this.#onEvent = onEvent;
  }

  get studio(): Studio {
    if (!this.#open) throw new StudioError('internal', 'No workspace is open');
    return this.#open.studio;
  }

  get workspace(): string | null {
    return this.#open?.workspace ?? null;
  }

  /** Opens `workspace`, then closes the previous one (so a failed open leaves it in place). */
  async open(workspace: string): Promise<void> {
    if (this.#open?.workspace === workspace) return;
    const studio = await openStudio({ workspace, appVersion: this.#appVersion, training: { spawn: utilityWorker, browserHosts: new BrowserHosts({ openPage: hiddenTrainingWindow, closeAfterRun: true }) } });
    const previous = this.#open;
    this.#open = { studio, workspace, unsubscribe: studio.subscribe(this.#onEvent) };
    if (previous) await this.#release(previous);
  }

  async close(): Promise<void> {
    const previous = this.#open;
    this.#open = null;
    if (previous) await this.#release(previous);
  }

  async #release({ studio, unsubscribe }: { studio: Studio; unsubscribe: () => void }): Promise<void> {
    unsubscribe();
    await studio.close();
  }
}
