import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  isSuyuanError,
  ManualClock,
  publicKeyFromText,
  type Reading,
  verifySubmission,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../gateway/database.ts';
import { defaultOutboxLimits } from '../outbox/outbox-limits.ts';
import { OutboxStore } from '../outbox/outbox-store.ts';
import { DEVICE_SEQ_LIMIT, defaultIngestLimits } from './ingest-limits.ts';
import { IngestPipeline } from './ingest-pipeline.ts';
import { IngestStore } from './ingest-store.ts';

const T0 = 1_750_000_000_000;
const key = generateKeyPair();
let dir: string;
let db: Db;
let clock: ManualClock;
let outbox: OutboxStore;
let store: IngestStore;
let pipeline: IngestPipeline;

function setup(pendingBytesMax = defaultOutboxLimits.pendingBytesMax): void {
  outbox = new OutboxStore(db, clock, { ...defaultOutboxLimits, pendingBytesMax });
  store = new IngestStore(db);
  pipeline = new IngestPipeline(db, store, outbox, key, clock, defaultIngestLimits);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-'));
  db = openDatabase(join(dir, 'gateway.db'));
  clock = new ManualClock(T0);
  setup();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const r = (seq: number, extra: Record<string, unknown> = {}) => ({
  seq,
  time: T0 - 1000 + seq,
  type: 'Temperature',
  value: 20,
  uom: 'CEL',
  ...extra,
});

function send(deviceId: string, body: unknown) {
  return pipeline.deviceMessage({ deviceId, source: 'mqtt', payload: JSON.stringify(body) });
}

/** Every reading in the outbox, after checking each stored body's signature. */
function outboxReadings(): Reading[] {
  const rows = db.prepare('SELECT body FROM outbox ORDER BY seq').all() as { body: string }[];
  return rows.flatMap(({ body }) => {
    const request = JSON.parse(body) as { publicKey: string; submission: unknown };
    const { submission } = verifySubmission(request.submission, publicKeyFromText(request.publicKey));
    return (submission.payloads as unknown as { reading: Reading }[]).map((p) => p.reading);
  });
}

describe('ingest pipeline', () => {
  it('calls afterFlush once per committed flush, after the rows are in the outbox', async () => {
    const seen: number[] = [];
    pipeline.afterFlush = () => seen.push(outbox.stats().pending);
    await Promise.all([send('soil-1', { readings: [r(0)] }), send('soil-2', { readings: [r(0)] })]);
    expect(seen).toEqual([1]);
    await send('soil-1', { readings: [r(1)] });
    expect(seen).toEqual([1, 2]);
  });

  it('signs accepted readings into the outbox and quarantines the bad ones with reasons', async () => {
    const result = await send('soil-1', {
      boot: 1,
      readings: [
        r(0),
        r(1, { uom: 'FAH', value: 122 }),
        r(2, { type: 'Radiation' }),
        r(3, { uom: 'P1' }),
        r(4, { value: 300 }),
        r(5, { time: T0 + 3_600_000 }),
        r(6, { extra: 1 }),
      ],
    });
    expect(result).toEqual({ accepted: 2, duplicates: 0, quarantined: 5 });
    const readings = outboxReadings();
    expect(readings.map((x) => [x.seq, x.value, x.uom])).toEqual([
      [DEVICE_SEQ_LIMIT, 20, 'CEL'],
      [DEVICE_SEQ_LIMIT + 1, 50, 'CEL'],
    ]);
    const reasons = store
      .quarantined()
      .map((q) => q.reason)
      .sort();
    expect(reasons).toEqual([
      'reading.future',
      'reading.range',
      'reading.shape',
      'reading.type',
      'reading.unit',
    ]);
  });

  it('quarantines whole messages that are not JSON or not the message shape', async () => {
    await pipeline.deviceMessage({ deviceId: 'd', source: 'mqtt', payload: '{nope' });
    await send('d', { readings: [] });
    await send('d', [r(1)]);
    expect(store.quarantined().map((q) => q.reason)).toEqual([
      'payload.shape',
      'payload.shape',
      'payload.notJson',
    ]);
    expect(outbox.stats().pending).toBe(0);
  });

  it('drops retransmissions as duplicates, records gaps, and batches one flush into one submission', async () => {
    const results = await Promise.all([
      send('a', { readings: [r(0), r(1)] }),
      send('a', { readings: [r(1), r(2)] }),
      send('a', { readings: [r(5)] }),
      send('b', { readings: [r(0)] }),
    ]);
    expect(results.map((x) => x.duplicates)).toEqual([0, 1, 0, 0]);
    expect(outbox.stats().pending).toBe(1);
    expect(outboxReadings().map((x) => `${x.deviceId}#${x.seq}`)).toEqual([
      'a#0',
      'a#1',
      'a#2',
      'a#5',
      'b#0',
    ]);
    expect(store.devices().find((d) => d.deviceId === 'a')).toMatchObject({
      accepted: 4,
      duplicates: 1,
      gaps: 1,
    });
    const again = await send('a', { readings: [r(0), r(5)] });
    expect(again).toEqual({ accepted: 0, duplicates: 2, quarantined: 0 });
  });

  it('keeps readings of a rebooted device apart by boot counter, or by detecting the reset', async () => {
    await send('with-boot', { boot: 3, readings: [r(0), r(1)] });
    await send('with-boot', { boot: 4, readings: [r(0)] });
    await send('no-boot', { readings: [r(0), r(1), r(2)] });
    clock.advance(10_000);
    await send('no-boot', { readings: [r(0, { time: T0 + 5000 })] });
    await send('no-boot', { readings: [r(0, { time: T0 + 5000 }), r(1, { time: T0 + 5001 })] });
    const seqs = outboxReadings().map((x) => `${x.deviceId}#${x.seq}`);
    expect(seqs).toEqual([
      `with-boot#${3 * DEVICE_SEQ_LIMIT}`,
      `with-boot#${3 * DEVICE_SEQ_LIMIT + 1}`,
      `with-boot#${4 * DEVICE_SEQ_LIMIT}`,
      'no-boot#0',
      'no-boot#1',
      'no-boot#2',
      `no-boot#${DEVICE_SEQ_LIMIT}`,
      `no-boot#${DEVICE_SEQ_LIMIT + 1}`,
    ]);
    expect(store.devices().map((d) => d.resets)).toEqual([1, 1]);
  });

  it('numbers gateway-measured readings itself and records tag reads', async () => {
    const result = await pipeline.gatewayReadings('probe-1', [
      { type: 'pH', value: 6.5, uom: 'C62', time: T0 },
      { type: 'pH', value: 16, uom: 'C62', time: T0 },
      { type: 'pH', value: 6.6, uom: 'C62', time: T0 + 1 },
    ]);
    await pipeline.tagRead({ readerId: 'dock-1', epc: '3034257BF7194E4000001A85', timeMs: T0 });
    expect(result).toEqual({ accepted: 2, duplicates: 0, quarantined: 1 });
    expect(outboxReadings().map((x) => x.seq)).toEqual([0, 1]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM tag_read').get()).toEqual({ n: 1 });
  });

  it('keeps the quarantine bounded and counts what it evicts', async () => {
    for (let i = 0; i < 5; i++)
      await pipeline.deviceMessage({ deviceId: 'd', source: 'mqtt', payload: `bad ${i}` });
    store.trimQuarantine(2);
    expect(store.quarantined().map((q) => q.payload)).toEqual(['bad 4', 'bad 3']);
    expect(store.counters()).toEqual({ quarantineEvicted: 3 });
  });

  it('refuses readings when the outbox is full, writing nothing for them', async () => {
    setup(3000);
    await send('a', { readings: Array.from({ length: 10 }, (_, i) => r(i)) });
    const before = outboxReadings().length;
    const refusal = await send('a', { readings: Array.from({ length: 10 }, (_, i) => r(100 + i)) }).catch(
      (e: unknown) => e,
    );
    expect(isSuyuanError(refusal, 'limit.exceeded')).toBe(true);
    expect(outboxReadings().length).toBe(before);
    expect(outbox.stats().refused).toBe(1);
    expect(store.devices()[0]?.accepted).toBe(10);
  });

  it('flushes as soon as the waiting payload bytes reach flushPayloadBytesMax', async () => {
    const message = (base: number) => ({ readings: Array.from({ length: 50 }, (_, i) => r(base + i)) });
    const bytes = JSON.stringify(message(0)).length;
    pipeline = new IngestPipeline(db, store, outbox, key, clock, {
      ...defaultIngestLimits,
      flushPayloadBytesMax: bytes * 2,
    });
    const sent = [send('a', message(0)), send('a', message(50))];
    // The second message filled the buffer: committed now, without waiting for the next turn.
    expect(pipeline.flushes).toBe(1);
    const third = send('a', message(100));
    expect(pipeline.flushes).toBe(1);
    await Promise.all([...sent, third]);
    expect(pipeline.flushes).toBe(2);
    expect(outboxReadings().map((x) => x.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });
});

describe('ingest pipeline: bodies and payload bytes', () => {
  it('stores every batch of a flush intact when the bodies share one scratch', async () => {
    pipeline = new IngestPipeline(db, store, outbox, key, clock, {
      ...defaultIngestLimits,
      readingsPerSubmissionMax: 7,
    });
    const sends = [1, 2, 3].map((d) =>
      send(`soil-${d}`, { boot: 1, readings: Array.from({ length: 20 }, (_, i) => r(i)) }),
    );
    expect((await Promise.all(sends)).map((x) => x.accepted)).toEqual([20, 20, 20]);
    expect(db.prepare('SELECT COUNT(*) FROM outbox_bodies').pluck().get()).toBe(9);
    const readings = outboxReadings();
    expect(readings).toHaveLength(60);
    expect(new Set(readings.map((x) => `${x.deviceId}/${x.seq}`)).size).toBe(60);
  });

  it('reads a payload from a Buffer or from a view into a larger array without changing it', async () => {
    const text = JSON.stringify({ boot: 1, readings: [r(0), r(1)] });
    const wide = new Uint8Array(text.length + 10).fill(0x20);
    wide.set(Buffer.from(text), 5);
    const view = wide.subarray(5, 5 + text.length);
    const before = Buffer.from(wide);
    const fromBuffer = await pipeline.deviceMessage({
      deviceId: 'soil-1',
      source: 'mqtt',
      payload: Buffer.from(text),
    });
    const fromView = await pipeline.deviceMessage({ deviceId: 'soil-2', source: 'mqtt', payload: view });
    expect([fromBuffer.accepted, fromView.accepted]).toEqual([2, 2]);
    expect(Buffer.compare(Buffer.from(wide), before)).toBe(0);
    expect(outboxReadings().map((x) => x.deviceId)).toEqual(['soil-1', 'soil-1', 'soil-2', 'soil-2']);
  });
});
