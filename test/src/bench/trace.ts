import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProofBuilder } from '@suyuan/cloud/ledger/proofs';
import { TraceQuery } from '@suyuan/cloud/ledger/trace-query';
import { type LedgerTx, verifyTrace } from '@suyuan/shared';
import { type BenchLedger, buildBenchLedger } from './trace-ledger.ts';

/**
 * `pnpm bench:trace`: the source report's trace experiment (trace time as the ledger grows; single
 * chain vs multi-chain) on ledgers of 1k…1M blocks with one jar's 11 lineage events spread across
 * the whole height. Three ways to trace the jar backward, each returning events with proofs:
 * - indexed multi-chain (ours): item → events index, edges for inputs and containers;
 * - multi-chain scan: walk the trace chain block by block (skips the telemetry chain's blocks);
 * - single-chain scan (the report's baseline): walk every block of the ledger in order.
 * Plus the offline verification of the returned trace (proofs, certificates, per-item chains).
 */
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000,1000000' },
    'trace-runs': { type: 'string', default: '500' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const traceRuns = Number(values['trace-runs']);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    runs: s.length,
    p50: round(percentile(s, 50)),
    p99: round(percentile(s, 99)),
    max: round(s.at(-1)!),
  };
}

function time<T>(fn: () => T): [number, T] {
  const t = performance.now();
  const out = fn();
  return [performance.now() - t, out];
}

/** CPU time of the process (user + system) in ms: what the work costs, minus waiting for a core. */
function cpuTime(fn: () => unknown): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function indexedTrace(l: BenchLedger) {
  const m = l.machine;
  const query = new TraceQuery(m.db, m.state, new ProofBuilder(m.chains)); // cold proof cache each run
  return query.trace(l.target.jar, 'backward', 1000)!;
}

/**
 * Walks blocks newest to oldest; an event touching a wanted item makes every item it links wanted.
 * One pass can miss a container's events newer than the packing that revealed it, so a scan repeats
 * until a pass reveals no new item (here: two passes), as any trace without an index must.
 */
function scanTrace(l: BenchLedger, singleChain: boolean): number {
  const m = l.machine;
  const proofs = new ProofBuilder(m.chains);
  const wanted = new Set([l.target.jar]);
  let found = 0;
  const visit = (chain: string, height: number) => {
    const tx = m.chains.tx(chain, height, 0) as LedgerTx;
    if (tx.kind !== 'payload' || !tx.links.some((k) => wanted.has(k.item))) return;
    for (const k of tx.links) wanted.add(k.item);
    proofs.txProof(chain, height, 0);
    found++;
  };
  for (let known = 0; known !== wanted.size; ) {
    known = wanted.size;
    found = 0;
    if (singleChain) {
      for (let seq = m.chains.lastBatch()!.seq; seq >= 1; seq--) {
        for (const [chain, height] of m.chains.batch(seq)!.headers) visit(chain, height);
      }
    } else {
      for (let h = m.chains.head('trace')!.height; h >= 1; h--) visit('trace', h);
    }
  }
  return found;
}

const results = [];
for (const blocks of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-bench-trace-'));
  try {
    const ledger = buildBenchLedger(dir, blocks);
    const dbBytes = statSync(join(dir, `bench-${blocks}.sqlite`)).size;
    const probe = indexedTrace(ledger);
    const verdict = verifyTrace(probe, ledger.replicaKeys);
    if (!verdict.ok) throw new Error(`bench trace does not verify: ${verdict.failures.join('; ')}`);
    const traceMs: number[] = [];
    const traceCpuMs: number[] = [];
    for (let i = 0; i < traceRuns; i++) {
      traceMs.push(time(() => indexedTrace(ledger))[0]);
      traceCpuMs.push(cpuTime(() => indexedTrace(ledger)));
    }
    const verifyMs: number[] = [];
    for (let i = 0; i < Math.min(100, traceRuns); i++)
      verifyMs.push(time(() => verifyTrace(probe, ledger.replicaKeys))[0]);
    const scanRuns = blocks >= 1_000_000 ? 2 : blocks >= 100_000 ? 3 : 10;
    const multiScanMs: number[] = [];
    const singleScanMs: number[] = [];
    let scanFound = 0;
    for (let i = 0; i < scanRuns; i++) {
      const [ms, n] = time(() => scanTrace(ledger, false));
      multiScanMs.push(ms);
      scanFound = n;
      singleScanMs.push(time(() => scanTrace(ledger, true))[0]);
    }
    const row = {
      blocks,
      loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
      buildSeconds: Math.round(ledger.buildMs / 100) / 10,
      dbMegabytes: Math.round(dbBytes / 1e5) / 10,
      traceEvents: probe.events.length,
      traceNodes: probe.nodes.length,
      scanEventsFound: scanFound,
      indexedTraceMs: stats(traceMs),
      indexedTraceCpuMs: stats(traceCpuMs),
      verifyTraceMs: stats(verifyMs),
      multiChainScanMs: stats(multiScanMs),
      singleChainScanMs: stats(singleScanMs),
    };
    console.log(JSON.stringify(row));
    results.push(row);
    ledger.machine.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = join(import.meta.dirname, '../../bench/results');
mkdirSync(out, { recursive: true });
const file = join(out, `trace-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ bench: 'trace', cpu: cpus()[0]?.model, cores: cpus().length, loadAverage1m: loadavg()[0], node: process.version, traceRuns, results }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
