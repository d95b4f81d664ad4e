import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BodyScratch } from '@suyuan/edge/outbox/body-scratch';
import { encodeReadingBatches, sealReadingBatch, sealReadingBatchInto } from '@suyuan/edge/outbox/seal';
import { generateKeyPair, type Reading, systemClock } from '@suyuan/shared';
import { repoRoot } from '../cluster/harness.ts';
import { CpuTally } from './cpu-tally.ts';

/**
 * CPU and minor page faults per reading of the gateway's ingest flush, in this process
 * (`tsx test/src/bench/edge-flush-cost.ts [--rounds 15] [--base DIR]`): the whole flush (parse,
 * normalise, dedupe, encode, sign, outbox append, one commit) on a temp database, with each message's
 * payload a Buffer as the broker hands it over, then its parts one by one. With `--base DIR` (another
 * tree of this repository, e.g. a `git archive` of an older commit with node_modules linked in) the
 * flush runs for both trees in ONE process, alternating every round, so both see the same machine
 * load; each tree uses its own edge modules. Figures: total µs of process CPU (user + system) per
 * reading and minor page faults per 1,000 readings over the rounds after the first two.
 */
const { values } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string', default: '15' } },
});
const rounds = Number(values.rounds);
const devices = 64;
const readingsPerMessage = 200;
const messagesPerFlush = 40;
const warmRounds = 2;

interface Tree {
  label: string;
  openDatabase: typeof import('@suyuan/edge/gateway/database').openDatabase;
  defaultIngestLimits: typeof import('@suyuan/edge/ingest/ingest-limits').defaultIngestLimits;
  IngestPipeline: typeof import('@suyuan/edge/ingest/ingest-pipeline').IngestPipeline;
  IngestStore: typeof import('@suyuan/edge/ingest/ingest-store').IngestStore;
  defaultOutboxLimits: typeof import('@suyuan/edge/outbox/outbox-limits').defaultOutboxLimits;
  OutboxStore: typeof import('@suyuan/edge/outbox/outbox-store').OutboxStore;
}

async function loadTree(label: string, root: string): Promise<Tree> {
  const at = (path: string) => pathToFileURL(join(root, 'edge/src', path)).href;
  return {
    label,
    ...(await import(at('gateway/database.ts'))),
    ...(await import(at('ingest/ingest-limits.ts'))),
    ...(await import(at('ingest/ingest-pipeline.ts'))),
    ...(await import(at('ingest/ingest-store.ts'))),
    ...(await import(at('outbox/outbox-limits.ts'))),
    ...(await import(at('outbox/outbox-store.ts'))),
  };
}

function message(deviceSeq: number, now: number): Buffer {
  const readings = Array.from({ length: readingsPerMessage }, (_, i) => ({
    seq: deviceSeq + i,
    time: now - 1000 + i,
    type: i % 3 === 0 ? 'Temperature' : i % 3 === 1 ? 'RelativeHumidity' : 'Illuminance',
    value: i % 3 === 0 ? 21.5 + (i % 17) / 8 : i % 3 === 1 ? 55 + (i % 9) : 1200 + i,
    uom: i % 3 === 0 ? 'CEL' : i % 3 === 1 ? 'P1' : 'LUX',
  }));
  return Buffer.from(JSON.stringify({ boot: 1, readings }));
}

/** One tree's gateway flush on its own temp database: `flush()` runs one round. */
function flushRunner(tree: Tree, tally: CpuTally) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-flush-'));
  const db = tree.openDatabase(join(dir, 'gateway.db'));
  const clock = systemClock;
  const outbox = new tree.OutboxStore(db, clock, { ...tree.defaultOutboxLimits, pendingBytesMax: 2 ** 40 });
  const pipeline = new tree.IngestPipeline(db, new tree.IngestStore(db), outbox, generateKeyPair(), clock, {
    ...tree.defaultIngestLimits,
    flushMessagesMax: 1_000_000,
    flushPayloadBytesMax: 2 ** 40,
  });
  const seqs = new Array<number>(devices).fill(0);
  return {
    flush(round: number): void {
      const now = clock.now();
      const payloads = Array.from({ length: messagesPerFlush }, (_, m) => {
        const d = (round * messagesPerFlush + m) % devices;
        const payload = message(seqs[d]!, now);
        seqs[d]! += readingsPerMessage;
        return { deviceId: `bench-${d}`, payload };
      });
      const readings = round < warmRounds ? 0 : messagesPerFlush * readingsPerMessage;
      tally.time(`flush ${tree.label}`, readings, () => {
        for (const p of payloads) void pipeline.deviceMessage({ ...p, source: 'mqtt' });
        pipeline.flush();
      });
    },
    close(): void {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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

/** This tree's parts: encode, seal as a string (and measured as the outbox did), seal into bytes. */
function parts(tally: CpuTally): void {
  const key = generateKeyPair();
  const n = 4096;
  const rs = readingsFor(n, Date.now());
  const texts = Array.from({ length: 20 }, (_, i) => message(i * 200, Date.now()).toString());
  const scratch = new BodyScratch();
  for (let round = 0; round < rounds; round++) {
    const count = round < warmRounds ? 0 : n;
    let batch = encodeReadingBatches(rs)[0]!;
    tally.time('encode', count, () => {
      batch = encodeReadingBatches(rs)[0]!;
    });
    tally.time('seal string', count, () => {
      Buffer.byteLength(sealReadingBatch(key, round + 1, Date.now(), batch).body);
    });
    tally.time('seal bytes', count, () => {
      sealReadingBatchInto(key, round + 1, Date.now(), batch, scratch);
    });
    tally.time('jsonParse', count === 0 ? 0 : texts.length * readingsPerMessage, () => {
      for (const t of texts) JSON.parse(t);
    });
  }
}

const trees = [await loadTree('new', repoRoot)];
if (values.base) trees.push(await loadTree('base', resolve(values.base)));
const tally = new CpuTally();
const runners = trees.map((tree) => flushRunner(tree, tally));
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? runners : [...runners].reverse();
    for (const runner of order) runner.flush(round);
  }
} finally {
  for (const runner of runners) runner.close();
}
parts(tally);
const us = tally.perUnit();
const faults = tally.faultsPerThousand();
for (const name of Object.keys(us)) {
  console.log(
    `${name.padEnd(12)} ${us[name]!.toFixed(2).padStart(7)} µs/reading  ` +
      `${faults[name]!.toFixed(1).padStart(7)} faults/1000 readings`,
  );
}
