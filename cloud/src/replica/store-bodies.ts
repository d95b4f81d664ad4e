import { InputError } from '@suyuan/shared';
import { withRequestsEncoding } from '../consensus/statements.ts';
import type { ClientRequest, PersistRecord } from '../consensus/types.ts';
import { decodeRequests } from './record-codec.ts';
import type { Sqlite } from './sqlite.ts';

/**
 * Schema step 2 of replica.sqlite: a batch's request bodies are written once. Before, every replica
 * wrote each ~1 KB body three times (the pre-prepare log record, the prepared certificate, the
 * committed batch), and a durable SQLite write costs about 10 µs of CPU per KB on this machine
 * (bench: `consensus-store-cost.ts`). Now the log record puts the body in `bodies`, and the prepared
 * record and the committed batch of the same seq point at that row (`body` column); rows written
 * before this step, and anything not matched, keep their bodies inline (`body` NULL).
 */
export const bodiesMigration = `CREATE TABLE bodies (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,
     committed INTEGER NOT NULL DEFAULT 0, requests BLOB NOT NULL);
   CREATE INDEX bodies_uncommitted ON bodies (seq) WHERE committed = 0;
   ALTER TABLE persist_records ADD COLUMN body INTEGER;
   ALTER TABLE batches ADD COLUMN body INTEGER;`;

/**
 * Schema step 3: which bodies are not (yet) a committed batch's is kept in a small table of its
 * own. Step 2 marked a body committed with `UPDATE bodies SET committed = 1`, and SQLite rewrites
 * a whole row on UPDATE: the ~1 MB body was written a second time per batch (~1.3 ms of CPU per
 * MB). Now a body is inserted with a row in `uncommitted_bodies`, and committing it deletes that
 * small row. `bodies.committed` is no longer read or written after this step.
 */
export const uncommittedBodiesMigration = `CREATE TABLE uncommitted_bodies (id INTEGER PRIMARY KEY,
     seq INTEGER NOT NULL);
   CREATE INDEX uncommitted_bodies_by_seq ON uncommitted_bodies (seq);
   INSERT INTO uncommitted_bodies (id, seq) SELECT id, seq FROM bodies WHERE committed = 0;
   DROP INDEX bodies_uncommitted;`;

interface LiveBody {
  id: number;
  requests: readonly ClientRequest[];
}

/**
 * Bodies written this process's lifetime and not yet truncated, by seq. A record or batch shares a
 * body only when its requests array IS the one stored (the core hands the same array to the log
 * record, the prepared certificate and the committed batch of a slot), so sharing never needs a
 * hash and can never pair a record with different requests. After a restart nothing is live and
 * batches committed then carry their bodies inline, as before.
 */
export class StoreBodies {
  private readonly live = new Map<number, LiveBody[]>();
  private readonly insert;
  private readonly insertUncommitted;
  private readonly markCommitted;
  private readonly deleteUncommitted;
  private readonly forgetUncommitted;

  constructor(db: Sqlite) {
    this.insert = db.prepare('INSERT INTO bodies (seq, requests) VALUES (?, ?)');
    this.insertUncommitted = db.prepare('INSERT INTO uncommitted_bodies (id, seq) VALUES (?, ?)');
    this.markCommitted = db.prepare('DELETE FROM uncommitted_bodies WHERE id = ?');
    this.deleteUncommitted = db.prepare(
      'DELETE FROM bodies WHERE id IN (SELECT id FROM uncommitted_bodies WHERE seq < ?)',
    );
    this.forgetUncommitted = db.prepare('DELETE FROM uncommitted_bodies WHERE seq < ?');
  }

  /** The row holding exactly this requests array for seq, or null. */
  find(seq: number, requests: readonly ClientRequest[]): number | null {
    for (const body of this.live.get(seq) ?? []) if (body.requests === requests) return body.id;
    return null;
  }

  /** Row id of the body for (seq, requests), writing it if it is not live yet. */
  share(seq: number, requests: readonly ClientRequest[]): number {
    const found = this.find(seq, requests);
    if (found !== null) return found;
    // The consensus encoding of requests is byte for byte the record codec's (`encodeRequests` in
    // record-codec.ts; tested), written into a reused scratch: SQLite copies a bound blob at bind.
    const id = Number(
      withRequestsEncoding(requests, (bytes) => this.insert.run(seq, asBuffer(bytes))).lastInsertRowid,
    );
    this.insertUncommitted.run(id, seq);
    const list = this.live.get(seq) ?? [];
    list.push({ id, requests });
    this.live.set(seq, list);
    return id;
  }

  /** A committed batch points at the row: it is kept for good (batches are never deleted). */
  committed(id: number): void {
    this.markCommitted.run(id);
  }

  /** Bodies below seq that no batch points at go with the log records that pointed at them. */
  truncateBelow(seq: number): void {
    this.deleteUncommitted.run(seq);
    this.forgetUncommitted.run(seq);
    for (const key of this.live.keys()) if (key < seq) this.live.delete(key);
  }
}

/** A Buffer view of bytes (no copy), for binding to a statement. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The record as stored when its body lives in `bodies`: the same record without its requests. */
export function withoutBody(record: PersistRecord): PersistRecord {
  if (record.kind === 'log') return { ...record, requests: [] };
  if (record.kind === 'prepared') return { ...record, certificate: { ...record.certificate, requests: [] } };
  return record;
}

/** The requests a record carries, when it can point at a shared body instead (null: keep inline). */
export function bodyOf(record: PersistRecord): { seq: number; requests: readonly ClientRequest[] } | null {
  if (record.kind === 'log' && record.requests.length > 0) return record;
  if (record.kind === 'prepared' && record.certificate.requests.length > 0) return record.certificate;
  return null;
}

/** A stored record with its shared body put back. */
export function withBody(
  record: PersistRecord,
  body: Uint8Array | null,
  bodyId: number | null,
): PersistRecord {
  if (bodyId === null) return record;
  if (body === null) throw new InputError('store.corrupt', `persist record points at missing body ${bodyId}`);
  const requests = decodeRequests(body);
  if (record.kind === 'log') return { ...record, requests };
  if (record.kind === 'prepared') return { ...record, certificate: { ...record.certificate, requests } };
  throw new InputError('store.corrupt', `a ${record.kind} record points at body ${bodyId}`);
}
