import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock, type Reading, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { defaultOutboxLimits } from './outbox-limits.ts';
import { outboxSchemaVersion, outboxSchemaVersionKey } from './outbox-schema.ts';
import { OutboxStore } from './outbox-store.ts';
import { enqueueReadings } from './outbox-test-support.ts';

const key = generateKeyPair();
const T0 = 1_750_000_000_000;
const reading = (seq: number): Reading => ({
  deviceId: 'soil-1',
  seq,
  time: T0,
  type: 'Temperature',
  value: 20 + seq / 10,
  uom: 'CEL',
});

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-due-'));
  db = openDatabase(join(dir, 'gateway.db'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The listing as the store made it before (every due row of the state read whole), then filtered. */
function listedBefore(state: string, now: number, limit: number, skip: Set<number>, take: number): number[] {
  const rows = db
    .prepare(
      `SELECT seq FROM outbox_rows WHERE state IN ('pending', 'accepted') AND state = ?
       AND next_attempt_ms <= ? ORDER BY next_attempt_ms, seq LIMIT ?`,
    )
    .pluck()
    .all(state, now, limit) as number[];
  return rows.filter((seq) => !skip.has(seq)).slice(0, take);
}

describe('due rows per state', () => {
  it('lists the same rows, in the same order, as the listing before, for any lane', () => {
    const rng = new SeededRng(8);
    const clock = new ManualClock(T0);
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);
    for (let i = 0; i < 120; i++) enqueueReadings(outbox, key, T0, [reading(i + 1)]);
    for (let seq = 1; seq <= 120; seq++) {
      const at = T0 + rng.int(40) * 10; // many rows share a time: the seq breaks the tie
      const pick = rng.int(5);
      if (pick === 0) outbox.markAccepted(seq, at);
      else if (pick === 1) outbox.markRetry(seq, 'down', at, rng.int(2) === 0 ? 'pending' : 'accepted');
      else if (pick === 2) outbox.markDead(seq, 'refused');
      else if (pick === 3) outbox.markCommitted(seq, '{}');
    }
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      const state = rng.int(2) === 0 ? 'pending' : 'accepted';
      const now = T0 + rng.int(450);
      const limit = 1 + rng.int(30);
      const take = 1 + rng.int(limit);
      const skip = new Set(Array.from({ length: rng.int(20) }, () => 1 + rng.int(120)));
      clock.set(now);
      const listed = outbox.dueIn(state, limit, skip, take);
      expect(listed.map((entry) => entry.seq)).toEqual(listedBefore(state, now, limit, skip, take));
      for (const entry of listed) {
        const { body: _body, ...row } = outbox.get(entry.seq)!;
        const { body: _lazy, ...listedRow } = entry;
        expect(listedRow).toEqual(row);
        expect(entry.state).toBe(state);
      }
      compared += listed.length;
    }
    expect(compared).toBeGreaterThan(300);
    // Without a lane: the oldest `limit` due rows, as before.
    clock.set(T0 + 1000);
    expect(outbox.dueIn('pending', 7).map((e) => e.seq)).toEqual(
      listedBefore('pending', T0 + 1000, 7, new Set(), 7),
    );
  });

  it('a version-2 outbox gets the per-state indexes at open, and its rows are kept', () => {
    const clock = new ManualClock(T0);
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);
    const seq = enqueueReadings(outbox, key, T0, [reading(1)]);
    db.exec('DROP INDEX outbox_due_pending; DROP INDEX outbox_due_accepted');
    db.prepare('UPDATE outbox_meta SET value = 2 WHERE key = ?').run(outboxSchemaVersionKey);
    const reopened = new OutboxStore(db, clock, defaultOutboxLimits);
    const version = db
      .prepare('SELECT value FROM outbox_meta WHERE key = ?')
      .pluck()
      .get(outboxSchemaVersionKey);
    expect(version).toBe(outboxSchemaVersion);
    expect(outboxSchemaVersion).toBe(3);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'outbox_due%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(indexes).toEqual(['outbox_due', 'outbox_due_accepted', 'outbox_due_pending']);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT seq FROM outbox_rows WHERE state = 'accepted' AND next_attempt_ms <= ?
         ORDER BY next_attempt_ms, seq LIMIT ?`,
      )
      .all(T0, 4) as { detail: string }[];
    expect(plan.map((row) => row.detail).join()).toContain('COVERING INDEX outbox_due_accepted');
    expect(reopened.dueIn('pending', 4).map((entry) => entry.seq)).toEqual([seq]);
    expect(Buffer.from(reopened.bodyBytes(seq)!).toString()).toBe(outbox.get(seq)!.body);
  });
});
