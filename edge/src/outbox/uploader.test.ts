import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock, type Reading, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { FakeLedger, type FakeReplica, startFakeReplica } from './fake-cloud.ts';
import { defaultOutboxLimits } from './outbox-limits.ts';
import { OutboxStore } from './outbox-store.ts';
import { enqueueReadings } from './outbox-test-support.ts';
import { defaultUploaderOptions, Uploader, type UploaderOptions } from './uploader.ts';

/**
 * The uploader's session-6 behaviour: held status GETs (asked at once after a 202 from a replica
 * that holds them, in their own lane), `wake` for new rows, and rate-limited log lines on retries
 * and replica changes. The clock is a ManualClock that never moves unless a test moves it, so a row
 * due "after commitPollDelayMs" is never asked: what happens, happens because of the new paths.
 */
const key = generateKeyPair();
const T0 = 1_750_000_000_000;

let dir: string;
let db: Db;
let clock: ManualClock;
let outbox: OutboxStore;
const replicas: FakeReplica[] = [];
const uploaders: Uploader[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'uploader-'));
  db = openDatabase(join(dir, 'gateway.db'));
  clock = new ManualClock(T0);
  outbox = new OutboxStore(db, clock, defaultOutboxLimits);
});

afterEach(async () => {
  await Promise.all(uploaders.splice(0).map((u) => u.stop()));
  await Promise.all(replicas.splice(0).map((r) => r.close()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function reading(seq: number): Reading {
  return { deviceId: 'soil-1', seq, time: T0, type: 'Temperature', value: 20, uom: 'CEL' };
}

function enqueue(seqs: number[]): number {
  return enqueueReadings(outbox, key, clock.now(), seqs.map(reading));
}

function uploader(urls: string[], ledger: FakeLedger, extra: Partial<UploaderOptions> = {}): Uploader {
  const up = new Uploader(outbox, clock, new SeededRng(3), {
    ...defaultUploaderOptions,
    cloudUrls: urls,
    replicaPublicKeys: ledger.replicaPublicKeys,
    client: { requestTimeoutMs: 2000, responseBytesMax: 1 << 22 },
    ...extra,
  });
  uploaders.push(up);
  return up;
}

/** Waits (bounded, on a condition) for what the uploader's own loop does. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('held status GETs', { timeout: 30_000 }, () => {
  it('asks a holding replica at once after its 202, once, and commits when it answers', async () => {
    const ledger = new FakeLedger();
    ledger.holdsStatus = true;
    ledger.commitLater = true;
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    const seq = enqueue([1, 2]);
    const up = uploader([replica.url], ledger, { idlePollMs: 60_000 });
    up.start();
    await until('the status GET to be held', () => ledger.heldStatusGets === 1);
    expect(outbox.get(seq)!.state).toBe('accepted');
    ledger.commitAll();
    await until('the commit', () => outbox.stats().committed === 1);
    expect(replica.statusQueries).toEqual([
      `/v1/submissions/${key.keyId}/${seq}?receipt=compact&waitMs=${defaultUploaderOptions.statusWaitMs}`,
    ]);
    expect(up.stats.retries).toBe(0);
  });

  it('asks an older replica (no header) only after commitPollDelayMs, as before', async () => {
    const ledger = new FakeLedger();
    ledger.commitLater = true;
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    const seq = enqueue([1]);
    const up = uploader([replica.url], ledger);
    await up.drainOnce();
    expect(outbox.get(seq)).toMatchObject({ state: 'accepted', nextAttemptMs: T0 + 250 });
    ledger.holdsStatus = true;
    const held = enqueue([2]);
    await up.drainOnce();
    expect(outbox.get(held)).toMatchObject({ state: 'accepted', nextAttemptMs: T0 });
  });

  it('a held GET that ends pending is asked again commitPollDelayMs after it started', async () => {
    const ledger = new FakeLedger();
    ledger.commitLater = true;
    ledger.holdsStatus = true;
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    const seq = enqueue([1]);
    const up = uploader([replica.url], ledger, { statusWaitMs: 20 });
    await up.drainOnce(); // POST: 202, asked at once
    clock.advance(1000);
    await up.drainOnce(); // held 20 ms, then pending
    expect(outbox.get(seq)).toMatchObject({ state: 'accepted', nextAttemptMs: T0 + 1000 + 250 });
    expect(replica.statusQueries).toEqual([`/v1/submissions/${key.keyId}/${seq}?receipt=compact&waitMs=20`]);
  });

  it('does not keep POSTs waiting while status GETs are held', async () => {
    const ledger = new FakeLedger();
    ledger.holdsStatus = true;
    ledger.commitLater = true;
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    const first = [enqueue([1]), enqueue([2])];
    const up = uploader([replica.url], ledger, { inflightMax: 1, statusInflightMax: 4, idlePollMs: 60_000 });
    up.start();
    await until('two held GETs', () => ledger.heldStatusGets === 2);
    const later = enqueue([3]);
    up.wake();
    await until('the third POST', () => outbox.get(later)!.state === 'accepted');
    ledger.commitAll();
    await until('all committed', () => outbox.stats().committed === 3);
    expect(first.map((s) => outbox.get(s)!.state)).toEqual(['committed', 'committed']);
  });

  it('stop() ends a held GET at once and leaves its row as it was', async () => {
    const ledger = new FakeLedger();
    ledger.holdsStatus = true;
    ledger.commitLater = true;
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    const seq = enqueue([1]);
    const lines: Record<string, unknown>[] = [];
    const log = { warn: (f: Record<string, unknown>) => lines.push(f), info: () => {} };
    const up = uploader([replica.url], ledger, { statusWaitMs: 60_000, log });
    up.start();
    await until('the held GET', () => ledger.heldStatusGets === 1);
    await up.stop();
    expect(outbox.get(seq)).toMatchObject({ state: 'accepted', attempts: 0 });
    expect(lines).toEqual([]);
  });
});

describe('wake', { timeout: 30_000 }, () => {
  it('sends a new row at once instead of at the next idle poll', async () => {
    const ledger = new FakeLedger();
    const replica = await startFakeReplica(ledger);
    replicas.push(replica);
    let listings = 0;
    const dueIn = outbox.dueIn.bind(outbox);
    outbox.dueIn = (...args) => {
      listings++;
      return dueIn(...args);
    };
    const up = uploader([replica.url], ledger, { idlePollMs: 60_000 });
    up.start();
    await until('the first turn (nothing due; next idle poll in 60 s)', () => listings === 2);
    enqueue([1]);
    up.wake();
    await until('the POST', () => ledger.readingCounts.size === 1);
    expect(up.stats.sent).toBe(1);
  });
});

describe('retry log lines', { timeout: 30_000 }, () => {
  it('say what failed, where and the next delay, once per URL per interval, and when it works again', async () => {
    const ledger = new FakeLedger();
    const a = await startFakeReplica(ledger, 'down');
    const b = await startFakeReplica(ledger, 'down');
    replicas.push(a, b);
    const lines: Record<string, unknown>[] = [];
    const log = {
      warn: (f: Record<string, unknown>) => lines.push({ level: 'warn', ...f }),
      info: (f: Record<string, unknown>) => lines.push({ level: 'info', ...f }),
    };
    const intervalMs = 3_600_000;
    const seq = enqueue([1]);
    const up = uploader([a.url, b.url], ledger, { log, retryLogIntervalMs: intervalMs });
    const round = async () => {
      await up.drainOnce();
      clock.set(Math.max(clock.now(), outbox.get(seq)!.nextAttemptMs));
    };
    for (let i = 0; i < 6; i++) await round();
    expect(outbox.get(seq)!.attempts).toBe(6);
    const retries = lines.filter((l) => l.event === 'upload.retry');
    expect(retries.map((l) => l.url)).toEqual([a.url, b.url]);
    expect(retries[0]).toMatchObject({ level: 'warn', exchange: 'submit', seq, attempt: 1 });
    expect(String(retries[0]!.reason)).toMatch(/503/);
    expect(retries[0]!.nextDelayMs).toEqual(expect.any(Number));
    const changes = lines.filter((l) => l.event === 'upload.replicaChange');
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ from: a.url, to: b.url });
    expect(changes[0]).not.toHaveProperty('allFailedPauseMs');
    expect(changes[1]).toMatchObject({ from: b.url, to: a.url, allFailedPauseMs: expect.any(Number) });

    clock.advance(intervalMs);
    await round(); // attempt 7 at a: allowed again, and says how many lines it stands for
    const seventh = lines.filter((l) => l.event === 'upload.retry').at(-1)!;
    expect(seventh).toMatchObject({ url: a.url, attempt: 7, heldBack: 2 });

    a.behaviour = 'honest';
    b.behaviour = 'honest';
    for (let i = 0; i < 4 && outbox.stats().committed === 0; i++) {
      clock.advance(defaultOutboxLimits.retryDelayMsMax);
      await up.drainOnce();
    }
    expect(outbox.stats().committed).toBe(1);
    const recovered = lines.filter((l) => l.event === 'upload.recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ level: 'info', failures: expect.any(Number) });
  });
});
