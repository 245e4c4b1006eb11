import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb, DB_FILE } from '../../../main/core/workspace/db';
import { MIGRATIONS } from '../../../main/core/workspace/migrations';
import { resolveWorkspaceDir } from '../../../main/core/workspace/location';
import { openStudio } from '../../../main/core/studio';
import { tempDir } from '../../helpers/fixtures';

const ws = tempDir('ws-db-');
afterEach(() => {
  delete process.env['AUTOLEARN_HOME'];
});

describe('workspace database', () => {
  it('is WAL with foreign keys, migrated to the latest version, and keeps data across opens', async () => {
    const a = await openStudio({ workspace: ws.dir });
    await a.createInstance({ type: 'ocr', name: 'cards', description: 'bank cards' });
    expect(await a.workspaceInfo()).toMatchObject({ path: ws.dir, schemaVersion: MIGRATIONS.length });
    await a.close();
    const db = openDb(ws.dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    const b = await openStudio({ workspace: ws.dir });
    expect((await b.listInstances()).map((i) => [i.name, i.type, i.description])).toEqual([['cards', 'ocr', 'bank cards']]);
    await b.close();
  });

  it('refuses a workspace from a newer version instead of damaging it', () => {
    const dir = tempDir('ws-new-');
    const raw = new Database(join(dir.dir, DB_FILE));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDb(dir.dir)).toThrow(/newer than this app understands/);
    dir.cleanup();
  });

  it('resolves the flag, then $AUTOLEARN_HOME, then a per-user default', () => {
    expect(resolveWorkspaceDir('/tmp/x/../y')).toBe('/tmp/y');
    process.env['AUTOLEARN_HOME'] = '/tmp/from-env';
    expect(resolveWorkspaceDir()).toBe('/tmp/from-env');
    delete process.env['AUTOLEARN_HOME'];
    expect(resolveWorkspaceDir()).toMatch(/autolearn-studio|AutoLearn Studio/);
  });
});
