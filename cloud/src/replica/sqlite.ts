import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Sqlite = Database.Database;

/**
 * Page size of a new replica database. A batch writes ~1 MB bodies (the consensus body, the
 * ledger's transaction text), and SQLite's CPU per MB written (WAL frames, checkpoints, overflow
 * pages, fsync) falls by about a third from 4 KiB to 16 KiB pages; larger pages cost more on the
 * small per-vote transactions (bench figures in docs/replica.md). A file that already exists keeps
 * its page size (SQLite ignores the pragma once the file has content).
 */
export const pageBytes = 16_384;

/**
 * Opens a SQLite file for durable state: WAL (readers never block the writer) with
 * synchronous=FULL, so a transaction that returned is on disk even if the machine loses power, not
 * only if the process dies. `migrations[i]` moves the schema from user_version i to i + 1; each runs
 * in its own transaction, so a crash mid-upgrade leaves the previous version intact.
 */
export function openSqlite(path: string, migrations: readonly string[]): Sqlite {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`page_size = ${pageBytes}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    db.close();
    throw new Error(`${path}: schema version ${version} is newer than this program (${migrations.length})`);
  }
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
