import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens a gateway SQLite file for durability first: WAL so readers never block the writer, and
 * `synchronous=FULL` so a committed transaction survives power loss (a reading acknowledged to a
 * device must be on disk). `busy_timeout` covers the CLI's `status` reading while the daemon writes.
 */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
