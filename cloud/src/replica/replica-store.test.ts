import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, encodePersistRecord } from '../consensus/index.ts';
import type { ClientRequest, PersistRecord } from '../consensus/types.ts';
import { createLogApp } from './app/log-app.ts';
import { replayStoredBatches } from './driver.ts';
import { encodeCommitCertificate, encodeRequests } from './record-codec.ts';
import { ReplicaStore, replicaStoreMigrations } from './replica-store.ts';
import { openSqlite, pageBytes } from './sqlite.ts';
import { withoutBody } from './store-bodies.ts';
import { fakeBatch, tempDirs } from './test-support.ts';

const temp = tempDirs();
afterEach(() => temp.cleanup());

const digest = (n: number) => new Uint8Array(32).fill(n);
/** Records compared by value: bytes read back from SQLite may be Buffers, the originals Uint8Arrays. */
const plain = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Uint8Array
        ? Buffer.from(v).toString('hex')
        : (v as { type?: string; data?: number[] })?.type === 'Buffer'
          ? Buffer.from((v as { data: number[] }).data).toString('hex')
          : v,
    ),
  );
const log = (seq: number, requests: ClientRequest[] = []): PersistRecord => ({
  kind: 'log',
  seq,
  view: 0,
  batchDigest: digest(seq),
  requests,
});

describe('replica store', () => {
  it('returns persisted records in order after reopening, and compacts on truncateBelow', () => {
    const path = join(temp.make(), 'replica.sqlite');
    let store = new ReplicaStore(path);
    store.saveReady([{ kind: 'view', view: 1 }, log(1), log(2), log(3)], [], []);
    store.saveReady([{ kind: 'view', view: 2 }, log(4)], [], []);
    store.close();
    store = new ReplicaStore(path);
    expect(store.loadRecords().map((r) => (r.kind === 'log' ? r.seq : r.kind))).toEqual([
      'view',
      1,
      2,
      3,
      'view',
      4,
    ]);
    const cert = { seq: 3, stateDigest: digest(7), signatures: [] };
    store.saveReady(
      [
        { kind: 'stableCheckpoint', certificate: cert },
        { kind: 'truncateBelow', seq: 3 },
      ],
      [],
      [],
    );
    const records = store.loadRecords();
    expect(records.map((r) => (r.kind === 'log' ? r.seq : r.kind))).toEqual([
      3,
      'view',
      4,
      'stableCheckpoint',
      'truncateBelow',
    ]);
    expect(records[1]).toEqual({ kind: 'view', view: 2 });
    store.close();
  });

  it('keeps committed batches with certificates, serves ranges and request status', () => {
    const store = new ReplicaStore(join(temp.make(), 'replica.sqlite'));
    const batches = [1, 2, 3].map((seq) => fakeBatch(seq, [{ submitter: 'alice', seq }]));
    store.saveReady([], batches, []);
    store.saveReady([], [fakeBatch(5, [{ submitter: 'alice', seq: 1 }])], []);
    expect(store.batches(2, 10, 100, 1 << 20).map((b) => b.seq)).toEqual([2, 3]); // stops at the gap
    expect(store.batches(1, 3, 2, 1 << 20).map((b) => b.seq)).toEqual([1, 2]);
    expect(store.batches(1, 3, 100, 1).map((b) => b.seq)).toEqual([1]); // at least one, then the byte bound
    const [first] = store.batches(1, 1, 1, 1 << 20);
    expect(first).toEqual(batches[0]);
    expect(store.requestCommit('alice', 1)?.batchSeq).toBe(1); // the first batch that carried it
    expect(store.requestCommit('alice', 9)).toBeUndefined();
    store.close();
  });

  it('stores a batch decoded from a frame inline from the frame’s own bytes, same row as encoded', () => {
    const store = new ReplicaStore(join(temp.make(), 'replica.sqlite'));
    const sent = [4, 5].map((seq) =>
      fakeBatch(seq, [
        { submitter: 'bob-é', seq },
        { submitter: 'carol', seq },
      ]),
    );
    const frame = Buffer.from(encodeMessage({ type: 'batches', batches: sent, replica: 1 }));
    const decoded = decodeMessage(frame);
    if (decoded.type !== 'batches') throw new Error('not batches');
    store.saveReady([], decoded.batches, []);
    const rows = store.db.prepare('SELECT requests FROM batches ORDER BY seq').all() as {
      requests: Buffer;
    }[];
    expect(rows.map((r) => r.requests.toString('hex'))).toEqual(
      sent.map((b) => encodeRequests(b.requests).toString('hex')),
    );
    expect(plain(store.batches(4, 5, 10, 1 << 20))).toEqual(plain(sent));
    store.close();
  });

  it('writes a batch body once for its log record, prepared record and committed batch', () => {
    const path = join(temp.make(), 'replica.sqlite');
    let store = new ReplicaStore(path);
    const bodyRows = () => (store.db.prepare('SELECT COUNT(*) AS n FROM bodies').get() as { n: number }).n;
    const batch = fakeBatch(1, [
      { submitter: 'alice', seq: 1, body: 'x'.repeat(900) },
      { submitter: 'bob', seq: 7, body: 'y'.repeat(900) },
    ]);
    const { requests, certificate } = batch;
    const prepared: PersistRecord = {
      kind: 'prepared',
      certificate: {
        view: 0,
        seq: 1,
        batchDigest: certificate.batchDigest,
        requests,
        prePrepareSignature: new Uint8Array(64).fill(3),
        prepares: certificate.signatures,
      },
    };
    const logRecord: PersistRecord = {
      kind: 'log',
      seq: 1,
      view: 0,
      batchDigest: certificate.batchDigest,
      requests,
    };
    store.saveReady([logRecord], [], []);
    store.saveReady([prepared], [], []);
    store.saveReady([], [batch], []);
    expect(bodyRows()).toBe(1);
    // A copy of the same requests is not the array the core handed over: stored inline.
    const other = fakeBatch(2, [{ submitter: 'carol', seq: 1 }]);
    store.saveReady([log(2, [...other.requests])], [other], []);
    expect(bodyRows()).toBe(2);
    store.close();
    store = new ReplicaStore(path);
    expect(plain(store.loadRecords())).toEqual(plain([logRecord, prepared, log(2, other.requests)]));
    expect(store.batches(1, 2, 10, 1 << 20)).toEqual([batch, other]);
    // Truncation drops the body only the truncated log record pointed at; the committed one stays.
    store.saveReady([{ kind: 'truncateBelow', seq: 3 }], [], []);
    expect(bodyRows()).toBe(1);
    expect(store.batches(1, 2, 10, 1 << 20)).toEqual([batch, other]);
    expect(store.loadRecords()).toEqual([{ kind: 'truncateBelow', seq: 3 }]);
    store.close();
  });

  it('drops an uncommitted body at truncation and never points a later batch at it', () => {
    const store = new ReplicaStore(join(temp.make(), 'replica.sqlite'));
    const batch = fakeBatch(4, [{ submitter: 'alice', seq: 4 }]);
    store.saveReady([log(4, batch.requests)], [], []);
    store.saveReady([{ kind: 'truncateBelow', seq: 5 }], [batch], []);
    expect(store.batches(4, 4, 1, 1 << 20)).toEqual([batch]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM bodies').get()).toEqual({ n: 0 });
    store.close();
  });

  it('migrates a step-2 database: bodies marked committed stay, unmarked ones go at truncation', () => {
    const path = join(temp.make(), 'replica.sqlite');
    // The old shape, written as step 2 wrote it: committed marked in bodies.committed.
    const old = openSqlite(path, replicaStoreMigrations.slice(0, 2));
    const kept = fakeBatch(3, [{ submitter: 'alice', seq: 3, body: 'k'.repeat(900) }]);
    const pending = fakeBatch(4, [{ submitter: 'bob', seq: 4, body: 'p'.repeat(900) }]);
    const insertBody = old.prepare('INSERT INTO bodies (id, seq, committed, requests) VALUES (?, ?, ?, ?)');
    insertBody.run(1, 3, 1, encodeRequests(kept.requests));
    insertBody.run(2, 4, 0, encodeRequests(pending.requests));
    old
      .prepare(
        'INSERT INTO batches (seq, view, batch_digest, requests, certificate, body) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        3,
        0,
        kept.certificate.batchDigest,
        encodeRequests([]),
        encodeCommitCertificate(kept.certificate),
        1,
      );
    old
      .prepare('INSERT INTO persist_records (kind, seq, data, body) VALUES (?, ?, ?, ?)')
      .run('log', 4, encodePersistRecord(withoutBody(log(4, pending.requests))), 2);
    old.close();

    const store = new ReplicaStore(path);
    const rows = (sql: string) => store.db.prepare(sql).all();
    expect(rows('SELECT id, seq FROM uncommitted_bodies')).toEqual([{ id: 2, seq: 4 }]);
    expect(plain(store.loadRecords())).toEqual(plain([log(4, pending.requests)]));
    expect(store.batches(3, 3, 1, 1 << 20)).toEqual([kept]);
    // After the step: a new body committed, another not; truncation drops exactly the uncommitted.
    const fresh = fakeBatch(5, [{ submitter: 'carol', seq: 5, body: 'f'.repeat(900) }]);
    const loose = fakeBatch(6, [{ submitter: 'dave', seq: 6 }]);
    store.saveReady([log(5, fresh.requests), log(6, loose.requests)], [fresh], []);
    expect(rows('SELECT id, seq FROM uncommitted_bodies ORDER BY id')).toEqual([
      { id: 2, seq: 4 },
      { id: 4, seq: 6 },
    ]);
    store.saveReady([{ kind: 'truncateBelow', seq: 7 }], [], []);
    expect(rows('SELECT id FROM bodies ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
    expect(rows('SELECT id FROM uncommitted_bodies')).toEqual([]);
    expect(store.batches(3, 5, 10, 1 << 20)).toEqual([kept]); // 4 was never committed: the gap
    expect(store.batches(5, 5, 1, 1 << 20)).toEqual([fresh]);
    store.close();
  });

  it('creates a new database with 16 KiB pages and keeps the page size of an existing file', () => {
    const dir = temp.make();
    const fresh = new ReplicaStore(join(dir, 'new.sqlite'));
    expect(fresh.db.pragma('page_size', { simple: true })).toBe(pageBytes);
    fresh.close();
    const oldPath = join(dir, 'old.sqlite');
    const old = new Database(oldPath);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (x)');
    old.close();
    const store = new ReplicaStore(oldPath);
    expect(store.db.pragma('page_size', { simple: true })).toBe(4096);
    const batch = fakeBatch(1, [{ submitter: 'alice', seq: 1, body: 'x'.repeat(40_000) }]);
    store.saveReady([log(1, batch.requests)], [batch], []);
    expect(store.batches(1, 1, 1, 1 << 20)).toEqual([batch]);
    store.close();
  });

  it('replays stored batches the application had not applied before a crash', () => {
    const dir = temp.make();
    const store = new ReplicaStore(join(dir, 'replica.sqlite'));
    const app = createLogApp(join(dir, 'app.sqlite'));
    store.saveReady(
      [],
      [1, 2, 3].map((seq) => fakeBatch(seq, [{ submitter: 'a', seq }])),
      [],
    );
    app.machine.applyBatch(store.batches(1, 1, 1, 1 << 20)[0]!);
    expect(replayStoredBatches(store, app)).toBe(3);
    expect(app.entries(0, 10).map((e) => e.seq)).toEqual([1, 2, 3]);
    app.close();
    store.close();
  });
});
