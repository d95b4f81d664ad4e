import { decodePersistRecord, encodePersistRecord, withRequestsEncoding } from '../consensus/index.ts';
import type {
  CommitCertificate,
  CommittedBatch,
  PersistRecord,
  StateCertificate,
} from '../consensus/types.ts';
import {
  batchFromRow,
  decodeCommitCertificate,
  decodeStateCertificate,
  encodeCommitCertificate,
  encodeRequests,
  encodeStateCertificate,
  persistRecordSeq,
} from './record-codec.ts';
import { openSqlite, type Sqlite } from './sqlite.ts';
import {
  asBuffer,
  bodiesMigration,
  bodyOf,
  StoreBodies,
  uncommittedBodiesMigration,
  withBody,
  withoutBody,
} from './store-bodies.ts';

/**
 * The replica's own durable state, one SQLite file (`replica.sqlite` in the data dir):
 * - persist_records: what the core asked to keep, in order (bytes by the core's own record codec);
 *   replayed into `restored` on restart. A truncateBelow record lets us delete log and prepared
 *   records under it and all but the newest view,
 *   checkpoint and truncate records, so the table stays about one watermark window long.
 * - batches: every committed batch with its commit certificate, never deleted: it serves state
 *   transfer to lagging peers and is the ordered input the ledger is built from.
 * - committed_requests: (submitter, seq) → first batch that carried it, for request status lookups.
 * - state_certificates: quorum attestations of the state after a batch.
 * - bodies (schema step 2, store-bodies.ts): a batch's requests written once and pointed at by its
 *   log record, prepared record and committed batch (`body` column; NULL means inline);
 *   `uncommitted_bodies` (step 3) names those no committed batch points at yet.
 */
export const replicaStoreMigrations = [
  `CREATE TABLE persist_records (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
     seq INTEGER NOT NULL, data BLOB NOT NULL);
   CREATE INDEX persist_records_kind_seq ON persist_records (kind, seq);
   CREATE TABLE batches (seq INTEGER PRIMARY KEY, view INTEGER NOT NULL, batch_digest BLOB NOT NULL,
     requests BLOB NOT NULL, certificate BLOB NOT NULL);
   CREATE TABLE committed_requests (submitter TEXT NOT NULL, req_seq INTEGER NOT NULL,
     batch_seq INTEGER NOT NULL, PRIMARY KEY (submitter, req_seq)) WITHOUT ROWID;
   CREATE TABLE state_certificates (seq INTEGER PRIMARY KEY, state_digest BLOB NOT NULL,
     certificate BLOB NOT NULL);`,
  bodiesMigration,
  uncommittedBodiesMigration,
];

/** What a committed batch row holds in `requests` when its body is shared. */
const noRequests = encodeRequests([]);

export interface RequestCommit {
  batchSeq: number;
  certificate: CommitCertificate;
}

export class ReplicaStore {
  readonly db: Sqlite;
  private readonly bodies: StoreBodies;
  private readonly insertRecord;
  private readonly insertBatch;
  private readonly insertRequest;
  private readonly insertStateCert;
  private readonly truncateLog;
  private readonly dropSuperseded;
  /** Asked once per client request with ?wait=commit: prepared once, not per call. */
  private readonly selectRequestCommit;

  constructor(path: string) {
    this.db = openSqlite(path, replicaStoreMigrations);
    const db = this.db;
    this.bodies = new StoreBodies(db);
    this.insertRecord = db.prepare('INSERT INTO persist_records (kind, seq, data, body) VALUES (?, ?, ?, ?)');
    this.insertBatch = db.prepare(
      `INSERT OR IGNORE INTO batches (seq, view, batch_digest, requests, certificate, body)
         VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertRequest = db.prepare(
      'INSERT OR IGNORE INTO committed_requests (submitter, req_seq, batch_seq) VALUES (?, ?, ?)',
    );
    this.insertStateCert = db.prepare(
      'INSERT OR REPLACE INTO state_certificates (seq, state_digest, certificate) VALUES (?, ?, ?)',
    );
    this.truncateLog = db.prepare(
      "DELETE FROM persist_records WHERE kind IN ('log', 'prepared') AND seq < ?",
    );
    this.dropSuperseded = db.prepare(
      `DELETE FROM persist_records WHERE kind IN ('view', 'stableCheckpoint', 'truncateBelow') AND id NOT IN
         (SELECT MAX(id) FROM persist_records WHERE kind IN ('view', 'stableCheckpoint', 'truncateBelow')
          GROUP BY kind)`,
    );
    const saveTransaction = db.transaction(this.saveReadyUnwrapped.bind(this));
    this.saveReady = (persist, committed, certified) => saveTransaction(persist, committed, certified);
    this.selectRequestCommit = db.prepare(
      `SELECT r.batch_seq AS batchSeq, b.certificate AS certificate FROM committed_requests r
         JOIN batches b ON b.seq = r.batch_seq WHERE r.submitter = ? AND r.req_seq = ?`,
    );
  }

  loadRecords(): PersistRecord[] {
    const rows = this.db
      .prepare(
        `SELECT p.data AS data, p.body AS bodyId, b.requests AS body FROM persist_records p
           LEFT JOIN bodies b ON b.id = p.body ORDER BY p.id`,
      )
      .all() as { data: Buffer; bodyId: number | null; body: Buffer | null }[];
    return rows.map((row) => withBody(decodePersistRecord(row.data), row.body, row.bodyId));
  }

  /**
   * Everything one Ready asks to keep, in one transaction (one fsync; inside the driver's drain it
   * is a savepoint of the drain's transaction). Wrapped once: better-sqlite3 builds a wrapper per
   * transaction() call.
   */
  readonly saveReady: (
    persist: readonly PersistRecord[],
    committed: readonly CommittedBatch[],
    certified: readonly StateCertificate[],
  ) => void;

  private saveReadyUnwrapped(
    persist: readonly PersistRecord[],
    committed: readonly CommittedBatch[],
    certified: readonly StateCertificate[],
  ): void {
    for (const record of persist) this.saveRecord(record);
    for (const batch of committed) this.saveBatch(batch);
    for (const cert of certified) {
      this.insertStateCert.run(cert.seq, cert.stateDigest, encodeStateCertificate(cert));
    }
  }

  private saveRecord(record: PersistRecord): void {
    const body = bodyOf(record);
    const bodyId = body === null ? null : this.bodies.share(body.seq, body.requests);
    const stored = bodyId === null ? record : withoutBody(record);
    this.insertRecord.run(record.kind, persistRecordSeq(record), encodePersistRecord(stored), bodyId);
    if (record.kind === 'truncateBelow') {
      this.truncateLog.run(record.seq);
      this.dropSuperseded.run();
      this.bodies.truncateBelow(record.seq);
    }
  }

  private saveBatch(batch: CommittedBatch): void {
    const bodyId = batch.requests.length > 0 ? this.bodies.find(batch.seq, batch.requests) : null;
    const insert = (requests: Uint8Array) =>
      this.insertBatch.run(
        batch.seq,
        batch.view,
        batch.certificate.batchDigest,
        requests,
        encodeCommitCertificate(batch.certificate),
        bodyId,
      );
    // Inline (after a restart, or from state transfer): the frame's bytes or the reused scratch.
    const { changes } =
      bodyId === null
        ? withRequestsEncoding(batch.requests, (bytes) => insert(asBuffer(bytes)))
        : insert(noRequests);
    if (changes === 0) return;
    if (bodyId !== null) this.bodies.committed(bodyId);
    for (const request of batch.requests) this.insertRequest.run(request.submitter, request.seq, batch.seq);
  }

  /** Committed batches fromSeq..toSeq in order, stopping at a gap or when the reply would pass bytesMax. */
  batches(fromSeq: number, toSeq: number, countMax: number, bytesMax: number): CommittedBatch[] {
    const rows = this.db
      .prepare(
        `SELECT b.seq AS seq, b.view AS view, COALESCE(d.requests, b.requests) AS requests,
           b.certificate AS certificate FROM batches b LEFT JOIN bodies d ON d.id = b.body
           WHERE b.seq BETWEEN ? AND ? ORDER BY b.seq LIMIT ?`,
      )
      .all(fromSeq, toSeq, countMax) as {
      seq: number;
      view: number;
      requests: Buffer;
      certificate: Buffer;
    }[];
    const out: CommittedBatch[] = [];
    let bytes = 0;
    let expected = fromSeq;
    for (const row of rows) {
      bytes += row.requests.length + row.certificate.length;
      if (row.seq !== expected || (out.length > 0 && bytes > bytesMax)) break;
      out.push(batchFromRow(row));
      expected++;
    }
    return out;
  }

  lastBatchSeq(): number {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM batches').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  requestCommit(submitter: string, seq: number): RequestCommit | undefined {
    const row = this.selectRequestCommit.get(submitter, seq) as
      | { batchSeq: number; certificate: Buffer }
      | undefined;
    if (!row) return undefined;
    return { batchSeq: row.batchSeq, certificate: decodeCommitCertificate(row.certificate) };
  }

  latestStateCertificate(): StateCertificate | undefined {
    const row = this.db
      .prepare('SELECT certificate FROM state_certificates ORDER BY seq DESC LIMIT 1')
      .get() as { certificate: Buffer } | undefined;
    return row ? decodeStateCertificate(row.certificate) : undefined;
  }

  close(): void {
    this.db.close();
  }
}
