import type Database from 'better-sqlite3';

/**
 * The ledger's SQLite schema. The ledger's tables live in the replica's own database (so applying a
 * batch and recording it as committed are one transaction) or, standalone, in a file of their own.
 * The schema is versioned in `ledger_schema` (never `PRAGMA user_version`, which belongs to the
 * host database) and migrated forward in one transaction per step. Three groups of tables, kept apart:
 * - verification data: blocks, txs, ledger_batches (state digests and certificates) — what proofs are cut
 *   from; never rewritten once written.
 * - contract state: submissions, participants, keys, devices, items — what validation reads.
 * - query data: item_events, edges, gaps — indexes for trace and views, derivable from the blocks.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE blocks (
    chain TEXT NOT NULL, height INTEGER NOT NULL, header_hash BLOB NOT NULL, header TEXT NOT NULL,
    batch_seq INTEGER NOT NULL, header_index INTEGER NOT NULL,
    PRIMARY KEY (chain, height)) WITHOUT ROWID;
  CREATE TABLE txs (
    chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL, leaf_hash BLOB NOT NULL,
    tx TEXT NOT NULL, PRIMARY KEY (chain, height, idx)) WITHOUT ROWID;
  CREATE TABLE ledger_batches (
    seq INTEGER PRIMARY KEY, state_digest BLOB NOT NULL, block_time INTEGER NOT NULL,
    headers TEXT NOT NULL, certificate TEXT);

  CREATE TABLE submissions (
    submitter TEXT NOT NULL, seq INTEGER NOT NULL, body_hash BLOB NOT NULL, batch_seq INTEGER NOT NULL,
    status TEXT NOT NULL, reason TEXT, txs TEXT NOT NULL,
    PRIMARY KEY (submitter, seq)) WITHOUT ROWID;
  CREATE INDEX submissions_by_status ON submissions (status, batch_seq);
  CREATE TABLE participants (id TEXT PRIMARY KEY, name TEXT NOT NULL, roles TEXT NOT NULL, gln TEXT);
  CREATE TABLE keys (
    key_id TEXT PRIMARY KEY, participant_id TEXT NOT NULL, public_key TEXT NOT NULL, revoked_reason TEXT);
  CREATE INDEX keys_by_participant ON keys (participant_id);
  CREATE TABLE devices (device_id TEXT PRIMARY KEY, gateway TEXT, last_seq INTEGER);
  CREATE TABLE items (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT NOT NULL, holder TEXT NOT NULL,
    status TEXT NOT NULL, parent TEXT, quantity REAL, uom TEXT, transit TEXT, last TEXT);
  CREATE INDEX items_by_parent ON items (parent) WHERE parent IS NOT NULL;

  CREATE TABLE item_events (
    item TEXT NOT NULL, n INTEGER NOT NULL, chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY (item, n)) WITHOUT ROWID;
  CREATE TABLE edges (kind TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
    PRIMARY KEY (kind, src, dst)) WITHOUT ROWID;
  CREATE INDEX edges_by_dst ON edges (kind, dst, src);
  CREATE TABLE gaps (
    device_id TEXT NOT NULL, after INTEGER NOT NULL, next INTEGER NOT NULL,
    chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL);
  CREATE INDEX gaps_by_device ON gaps (device_id);
  `,
  // v2: device -> reading batches, one row per (device, batch tx) with its time range and count
  // (query data, derived from the telemetry txs; back-filled from them here).
  `
  CREATE TABLE device_readings (
    device_id TEXT NOT NULL, t_max INTEGER NOT NULL, t_min INTEGER NOT NULL, count INTEGER NOT NULL,
    chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY (device_id, t_max, chain, height, idx)) WITHOUT ROWID;
  INSERT INTO device_readings (device_id, t_max, t_min, count, chain, height, idx)
    SELECT json_extract(p.value, '$.reading.deviceId'), MAX(json_extract(p.value, '$.reading.time')),
           MIN(json_extract(p.value, '$.reading.time')), COUNT(*), t.chain, t.height, t.idx
    FROM txs t, json_each(t.tx, '$.payloads') p
    WHERE json_extract(t.tx, '$.kind') = 'readingBatch'
    GROUP BY 1, t.chain, t.height, t.idx;
  `,
  // v3: txs as an ordinary rowid table with a unique index on (chain, height, idx). As a WITHOUT
  // ROWID table its ~1 MB rows lived in index b-tree cells: an insert cost ~3x the CPU of the same
  // row in a rowid table, and reading one column of a block's txs (leaf hashes) ~15x (measured in
  // docs/ledger.md). Same columns, same values, same queries; copied once at upgrade.
  `
  CREATE TABLE txs_v3 (
    chain TEXT NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL, leaf_hash BLOB NOT NULL,
    tx TEXT NOT NULL);
  INSERT INTO txs_v3 (chain, height, idx, leaf_hash, tx)
    SELECT chain, height, idx, leaf_hash, tx FROM txs ORDER BY chain, height, idx;
  DROP TABLE txs;
  ALTER TABLE txs_v3 RENAME TO txs;
  CREATE UNIQUE INDEX txs_by_position ON txs (chain, height, idx);
  `,
];

export const schemaVersion = migrations.length;

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM ledger_schema').get() as { version: number } | undefined;
  const current = row?.version ?? legacyVersion(db);
  if (current > schemaVersion) {
    throw new Error(`ledger schema is version ${current}, newer than this program's ${schemaVersion}`);
  }
  for (let v = current; v < schemaVersion; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.prepare('DELETE FROM ledger_schema').run();
      db.prepare('INSERT INTO ledger_schema (version) VALUES (?)').run(v + 1);
    })();
  }
}

/**
 * A standalone ledger file from before `ledger_schema` (session 1: version in user_version, batch
 * digests in `batches`): adopt it as version 1. A replica database never has `blocks` without
 * `ledger_schema`, so its own `batches` table is never touched.
 */
function legacyVersion(db: Database.Database): number {
  const has = (name: string) =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  if (!has('blocks') || !has('batches') || has('ledger_batches')) return 0;
  db.exec('ALTER TABLE batches RENAME TO ledger_batches');
  return 1;
}

/**
 * Durability first: WAL with a full fsync per commit, as the design asks of every replica. A new
 * standalone ledger file gets 16 KiB pages, as a replica database does (replica/sqlite.ts
 * `pageBytes`: less CPU per ~1 MB transaction written); an existing file keeps its own.
 */
export function configure(db: Database.Database): void {
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}
