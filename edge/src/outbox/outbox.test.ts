import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, isSuyuanError, ManualClock, type Reading, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { retryDelayMs } from './backoff.ts';
import { FakeLedger, type FakeReplica, startFakeReplica } from './fake-cloud.ts';
import { defaultOutboxLimits, type OutboxLimits } from './outbox-limits.ts';
import { OutboxStore } from './outbox-store.ts';
import { enqueueReadings } from './outbox-test-support.ts';
import { defaultUploaderOptions, Uploader } from './uploader.ts';

const key = generateKeyPair();
const T0 = 1_750_000_000_000;

function reading(seq: number): Reading {
  return { deviceId: 'soil-1', seq, time: T0, type: 'Temperature', value: 20 + seq / 10, uom: 'CEL' };
}

let dir: string;
let db: Db;
let clock: ManualClock;
const replicas: FakeReplica[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  db = openDatabase(join(dir, 'gateway.db'));
  clock = new ManualClock(T0);
});

afterEach(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.close()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(limits: Partial<OutboxLimits> = {}): OutboxStore {
  return new OutboxStore(db, clock, { ...defaultOutboxLimits, ...limits });
}

function enqueue(outbox: OutboxStore, seqs: number[]): number {
  return enqueueReadings(outbox, key, clock.now(), seqs.map(reading));
}

function uploader(outbox: OutboxStore, urls: string[], ledger: FakeLedger, seed = 1): Uploader {
  return new Uploader(outbox, clock, new SeededRng(seed), {
    ...defaultUploaderOptions,
    cloudUrls: urls,
    replicaPublicKeys: ledger.replicaPublicKeys,
    client: { requestTimeoutMs: 1500, responseBytesMax: 1 << 22 },
  });
}

describe('backoff', () => {
  it('grows exponentially under its cap, with jitter from the injected rng', () => {
    const limits = { retryDelayMsBase: 100, retryDelayMsMax: 5000 };
    const rng = new SeededRng(7);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n, rng, limits));
    delays.forEach((d, i) => {
      const cap = Math.min(5000, 100 * 2 ** ([0, 1, 2, 3, 4, 5, 6, 7, 19][i] ?? 0));
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(cap);
    });
    expect(new Set(delays).size).toBeGreaterThan(5);
    expect([1, 2, 3].map((n) => retryDelayMs(n, new SeededRng(7), limits))[0]).toBe(delays[0]);
  });
});

describe('outbox store', () => {
  it('allocates increasing seqs that survive reopening', () => {
    const a = store();
    expect([enqueue(a, [1]), enqueue(a, [2])]).toEqual([1, 2]);
    const b = store();
    expect(enqueue(b, [3])).toBe(3);
    expect(b.stats().pending).toBe(3);
  });

  it('refuses readings when full but leaves room for critical entries', () => {
    const outbox = store({ pendingBytesMax: 2000, criticalReserveBytes: 2000 });
    enqueue(outbox, [1, 2, 3]);
    let refused: unknown;
    try {
      for (let i = 0; i < 10; i++) enqueue(outbox, [10 + i]);
    } catch (error) {
      refused = error;
    }
    expect(isSuyuanError(refused, 'limit.exceeded')).toBe(true);
    const pendingBefore = outbox.stats().pending;
    expect(outbox.hasRoomFor(600, false)).toBe(false);
    expect(outbox.hasRoomFor(600, true)).toBe(true);
    expect(outbox.stats().pending).toBe(pendingBefore);
  });

  it('expires what was not committed in time into the dead letters', () => {
    const outbox = store({ submissionAgeMsMax: 10_000 });
    enqueue(outbox, [1]);
    clock.advance(5_000);
    enqueue(outbox, [2]);
    clock.advance(5_000);
    expect(outbox.expire()).toBe(1);
    const stats = outbox.stats();
    expect([stats.pending, stats.dead, stats.expired]).toEqual([1, 1, 1]);
    expect(outbox.deadLetters()[0]?.lastError).toMatch(/expired/);
  });
});

describe('uploader against a fake cloud', () => {
  it('commits each submission once, checking the receipt', async () => {
    const ledger = new FakeLedger();
    replicas.push(await startFakeReplica(ledger));
    const outbox = store();
    for (let i = 0; i < 5; i++) enqueue(outbox, [i]);
    const up = uploader(outbox, [replicas[0]!.url], ledger);
    for (let round = 0; round < 20 && outbox.stats().committed < 5; round++) {
      await up.drainOnce();
      clock.advance(outbox.limits.commitPollDelayMs);
    }
    expect(outbox.stats().committed).toBe(5);
    expect(ledger.readingCounts.size).toBe(5);
    expect(ledger.duplicates()).toEqual([]);
    expect(JSON.parse(outbox.receipt(1) ?? 'null').seq).toBe(1);
  });

  it('checks a compact receipt and an older replica full one alike, and stores either compact', async () => {
    for (const compactReceipts of [true, false]) {
      const ledger = new FakeLedger();
      ledger.commitOnPoll = true; // committed on the status GET, which asks for a compact receipt
      ledger.compactReceipts = compactReceipts;
      const replica = await startFakeReplica(ledger);
      replicas.push(replica);
      const outbox = store();
      const seq = enqueue(outbox, [1, 2, 3]);
      const reads: number[] = [];
      const bodyBytes = outbox.bodyBytes.bind(outbox);
      outbox.bodyBytes = (s: number) => {
        reads.push(s);
        return bodyBytes(s);
      };
      const up = uploader(outbox, [replica.url], ledger);
      for (let round = 0; round < 5 && outbox.get(seq)?.state !== 'committed'; round++) {
        await up.drainOnce();
        clock.advance(outbox.limits.commitPollDelayMs);
      }
      expect(outbox.get(seq)?.state).toBe('committed');
      expect(up.stats.badReceipts).toBe(0);
      expect(replica.statusQueries[0]).toMatch(/\?receipt=compact/);
      // Read once for the POST and kept for the receipt check, then let go.
      expect(reads).toEqual([seq]);
      expect(up.bodies.size).toBe(0);
      const stored = JSON.parse(outbox.receipt(seq)!) as {
        entries: { payloadsOmitted?: true; tx: object }[];
      };
      expect(stored.entries[0]!.payloadsOmitted).toBe(true);
      expect('payloads' in stored.entries[0]!.tx).toBe(false);
    }
  });

  it('never accepts a lying receipt, and moves on from a silent replica', async () => {
    const ledger = new FakeLedger();
    ledger.commitOnPoll = true;
    const liar = await startFakeReplica(ledger, 'lying');
    const silent = await startFakeReplica(ledger, 'silent');
    const honest = await startFakeReplica(ledger);
    replicas.push(liar, silent, honest);
    const outbox = store();
    enqueue(outbox, [1]);
    const drive = async (up: Uploader, rounds: number) => {
      for (let round = 0; round < rounds && outbox.stats().committed < 1; round++) {
        await up.drainOnce();
        clock.advance(defaultOutboxLimits.retryDelayMsMax);
      }
    };
    const lied = uploader(outbox, [liar.url], ledger);
    await drive(lied, 6);
    expect(outbox.stats().committed).toBe(0);
    expect(lied.stats.badReceipts).toBeGreaterThanOrEqual(1);
    expect(outbox.get(1)!.lastError).toMatch(/bad receipt/);
    const rescued = uploader(outbox, [silent.url, honest.url], ledger);
    await drive(rescued, 10);
    expect(outbox.stats().committed).toBe(1);
    expect(silent.requests).toBeGreaterThanOrEqual(1);
    expect(ledger.duplicates()).toEqual([]);
    expect(outbox.get(1)!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('keeps retrying while the cloud is down, then drains the backlog', async () => {
    const ledger = new FakeLedger();
    const replica = await startFakeReplica(ledger, 'down');
    replicas.push(replica);
    const outbox = store();
    for (let i = 0; i < 3; i++) enqueue(outbox, [i]);
    const up = uploader(outbox, [replica.url], ledger);
    const delays: number[] = [];
    for (let round = 0; round < 5; round++) {
      await up.drainOnce();
      const next = outbox.get(1)!;
      delays.push(next.nextAttemptMs - clock.now());
      clock.set(Math.max(...[1, 2, 3].map((seq) => outbox.get(seq)!.nextAttemptMs)));
    }
    expect(outbox.stats().committed).toBe(0);
    expect(outbox.get(1)!.attempts).toBe(5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(defaultOutboxLimits.retryDelayMsBase * 16);
    replica.behaviour = 'honest';
    for (let round = 0; round < 20 && outbox.stats().committed < 3; round++) {
      clock.advance(defaultOutboxLimits.retryDelayMsMax);
      await up.drainOnce();
    }
    expect(outbox.stats().committed).toBe(3);
    expect(ledger.readingCounts.size).toBe(3);
  });

  it('moves on once from a replica that failed several exchanges at once (not round the list back to it)', async () => {
    // Netns primary cut: the 4 exchanges in flight to the cut replica time out together. One move
    // per failure took 4 URLs round to the same dead replica, and the gateway never left it.
    const ledger = new FakeLedger();
    const down = await startFakeReplica(ledger, 'down');
    replicas.push(down);
    for (let i = 0; i < 3; i++) replicas.push(await startFakeReplica(ledger));
    const outbox = store();
    for (let i = 0; i < 8; i++) enqueue(outbox, [i]);
    const up = uploader(
      outbox,
      replicas.map((r) => r.url),
      ledger,
    );
    expect(await up.drainOnce()).toBe(defaultUploaderOptions.inflightMax);
    expect(down.requests).toBe(defaultUploaderOptions.inflightMax);
    expect(up.stats.urlIndex).toBe(1);
    for (let round = 0; round < 20 && outbox.stats().committed < 8; round++) {
      clock.advance(defaultOutboxLimits.retryDelayMsMax);
      await up.drainOnce();
    }
    expect(outbox.stats().committed).toBe(8);
    expect(down.requests).toBe(defaultUploaderOptions.inflightMax);
    expect(ledger.duplicates()).toEqual([]);
  });

  it('dead-letters what the cloud rejects permanently', async () => {
    const ledger = new FakeLedger();
    const replica = await startFakeReplica(ledger, 'rejecting');
    replicas.push(replica);
    const outbox = store();
    enqueue(outbox, [1]);
    const up = uploader(outbox, [replica.url], ledger);
    await up.drainOnce();
    expect(outbox.stats().dead).toBe(1);
    expect(outbox.deadLetters()[0]?.lastError).toMatch(/registry.unknownKey/);
    expect(outbox.stats().pendingBytes).toBe(0);
  });
});
