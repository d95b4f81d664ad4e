import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock, type Reading, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { FakeLedger, type FakeReplica, startFakeReplica } from './fake-cloud.ts';
import { defaultOutboxLimits } from './outbox-limits.ts';
import { outboxSchemaVersion, outboxSchemaVersionKey } from './outbox-schema.ts';
import { OutboxStore } from './outbox-store.ts';
import { encodeReadingBatches, sealReadingBatch } from './seal.ts';
import { defaultUploaderOptions, Uploader } from './uploader.ts';

/**
 * A gateway data dir from before session 7 (one `outbox` table holding bodies and receipts) opens
 * as schema version 2: every row keeps its state, its body is intact in `outbox_bodies`, pending and
 * accepted rows are sent and committed, and the `outbox` view still reads like the old table.
 */
const key = generateKeyPair();
const T0 = 1_750_000_000_000;

/** The outbox table exactly as sessions 3-6 created it (edge/src/outbox/outbox-rows.ts at 7f665d4). */
const version1Schema = `
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
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
  done_ms INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_ms) WHERE state IN ('pending', 'accepted');
CREATE INDEX IF NOT EXISTS outbox_done ON outbox(done_ms) WHERE state = 'committed';
`;

const reading = (seq: number): Reading => ({
  deviceId: 'soil-1',
  seq,
  time: T0 + seq,
  type: 'Temperature',
  value: 20 + seq / 10,
  uom: 'CEL',
});

let dir: string;
let db: Db;
const replicas: FakeReplica[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-migration-'));
});
afterEach(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.close()));
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const states = ['pending', 'accepted', 'committed', 'dead'] as const;

/** A version-1 gateway.db with one row in every state (and the seq counter past them). */
function version1Db(path: string): Map<number, string> {
  const old = openDatabase(path);
  old.exec(version1Schema);
  const insert = old.prepare(
    `INSERT INTO outbox (seq, kind, body, header, bytes, payload_count, critical, created_ms, expires_ms, state,
     attempts, next_attempt_ms, last_error, receipt, done_ms) VALUES (?, 'readings', ?, ?, ?, 2, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const bodies = new Map<number, string>();
  states.forEach((state, i) => {
    const seq = i + 1;
    const [batch] = encodeReadingBatches([reading(seq * 10), reading(seq * 10 + 1)]);
    const { body, header } = sealReadingBatch(key, seq, T0, batch!);
    bodies.set(seq, body);
    const done = state === 'committed' || state === 'dead' ? T0 : null;
    const receipt = state === 'committed' ? '{"seq":3,"old":"full form"}' : null;
    const error = state === 'dead' ? 'registry.unknownKey: x' : null;
    const bytes = Buffer.byteLength(body);
    insert.run(
      seq,
      body,
      JSON.stringify(header),
      bytes,
      T0,
      T0 + 3_600_000,
      state,
      i,
      T0,
      error,
      receipt,
      done,
    );
  });
  old.prepare("INSERT INTO outbox_meta (key, value) VALUES ('lastSeq', 4), ('refused', 7)").run();
  old.close();
  return bodies;
}

describe('outbox schema migration (version 1 → 2)', () => {
  it('keeps every row, state and body, and sends what was not committed', { timeout: 30_000 }, async () => {
    const path = join(dir, 'gateway.db');
    const bodies = version1Db(path);
    db = openDatabase(path);
    const clock = new ManualClock(T0);
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);

    const version = db.prepare('SELECT value FROM outbox_meta WHERE key = ?').get(outboxSchemaVersionKey);
    expect(version).toEqual({ value: outboxSchemaVersion });
    const columns = (db.prepare('PRAGMA table_info(outbox_rows)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).not.toContain('body');
    for (const [seq, body] of bodies) expect(outbox.get(seq)?.body).toBe(body);
    expect(states.map((_s, i) => outbox.get(i + 1)?.state)).toEqual([...states]);
    expect(outbox.get(2)?.attempts).toBe(1);
    expect(outbox.deadLetters()).toEqual([{ seq: 4, lastError: 'registry.unknownKey: x', payloadCount: 2 }]);
    expect(outbox.receipt(3)).toBe('{"seq":3,"old":"full form"}');
    const stats = outbox.stats();
    expect([stats.pending, stats.accepted, stats.committed, stats.dead, stats.refused]).toEqual([
      1, 1, 1, 1, 7,
    ]);
    expect(stats.pendingBytes).toBe(Buffer.byteLength(bodies.get(1)!) + Buffer.byteLength(bodies.get(2)!));
    expect(outbox.allocateSeq()).toBe(5);
    // The view reads like the old table (the status page and the benches select from it).
    const viewed = db.prepare('SELECT seq, body, state FROM outbox ORDER BY seq').all();
    expect(viewed).toEqual(states.map((state, i) => ({ seq: i + 1, body: bodies.get(i + 1), state })));

    // Re-sendable: the pending row is posted byte for byte, the accepted one asked for its status.
    const ledger = new FakeLedger();
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    ledger.submit(JSON.parse(bodies.get(2)!)); // the accepted row reached the cloud before
    const up = new Uploader(outbox, clock, new SeededRng(1), {
      ...defaultUploaderOptions,
      cloudUrls: [replica.url],
      replicaPublicKeys: ledger.replicaPublicKeys,
    });
    for (let round = 0; round < 5 && outbox.stats().committed < 3; round++) {
      await up.drainOnce();
      clock.advance(outbox.limits.commitPollDelayMs);
    }
    expect(states.map((_, i) => outbox.get(i + 1)?.state)).toEqual([
      'committed',
      'committed',
      'committed',
      'dead',
    ]);
    expect(ledger.duplicates()).toEqual([]);
    expect(ledger.readingCounts.size).toBe(4);

    // Opening again changes nothing; pruning takes the bodies with the rows.
    new OutboxStore(db, clock, defaultOutboxLimits);
    clock.advance(defaultOutboxLimits.committedRetentionMs + 1);
    expect(outbox.pruneCommitted()).toBe(3);
    const left = db.prepare('SELECT seq FROM outbox_bodies ORDER BY seq').all();
    expect(left).toEqual([{ seq: 4 }]);
  });

  it('inserts through the outbox view still work (old tools and tests)', () => {
    db = openDatabase(':memory:');
    new OutboxStore(db, new ManualClock(T0), defaultOutboxLimits);
    db.prepare(
      `INSERT INTO outbox (kind, body, header, bytes, payload_count, critical, created_ms, expires_ms, state, next_attempt_ms)
       VALUES ('readings', 'the body', '{}', 8, 1, 0, 0, 0, 'pending', 0)`,
    ).run();
    expect(db.prepare('SELECT seq, body, attempts FROM outbox').all()).toEqual([
      { seq: 1, body: 'the body', attempts: 0 },
    ]);
  });
});
