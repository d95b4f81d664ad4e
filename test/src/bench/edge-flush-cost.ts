import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@suyuan/edge/gateway/database';
import { defaultIngestLimits } from '@suyuan/edge/ingest/ingest-limits';
import { IngestPipeline } from '@suyuan/edge/ingest/ingest-pipeline';
import { IngestStore } from '@suyuan/edge/ingest/ingest-store';
import { defaultOutboxLimits } from '@suyuan/edge/outbox/outbox-limits';
import { OutboxStore } from '@suyuan/edge/outbox/outbox-store';
import { encodeReadingBatches, sealReadingBatch } from '@suyuan/edge/outbox/seal';
import { generateKeyPair, type Reading, systemClock } from '@suyuan/shared';

/**
 * CPU per reading of the gateway's ingest flush, in this process (`tsx test/src/bench/edge-flush-cost.ts`):
 * the whole flush (parse, normalise, dedupe, encode, sign, outbox append, one commit) on a temp
 * database, then its parts one by one. Rounds alternate so variants share the machine's state; the
 * figure is the median round's µs of process CPU (user + system) per reading.
 */

const devices = 64;
const readingsPerMessage = 200;
const messagesPerFlush = 40;
const rounds = Number(process.argv[2] ?? 15);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function cpuUs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const d = process.cpuUsage(before);
  return d.user + d.system;
}

function message(deviceSeq: number, now: number): string {
  const readings = Array.from({ length: readingsPerMessage }, (_, i) => ({
    seq: deviceSeq + i,
    time: now - 1000 + i,
    type: i % 3 === 0 ? 'Temperature' : i % 3 === 1 ? 'RelativeHumidity' : 'Illuminance',
    value: i % 3 === 0 ? 21.5 + (i % 17) / 8 : i % 3 === 1 ? 55 + (i % 9) : 1200 + i,
    uom: i % 3 === 0 ? 'CEL' : i % 3 === 1 ? 'P1' : 'LUX',
  }));
  return JSON.stringify({ boot: 1, readings });
}

function wholeFlush(): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'bench-flush-'));
  const db = openDatabase(join(dir, 'gateway.db'));
  const clock = systemClock;
  const outbox = new OutboxStore(db, clock, { ...defaultOutboxLimits, pendingBytesMax: 2 ** 40 });
  const pipeline = new IngestPipeline(db, new IngestStore(db), outbox, generateKeyPair(), clock, {
    ...defaultIngestLimits,
    flushMessagesMax: 1_000_000,
    flushPayloadBytesMax: 2 ** 40,
  });
  const seqs = new Array<number>(devices).fill(0);
  const perReading: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const now = clock.now();
      const payloads = Array.from({ length: messagesPerFlush }, (_, m) => {
        const d = (round * messagesPerFlush + m) % devices;
        const text = message(seqs[d]!, now);
        seqs[d]! += readingsPerMessage;
        return { deviceId: `bench-${d}`, payload: text };
      });
      const us = cpuUs(() => {
        for (const p of payloads) void pipeline.deviceMessage({ ...p, source: 'mqtt' });
        pipeline.flush();
      });
      if (round > 1) perReading.push(us / (messagesPerFlush * readingsPerMessage));
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return perReading;
}

function readingsFor(n: number, now: number): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId: `bench-${i % devices}`,
    seq: 2 ** 32 + i,
    time: now - 1000 + i,
    type: 'Temperature',
    value: 21.5 + (i % 17) / 8,
    uom: 'CEL',
  }));
}

function parts(): Record<string, number[]> {
  const key = generateKeyPair();
  const n = 4096;
  const rs = readingsFor(n, Date.now());
  const texts = Array.from({ length: 20 }, (_, i) => message(i * 200, Date.now()));
  const out: Record<string, number[]> = { encode: [], seal: [], jsonParse: [] };
  for (let round = 0; round < rounds; round++) {
    let batch = encodeReadingBatches(rs)[0]!;
    out.encode!.push(cpuUs(() => (batch = encodeReadingBatches(rs)[0]!)) / n);
    out.seal!.push(cpuUs(() => sealReadingBatch(key, round + 1, Date.now(), batch)) / n);
    out.jsonParse!.push(
      cpuUs(() => {
        for (const t of texts) JSON.parse(t);
      }) /
        (texts.length * 200),
    );
  }
  return out;
}

const report = (name: string, xs: number[]) =>
  console.log(`${name.padEnd(12)} ${median(xs).toFixed(2).padStart(7)} µs/reading (median of ${xs.length})`);

report('flush', wholeFlush());
for (const [name, xs] of Object.entries(parts())) report(name, xs);
