import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export const DB_FILE = 'studio.db';

/** Opens (creating if needed) the workspace database and brings its schema up to date. */
export function openDb(workspaceDir: string): Db {
  mkdirSync(workspaceDir, { recursive: true });
  const db = new Database(join(workspaceDir, DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // WAL + NORMAL is durable across application crashes; only an OS crash can lose the last commit.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new Error(
      `workspace schema version ${current} is newer than this app understands (${MIGRATIONS.length}); update AutoLearn Studio`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per database: preparing dominates hot loops otherwise. */
export function sql(db: Db, source: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(source);
  if (!stmt) cache.set(source, (stmt = db.prepare(source)));
  return stmt;
}
