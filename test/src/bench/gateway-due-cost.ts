import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '@suyuan/edge/gateway/database';
import { defaultOutboxLimits } from '@suyuan/edge/outbox/outbox-limits';
import { OutboxStore } from '@suyuan/edge/outbox/outbox-store';
import { ManualClock } from '@suyuan/shared';
import { CpuTally, writeBenchReport } from './cpu-tally.ts';

/**
 * `tsx test/src/bench/gateway-due-cost.ts [--base DIR] [--backlog 500] [--out file.json]`: the
 * uploader's listing of due rows (`OutboxStore.dueIn`, two calls per uploader turn and one per
 * finished exchange) with a backlog of pending rows and `statusInflightMax` accepted ones, all due,
 * as in `bench:e2e` at 50,000 readings/s offered. CPU µs per call, this tree against `--base DIR`
 * (a `git archive` of main with node_modules linked), alternating in one process.
 */
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    backlog: { type: 'string', default: '500' },
    calls: { type: 'string', default: '2000' },
    out: { type: 'string' },
  },
});
const backlog = Number(values.backlog);
const accepted = 16;
const calls = Number(values.calls);
const T0 = 1_750_000_000_000;

const trees: { label: string; Store: typeof OutboxStore; open: typeof openDatabase }[] = [
  { label: 'this tree', Store: OutboxStore, open: openDatabase },
];
const base = values.base;
if (base !== undefined) {
  const at = (path: string) => pathToFileURL(join(resolve(base), 'edge/src', path)).href;
  trees.push({
    label: 'base tree',
    Store: (await import(at('outbox/outbox-store.ts'))).OutboxStore,
    open: (await import(at('gateway/database.ts'))).openDatabase,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-due-cost-'));
const tally = new CpuTally();
const loadAverageAtStart = loadavg();
try {
  const runs = trees.map((tree, i) => {
    const db = tree.open(join(dir, `gateway-${i}.db`));
    const clock = new ManualClock(T0);
    const store = new tree.Store(db, clock, defaultOutboxLimits);
    db.transaction(() => {
      for (let k = 0; k < backlog + accepted; k++) {
        const seq = store.allocateSeq();
        const header = JSON.stringify({ v: 1, submitter: 'gw', seq, created: T0, payloadCount: 1 });
        store.append([
          { seq, kind: 'readings', body: `{"seq":${seq}}`, header, payloadCount: 1, critical: false },
        ]);
      }
    })();
    // The oldest rows were posted and are being polled (due at once: held status GETs).
    for (let seq = 1; seq <= accepted; seq++) store.markAccepted(seq, T0);
    clock.advance(1);
    return { tree, store, newApi: i === 0 };
  });
  // As `Uploader.startDue` asks when one exchange of a full lane ended: the lane's other exchanges
  // are still in flight, so of the `laneMax` oldest due rows one is started.
  const list = (
    run: (typeof runs)[number],
    state: 'pending' | 'accepted',
    laneMax: number,
    inFlight: Set<number>,
  ) => {
    const due = run.newApi
      ? run.store.dueIn(state, laneMax, inFlight, 1)
      : run.store
          .dueIn(state, laneMax)
          .filter((entry) => !inFlight.has(entry.seq))
          .slice(0, 1);
    if (due.length !== 1) throw new Error(`${state}: ${due.length} rows`);
  };
  const acceptedInFlight = new Set(Array.from({ length: accepted - 1 }, (_, k) => k + 1));
  const pendingInFlight = new Set([accepted + 1, accepted + 2, accepted + 3]);
  for (let round = 0; round < 7; round++) {
    for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
      const count = round === 0 ? 0 : calls;
      tally.time(`${run.tree.label}: due accepted (16 in the lane)`, count, () => {
        for (let k = 0; k < calls; k++) list(run, 'accepted', accepted, acceptedInFlight);
      });
      tally.time(`${run.tree.label}: due pending (4 in the lane)`, count, () => {
        for (let k = 0; k < calls; k++) list(run, 'pending', 4, pendingInFlight);
      });
    }
  }
  writeBenchReport('gateway-due-cost', values.out, loadAverageAtStart, {
    backlog,
    accepted,
    cpuUsPerCall: tally.perUnit(),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
