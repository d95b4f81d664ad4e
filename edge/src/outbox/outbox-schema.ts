import type { Db } from '../gateway/database.ts';

/**
 * The outbox's tables (schema version 2, session 7). A submission's state lives in a small row of
 * `outbox_rows`; its body (a reading batch's is up to 1 MiB) in `outbox_bodies`, written once and
 * deleted with the row. Before, the body sat in the state row, so every state change (accepted,
 * committed, a retry) made SQLite rewrite the whole ~1 MB record, and the committed receipt (~1 MB
 * too, before compact receipts) was added to it.
 *
 * `outbox` is a view with the old table's columns in the old order (and an INSTEAD OF INSERT
 * trigger), so readers of the old shape — the status page, tools, benches — keep working.
 */

/** `outbox_meta` key of the schema version; absent on a version-1 (single table) outbox. */
export const outboxSchemaVersionKey = 'schemaVersion';
/**
 * 2: state rows and bodies in tables of their own. 3: adds a partial index of due rows per state
 * (`outbox_due_pending`, `outbox_due_accepted`); a version-2 outbox gets them at open, nothing else
 * changes, and a version-2 gateway opening a version-3 outbox only writes its version back.
 */
export const outboxSchemaVersion = 3;

const stateColumns = `kind TEXT NOT NULL,
  header TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  payload_count INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT,
  receipt TEXT,
  done_ms INTEGER`;

const tables = `
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_rows (
  seq INTEGER PRIMARY KEY,
  ${stateColumns}
);
CREATE TABLE IF NOT EXISTS outbox_bodies (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
`;

const indexesAndView = `
CREATE INDEX IF NOT EXISTS outbox_due ON outbox_rows(next_attempt_ms) WHERE state IN ('pending', 'accepted');
CREATE INDEX IF NOT EXISTS outbox_due_pending ON outbox_rows(next_attempt_ms) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_due_accepted ON outbox_rows(next_attempt_ms) WHERE state = 'accepted';
CREATE INDEX IF NOT EXISTS outbox_done ON outbox_rows(done_ms) WHERE state = 'committed';
CREATE VIEW IF NOT EXISTS outbox AS
  SELECT r.seq, r.kind, b.body, r.header, r.bytes, r.payload_count, r.critical, r.created_ms, r.expires_ms,
         r.state, r.attempts, r.next_attempt_ms, r.last_error, r.receipt, r.done_ms
  FROM outbox_rows r LEFT JOIN outbox_bodies b ON b.seq = r.seq;
CREATE TRIGGER IF NOT EXISTS outbox_insert INSTEAD OF INSERT ON outbox BEGIN
  INSERT INTO outbox_rows (seq, kind, header, bytes, payload_count, critical, created_ms, expires_ms, state,
    attempts, next_attempt_ms, last_error, receipt, done_ms)
  VALUES (NEW.seq, NEW.kind, NEW.header, NEW.bytes, NEW.payload_count, NEW.critical, NEW.created_ms,
    NEW.expires_ms, NEW.state, COALESCE(NEW.attempts, 0), NEW.next_attempt_ms, NEW.last_error, NEW.receipt,
    NEW.done_ms);
  INSERT INTO outbox_bodies (seq, body) VALUES (last_insert_rowid(), NEW.body);
END;
`;

/** The columns of a state row as the store lists them. */
export const stateRowColumns =
  'seq, kind, header, bytes, payload_count, critical, created_ms, expires_ms, state, attempts, next_attempt_ms, last_error';

/**
 * Creates the outbox tables, or migrates a version-1 outbox (one `outbox` table holding bodies) in
 * one transaction: the table becomes `outbox_rows` (its indexes follow it), its bodies are copied to
 * `outbox_bodies` by seq, and its body column is dropped. Every row keeps its state, attempts and
 * times, so pending and accepted rows are re-sent byte for byte as before.
 */
export function openOutboxTables(db: Db): void {
  if (schemaVersionOf(db) === outboxSchemaVersion) return; // nothing to write (a reader may open it too)
  const migrate = db.transaction(() => {
    const outbox = db.prepare("SELECT type FROM sqlite_master WHERE name = 'outbox'").get() as
      | { type: string }
      | undefined;
    if (outbox?.type === 'table') {
      db.exec('ALTER TABLE outbox RENAME TO outbox_rows');
      db.exec(tables);
      db.exec('INSERT INTO outbox_bodies (seq, body) SELECT seq, body FROM outbox_rows');
      db.exec('ALTER TABLE outbox_rows DROP COLUMN body');
    }
    db.exec(tables);
    db.exec(indexesAndView);
    db.prepare(
      'INSERT INTO outbox_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(outboxSchemaVersionKey, outboxSchemaVersion);
  });
  migrate.immediate();
}

function schemaVersionOf(db: Db): number | null {
  const meta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_meta'").get();
  if (meta === undefined) return null;
  const row = db.prepare('SELECT value FROM outbox_meta WHERE key = ?').get(outboxSchemaVersionKey) as
    | { value: number }
    | undefined;
  return row?.value ?? null;
}
