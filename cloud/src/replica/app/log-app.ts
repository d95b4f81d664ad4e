import { assert, concatBytes, sha256, toBase64Url, utf8 } from '@suyuan/shared';
import type { Hono } from 'hono';
import type { CommittedBatch, ReplicatedStateMachine, StateCertificate } from '../../consensus/types.ts';
import { encodeStateCertificate } from '../record-codec.ts';
import { openSqlite, type Sqlite } from '../sqlite.ts';
import type { ReplicaApp } from './replica-app.ts';

/**
 * The built-in 'log' application: executes a request by recording it, once per (submitter, seq),
 * in execution order. Its state digest is a hash chain over the batches, so two replicas that
 * executed the same requests in the same order report the same digest. It stands in for the
 * ledger (which plugs in through the same ReplicatedStateMachine interface) and lets a cluster be
 * run and tested end to end.
 */
const migrations = [
  `CREATE TABLE log_meta (id INTEGER PRIMARY KEY CHECK (id = 0), last_applied INTEGER NOT NULL,
     state_digest BLOB NOT NULL);
   INSERT INTO log_meta (id, last_applied, state_digest) VALUES (0, 0, zeroblob(32));
   CREATE TABLE log_executed (position INTEGER PRIMARY KEY AUTOINCREMENT, submitter TEXT NOT NULL,
     req_seq INTEGER NOT NULL, batch_seq INTEGER NOT NULL, body_hash BLOB NOT NULL,
     UNIQUE (submitter, req_seq));
   CREATE TABLE log_state_certificates (seq INTEGER PRIMARY KEY, certificate BLOB NOT NULL);`,
  // The digest after every batch, so a restarted replica can re-sign attests for seqs it executed.
  `CREATE TABLE log_digests (seq INTEGER PRIMARY KEY, digest BLOB NOT NULL);`,
];

/** The log app's tables in a database it shares, versioned apart from its host's user_version. */
function migrateShared(db: Sqlite): Sqlite {
  db.exec('CREATE TABLE IF NOT EXISTS log_app_schema (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM log_app_schema').get() as { version: number } | undefined;
  const version = row?.version ?? 0;
  db.transaction(() => {
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v]!);
    db.prepare('DELETE FROM log_app_schema').run();
    db.prepare('INSERT INTO log_app_schema (version) VALUES (?)').run(migrations.length);
  })();
  return db;
}

const CHAIN_CONTEXT = utf8('SY-LOGAPP1\n');

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export interface ExecutedEntry {
  position: number;
  submitter: string;
  seq: number;
  batchSeq: number;
  bodyHash: string;
}

/** Most log entries one GET /v1/app/log returns. */
export const logPageEntriesMax = 1000;

/**
 * `target` is a file path (own database) or an open database, normally the replica's own, so that
 * executing a batch commits in the same transaction (and fsync) as storing it.
 */
export function createLogApp(
  target: string | Sqlite,
): ReplicaApp & { entries(after: number, limit: number): ExecutedEntry[] } {
  const owned = typeof target === 'string';
  const db = typeof target === 'string' ? openSqlite(target, migrations) : migrateShared(target);
  const readMeta = db.prepare(
    'SELECT last_applied AS lastApplied, state_digest AS digest FROM log_meta WHERE id = 0',
  );
  const writeMeta = db.prepare('UPDATE log_meta SET last_applied = ?, state_digest = ? WHERE id = 0');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO log_executed (submitter, req_seq, batch_seq, body_hash) VALUES (?, ?, ?, ?)',
  );
  const insertDigest = db.prepare('INSERT OR REPLACE INTO log_digests (seq, digest) VALUES (?, ?)');
  const readDigest = db.prepare('SELECT digest FROM log_digests WHERE seq = ?');
  const insertCert = db.prepare(
    'INSERT OR REPLACE INTO log_state_certificates (seq, certificate) VALUES (?, ?)',
  );
  const page = db.prepare(
    `SELECT position, submitter, req_seq AS seq, batch_seq AS batchSeq, body_hash AS bodyHash
     FROM log_executed WHERE position > ? ORDER BY position LIMIT ?`,
  );
  const meta = () => readMeta.get() as { lastApplied: number; digest: Buffer };
  let executedCount = (db.prepare('SELECT COUNT(*) AS n FROM log_executed').get() as { n: number }).n;

  const applyBatch = db.transaction((batch: CommittedBatch) => {
    const { lastApplied, digest } = meta();
    assert(batch.seq === lastApplied + 1, `log app applies ${lastApplied + 1} next, got ${batch.seq}`);
    const parts: Uint8Array[] = [CHAIN_CONTEXT, digest, u64(batch.seq)];
    for (const request of batch.requests) {
      const bodyHash = sha256(request.body);
      // Skipped duplicates (a request committed again after a view change) leave no trace.
      if (insert.run(request.submitter, request.seq, batch.seq, bodyHash).changes === 0) continue;
      executedCount++;
      parts.push(utf8(request.submitter), u64(request.seq), bodyHash);
    }
    const next = sha256(concatBytes(...parts));
    writeMeta.run(batch.seq, next);
    insertDigest.run(batch.seq, next);
    return next;
  });

  const machine: ReplicatedStateMachine = {
    lastApplied: () => meta().lastApplied,
    applyBatch: (batch) => ({ stateDigest: applyBatch(batch) }),
    attachStateCertificate(certificate: StateCertificate) {
      insertCert.run(certificate.seq, encodeStateCertificate(certificate));
    },
  };

  function entries(after: number, limit: number): ExecutedEntry[] {
    const rows = page.all(after, Math.min(limit, logPageEntriesMax)) as (Omit<ExecutedEntry, 'bodyHash'> & {
      bodyHash: Buffer;
    })[];
    return rows.map((row) => ({ ...row, bodyHash: toBase64Url(row.bodyHash) }));
  }

  function routes(app: Hono): void {
    app.get('/v1/app/log', (c) => {
      const after = Number(c.req.query('after') ?? '0');
      const limit = Number(c.req.query('limit') ?? String(logPageEntriesMax));
      if (!Number.isSafeInteger(after) || !Number.isSafeInteger(limit) || after < 0 || limit < 1) {
        return c.json({ error: 'after and limit must be non-negative integers' }, 400);
      }
      return c.json({ entries: entries(after, limit) });
    });
  }

  return {
    machine,
    routes,
    entries,
    stateDigestAt(seq: number) {
      const row = readDigest.get(seq) as { digest: Buffer } | undefined;
      return row ? new Uint8Array(row.digest) : undefined;
    },
    status() {
      const { lastApplied, digest } = meta();
      return { app: 'log', lastApplied, stateDigest: toBase64Url(digest), executed: executedCount };
    },
    close: () => {
      if (owned) db.close();
    },
  };
}
