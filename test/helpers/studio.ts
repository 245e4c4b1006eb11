import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStudio, type Studio } from '../../main/core/studio';
import { tempDir } from './fixtures';

export interface StudioFixture {
  /** A Studio on a fresh workspace, new for every test. */
  readonly studio: Studio;
  /** An empty image folder, new for every test. */
  readonly data: string;
  /** An empty folder for outputs, new for every test. */
  readonly out: string;
  /** Writes a file under `data`, creating folders. */
  write(rel: string, bytes: Buffer | string): void;
  /** Removes `cleanup`'s folder after the test. */
  track(dir: { cleanup: () => void }): void;
}

/** Registers the per-test setup and teardown most core tests share. */
export function useStudioFixture(): StudioFixture {
  let studio: Studio | undefined;
  let data = '';
  let out = '';
  let cleanups: Array<() => void> = [];
  beforeEach(async () => {
    const dirs = [tempDir('ws-'), tempDir('data-'), tempDir('out-')];
    cleanups = dirs.map((d) => d.cleanup);
    data = dirs[1]!.dir;
    out = dirs[2]!.dir;
    studio = await openStudio({ workspace: dirs[0]!.dir });
  });
  afterEach(async () => {
    await studio?.close();
    for (const c of cleanups) c();
  });
  return {
    get studio() {
      if (!studio) throw new Error('useStudioFixture: the studio exists only inside a test');
      return studio;
    },
    get data() {
      return data;
    },
    get out() {
      return out;
    },
    write(rel, bytes) {
      mkdirSync(join(data, rel, '..'), { recursive: true });
      writeFileSync(join(data, rel), bytes);
    },
    track(dir) {
      cleanups.push(dir.cleanup);
    },
  };
}
