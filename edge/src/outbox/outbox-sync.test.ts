import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock, type Reading } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { defaultOutboxLimits } from './outbox-limits.ts';
import { OutboxStore } from './outbox-store.ts';
import { enqueueReadings } from './outbox-test-support.ts';

/** State changes skip the fsync, but the connection must stay at FULL for everything else. */
let dir: string;
let db: Db;
const clock = new ManualClock(1_700_000_000_000);
const key = generateKeyPair();
const reading = (seq: number): Reading => ({
  deviceId: 'dev-1',
  seq,
  time: 1_700_000_000_000,
  type: 'Temperature',
  value: 20.5,
  uom: 'CEL',
});
const synchronous = () => db.pragma('synchronous', { simple: true });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-sync-'));
  db = openDatabase(join(dir, 'gateway.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox state changes without fsync', () => {
  it('records every state change and leaves the connection at synchronous=FULL', () => {
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);
    const seqs = [1, 2, 3].map((i) => enqueueReadings(outbox, key, clock.now(), [reading(i)]));
    expect(synchronous()).toBe(2);
    outbox.markAccepted(seqs[0]!, clock.now());
    outbox.markRetry(seqs[1]!, 'down', clock.now() + 10, 'pending');
    outbox.markDead(seqs[2]!, 'rejected');
    expect(synchronous()).toBe(2);
    outbox.markCommitted(seqs[0]!, '{"receipt":1}');
    expect(synchronous()).toBe(2);
    expect(outbox.get(seqs[0]!)?.state).toBe('committed');
    expect(outbox.receipt(seqs[0]!)).toBe('{"receipt":1}');
    expect(outbox.get(seqs[1]!)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(outbox.get(seqs[2]!)?.state).toBe('dead');
  });

  it('inside a transaction leaves the sync level to it, and a rollback undoes the change', () => {
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);
    const seq = enqueueReadings(outbox, key, clock.now(), [reading(1)]);
    expect(() =>
      db.transaction(() => {
        outbox.markAccepted(seq, clock.now());
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(outbox.get(seq)?.state).toBe('pending');
    expect(synchronous()).toBe(2);
  });

  it('leaves a connection opened at another level as it is', () => {
    db.pragma('synchronous = NORMAL');
    const outbox = new OutboxStore(db, clock, defaultOutboxLimits);
    const seq = enqueueReadings(outbox, key, clock.now(), [reading(1)]);
    outbox.markAccepted(seq, clock.now());
    expect(synchronous()).toBe(1);
    expect(outbox.get(seq)?.state).toBe('accepted');
  });
});
