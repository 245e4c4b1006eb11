// Debounced, revision-checked saving of one image's annotation; no React in here.
//
//   const saver = new AnnotationSaver(client, image.id, image.revision, (status, saved) => { ... });
//   saver.schedule({ label: 'ants', boxes: [] });  // saved within SAVE_DELAY_MS, coalescing bursts
//   await saver.flush();                           // now, e.g. before submitting or leaving the image
//   saver.status  // { state: 'saved' | 'pending' | 'saving' | 'error', stale, error }
//   saver.revision // the server's revision after the last save; pass it as baseRevision elsewhere
//
// A save is refused ('conflict' on 'revision') when the image changed elsewhere since the revision
// we hold: the saver turns stale and stops saving, so the other change is never silently overwritten.
// Any other failure is retried until it goes through; edits are never dropped for a network hiccup.
// useAnnotationEditor uses one saver per image; the classification grid one per labeled image.
import type { Annotation, ImageDetail, StudioApi, StudioError } from '../../../main/shared/api';
import { toStudioError } from '../api/errors';

/** The issue allows ≤ 300 ms between an edit and its save. */
export const SAVE_DELAY_MS = 250;
const RETRY_MS = 2000;

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

export interface SaverStatus {
  state: SaveState;
  stale: boolean;
  error: StudioError | null;
}

export function isStaleError(error: StudioError): boolean {
  return error.code === 'conflict' && error.field === 'revision';
}

export class AnnotationSaver {
  status: SaverStatus = { state: 'saved', stale: false, error: null };
  private pending: Annotation | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly client: Pick<StudioApi, 'saveAnnotation'>,
    readonly imageId: number,
    public revision: number,
    /** Called on every status change; `saved` is the server's copy after a successful save. */
    private readonly onChange: (status: SaverStatus, saved?: ImageDetail) => void = () => {},
  ) {}

  /** Whether an edit is waiting or being written: the server's copy may be behind the local one. */
  get busy(): boolean {
    return this.pending !== null || this.inFlight !== null;
  }

  schedule(annotation: Annotation, delayMs = SAVE_DELAY_MS): void {
    if (this.status.stale) return;
    this.pending = annotation;
    if (!this.inFlight) this.update({ state: 'pending', error: null });
    this.arm(delayMs);
  }

  /** Writes whatever is pending now and resolves once the server has it (or refused it). */
  async flush(): Promise<void> {
    this.disarm();
    while (this.inFlight || (this.pending && !this.status.stale)) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      const annotation = this.pending!;
      this.pending = null;
      this.inFlight = this.send(annotation).finally(() => {
        this.inFlight = null;
      });
      await this.inFlight;
      // A failed save has put its edit back and armed a retry: do not spin on it here.
      if (this.status.state === 'error') return;
    }
  }

  private async send(annotation: Annotation): Promise<void> {
    this.update({ state: 'saving' });
    try {
      const saved = await this.client.saveAnnotation({ imageId: this.imageId, annotation, baseRevision: this.revision });
      this.revision = saved.revision;
      this.update({ state: this.pending ? 'pending' : 'saved', error: null }, saved);
    } catch (failure) {
      const error = toStudioError(failure);
      if (isStaleError(error)) {
        this.markStale(error);
        return;
      }
      // A newer edit made meanwhile supersedes this one; otherwise try this one again.
      this.pending ??= annotation;
      this.update({ state: 'error', error });
      this.arm(RETRY_MS);
    }
  }

  /** Stops saving for good: the server refused an edit (or a submit) based on our revision. */
  markStale(error: StudioError): void {
    this.pending = null;
    this.disarm();
    this.update({ state: 'error', stale: true, error });
  }

  private arm(delayMs: number): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private update(change: Partial<SaverStatus>, saved?: ImageDetail): void {
    this.status = { ...this.status, ...change };
    this.onChange(this.status, saved);
  }
}

/** Flushes when the page is hidden or closed: the last edit must not wait for a timer that never fires. */
export function onPageLeave(flush: () => void): () => void {
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') flush();
  };
  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    window.removeEventListener('pagehide', flush);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
