import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock, type Reading, SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { BodyScratch } from './body-scratch.ts';
import { defaultOutboxLimits } from './outbox-limits.ts';
import { OutboxStore } from './outbox-store.ts';
import { encodeReadingBatches, sealReadingBatch, sealReadingBatchInto } from './seal.ts';

const key = generateKeyPair();
const T0 = 1_750_000_000_000;
const deviceIds = ['soil-1', 'g\u00e4rten-\u6e29\u5ea6', 'q"uo\\te\n', '\u{1f331}-sprout', 'x'.repeat(64)];

function readings(n: number, rng: SeededRng): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId: deviceIds[rng.int(deviceIds.length)]!,
    seq: 2 ** 32 * (1 + rng.int(1000)) + i,
    time: T0 + rng.int(1e6),
    type: 'Temperature',
    value: Math.round((rng.next() * 100 - 50) * 1000) / 1000,
    uom: 'CEL',
  }));
}

describe('sealing into the reused scratch', () => {
  it('writes exactly the UTF-8 bytes of the string body, batch after batch, growing as needed', () => {
    const rng = new SeededRng(11);
    const scratch = new BodyScratch(16);
    for (const n of [1, 700, 3, 4096, 40, 0]) {
      const batches = n === 0 ? [{ texts: [], leaves: [] }] : encodeReadingBatches(readings(n, rng));
      for (const [i, batch] of batches.entries()) {
        const seq = 2 ** 40 + n + i;
        const text = sealReadingBatch(key, seq, T0, batch);
        const bytes = sealReadingBatchInto(key, seq, T0, batch, scratch);
        expect(bytes.header).toEqual(text.header);
        expect(Buffer.compare(bytes.body, Buffer.from(text.body))).toBe(0);
      }
    }
    expect(scratch.capacity).toBeGreaterThanOrEqual(4096 * 100);
  });
});

describe('outbox bodies handed over as bytes', () => {
  let dir: string;
  let db: Db;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-bytes-'));
    db = openDatabase(join(dir, 'gateway.db'));
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are stored as the same TEXT value a string body gives, for every reader', () => {
    const outbox = new OutboxStore(db, new ManualClock(T0), defaultOutboxLimits);
    const [batch] = encodeReadingBatches(readings(300, new SeededRng(5)));
    const scratch = new BodyScratch();
    const bodies = new Map<number, string>();
    for (const asBytes of [true, false, true]) {
      const seq = outbox.allocateSeq();
      const sealed = sealReadingBatch(key, seq, T0, batch!);
      const body = asBytes ? sealReadingBatchInto(key, seq, T0, batch!, scratch).body : sealed.body;
      const header = JSON.stringify(sealed.header);
      outbox.append([{ seq, kind: 'readings', body, header, payloadCount: 300, critical: false }]);
      bodies.set(seq, sealed.body);
    }
    const stored = db
      .prepare('SELECT seq, typeof(body) AS type, body FROM outbox_bodies ORDER BY seq')
      .all() as { seq: number; type: string; body: string }[];
    expect(stored.map((row) => row.type)).toEqual(['text', 'text', 'text']);
    const due = outbox.due(10);
    for (const [seq, body] of bodies) {
      expect(stored.find((row) => row.seq === seq)?.body).toBe(body);
      expect(outbox.get(seq)?.body).toBe(body);
      expect(outbox.get(seq)?.bytes).toBe(Buffer.byteLength(body));
      expect(due.find((entry) => entry.seq === seq)?.body).toBe(body);
      expect(Buffer.compare(Buffer.from(outbox.bodyBytes(seq)!), Buffer.from(body))).toBe(0);
      expect(db.prepare('SELECT body FROM outbox WHERE seq = ?').pluck().get(seq)).toBe(body);
    }
    const pending = [...bodies.values()].reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    expect(outbox.stats().pendingBytes).toBe(pending);
  });
});
