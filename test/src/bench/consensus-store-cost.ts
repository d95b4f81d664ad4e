import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeMessage, encodeMessage } from '@suyuan/cloud/consensus/codec';
import type { ClientRequest, CommittedBatch, PersistRecord } from '@suyuan/cloud/consensus/types';
import { createLogApp } from '@suyuan/cloud/replica/app/log-app';
import { ReplicaStore } from '@suyuan/cloud/replica/replica-store';
import { isAuthenticRequest } from '@suyuan/cloud/replica/request-auth';
import { fromBase64Url } from '@suyuan/shared';
import { Submitter } from '../cluster/harness.ts';

/**
 * `tsx test/src/bench/consensus-store-cost.ts [--batch 120] [--batches 20]`: CPU µs per request of
 * ONE replica's per-batch work outside the consensus core, piece by piece, in one process: decoding
 * the pre-prepare, the request check, and the three durable SQLite transactions a batch costs (the
 * pre-prepare log record, the prepared certificate, the committed batch + log-app execution), with
 * the body shared (written once, schema step 2) and inline (three copies) side by side. CPU time
 * (user + system), so the fsync wait itself is not counted.
 */
const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '120' },
    batches: { type: 'string', default: '20' },
  },
});
const batchSize = Number(values.batch);
const batchCount = Number(values.batches);

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const submitters = Array.from({ length: 64 }, () => new Submitter());
const requests: ClientRequest[] = Array.from({ length: batchSize * batchCount }, (_, i) => {
  const wire = submitters[i % submitters.length]!.make(900);
  return { submitter: wire.submitter, seq: wire.seq, body: fromBase64Url(wire.body) };
});

const totals = new Map<string, number>();
const time = (name: string, f: () => void) => {
  const t = cpuUs();
  f();
  totals.set(name, (totals.get(name) ?? 0) + cpuUs() - t);
};

/**
 * One batch's three durable transactions on `store`. `shared`: one requests array for the log
 * record, the prepared certificate and the committed batch, as the core hands them over (the
 * body is written once); otherwise three copies, which the store cannot match (written three
 * times, as before schema step 2) — the side-by-side comparison of that change.
 */
function storeBatch(
  label: string,
  store: ReplicaStore,
  app: LogApp,
  seq: number,
  batchRequests: ClientRequest[],
  shared: boolean,
) {
  const copy = () => (shared ? batchRequests : [...batchRequests]);
  const sig = new Uint8Array(64).fill(7);
  const signatures = [0, 1, 2].map((replica) => ({ replica, signature: sig }));
  const batchDigest = new Uint8Array(32).fill(seq % 251);
  const log: PersistRecord = { kind: 'log', seq, view: 0, batchDigest, requests: copy() };
  time(`${label} tx 1: log record`, () => store.saveReady([log], [], []));
  const certificate = {
    view: 0,
    seq,
    batchDigest,
    requests: copy(),
    prePrepareSignature: sig,
    prepares: signatures,
  };
  time(`${label} tx 2: prepared record`, () => store.saveReady([{ kind: 'prepared', certificate }], [], []));
  const batch: CommittedBatch = {
    seq,
    view: 0,
    requests: copy(),
    certificate: { view: 0, seq, batchDigest, signatures },
  };
  time(`${label} tx 3a: committed batch`, () => store.saveReady([], [batch], []));
  time(`${label} tx 3b: log app execution`, () => app.machine.applyBatch(batch));
}

type LogApp = ReturnType<typeof createLogApp>;

const dir = mkdtempSync(join(tmpdir(), 'suyuan-store-cost-'));
try {
  const stores = ['shared', 'inline'].map((label, i) => {
    const store = new ReplicaStore(join(dir, `replica-${i}.sqlite`));
    return { label, store, app: createLogApp(store.db) };
  });
  const sig = new Uint8Array(64).fill(7);
  for (let b = 0; b < batchCount; b++) {
    const seq = b + 1;
    const batchRequests = requests.slice(b * batchSize, (b + 1) * batchSize);
    const bytes = encodeMessage({
      type: 'prePrepare',
      view: 0,
      seq,
      batchDigest: new Uint8Array(32),
      requests: batchRequests,
      signature: sig,
    });
    time('decode pre-prepare', () => decodeMessage(bytes));
    time('encode pre-prepare', () => encodeMessage(decodeMessage(bytes)));
    time('request check (no memo)', () => {
      for (const r of batchRequests) isAuthenticRequest(r);
    });
    // Alternating order, so neither variant always runs on a warmer cache.
    const order = b % 2 === 0 ? stores : [...stores].reverse();
    for (const { label, store, app } of order)
      storeBatch(label, store, app, seq, batchRequests, label === 'shared');
    time('empty durable tx', () =>
      stores[0]!.store.db.transaction(() => stores[0]!.store.saveReady([], [], []))(),
    );
  }
  const perRequest = Object.fromEntries(
    [...totals].map(([name, us]) => [name, Math.round((10 * us) / (batchSize * batchCount)) / 10]),
  );
  console.log(JSON.stringify({ batchSize, batchCount, cpuUsPerRequestOneReplica: perRequest }, null, 2));
  for (const { store, app } of stores) {
    app.close();
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
