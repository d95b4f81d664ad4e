import { readFileSync, writeFileSync } from 'node:fs';
import { LocalCluster, Submitter, waitUntil } from '../../cluster/harness.ts';
import { type LoadResult, runLoad } from '../consensus-load.ts';

/**
 * Real replica processes on loopback (the consensus bench's load generator): n replicas, g groups,
 * one fixed offered load, committed requests/s and p50/p99 commit latency. g = 1 is flat PBFT, all
 * load to the primary (as the consensus bench does). For g > 1 each replica's config gets
 * `mode: 'gpbft'` and an explicit layout (replica i in group i mod g, so group j's view-0
 * representative is replica j), and the offered load and the in-flight budget are split evenly over
 * the g representatives, each load with its own submitters — the grouped mode's point is that every
 * group orders its own clients' batches. If the replica refuses the config the run is recorded as
 * not run, with the replica's own error, rather than failing the whole bench.
 */
export interface RealRunOptions {
  n: number;
  g: number;
  offeredPerS: number;
  durationMs: number;
  requestsPerCall: number;
}

/** Merged over the entry replicas: counts and rates summed, latency percentiles of the worst entry. */
export type RealRun =
  | ({ n: number; g: number; ran: true; startMs: number; entries?: number[] } & LoadResult)
  | { n: number; g: number; ran: false; reason: string };

const requestPayloadBytes = 512;
const submittersCount = 64;
const inflightMaxTotal = 256;

function makeCalls(requests: number, perCall: number, submittersMax: number): string[] {
  const submitters = Array.from({ length: submittersMax }, () => new Submitter());
  const bodies = Array.from({ length: Math.ceil(requests / perCall) * perCall }, (_, i) =>
    JSON.stringify(submitters[i % submittersMax]!.make(requestPayloadBytes)),
  );
  if (perCall === 1) return bodies;
  const calls: string[] = [];
  for (let i = 0; i < bodies.length; i += perCall) {
    calls.push(`{"requests":[${bodies.slice(i, i + perCall).join(',')}]}`);
  }
  return calls;
}

/** Replica i in group i mod g: explicit membership, representatives 0..g-1. */
export function roundRobinMembers(n: number, g: number): number[][] {
  return Array.from({ length: g }, (_, j) =>
    Array.from({ length: n }, (_, i) => i).filter((i) => i % g === j),
  );
}

function setGroupedMode(cluster: LocalCluster, n: number, g: number): void {
  for (const path of cluster.configs) {
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    config.mode = 'gpbft';
    config.groups = { members: roundRobinMembers(n, g) };
    writeFileSync(path, JSON.stringify(config, null, 2));
  }
}

/** Sums counts and rates; latency percentiles are the worst entry's (raw latencies stay in runLoad). */
export function mergeLoads(loads: readonly LoadResult[]): LoadResult {
  const sum = (pick: (load: LoadResult) => number) => loads.reduce((total, load) => total + pick(load), 0);
  const worst = (pick: (load: LoadResult) => number) => Math.max(...loads.map(pick));
  return {
    offeredPerS: sum((l) => l.offeredPerS),
    sent: sum((l) => l.sent),
    skippedInflightFull: sum((l) => l.skippedInflightFull),
    committed: sum((l) => l.committed),
    failed: sum((l) => l.failed),
    committedPerS: sum((l) => l.committedPerS),
    latencyMsP50: worst((l) => l.latencyMsP50),
    latencyMsP99: worst((l) => l.latencyMsP99),
    latencyMsMax: worst((l) => l.latencyMsMax),
  };
}

/** Bound on starting the 16 processes: on a badly overloaded machine the run is recorded as not run. */
const startMsMax = 240_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function started(cluster: LocalCluster, n: number, g: number): Promise<string | null> {
  const starting = cluster.startAll();
  try {
    await within(starting, startMsMax, `starting ${n} replica processes`);
    await waitUntil(
      async () => (await cluster.statuses()).every((s) => s.peers.sendingTo.length > 0),
      'replicas connected',
      120_000,
      200,
    );
  } catch (error) {
    // Processes still starting register when they print their port: let them, so stop() kills them all.
    await within(starting, startMsMax, 'late starts').catch(() => undefined);
    return String(error).slice(0, 500);
  }
  // A replica that ignored the mode would run flat PBFT and pass it off as grouped: require its status
  // to say gpbft.
  const statusText = JSON.stringify(await cluster.status(0));
  if (g > 1 && !statusText.includes('gpbft')) {
    return `replica status does not report mode gpbft (n=${n}): ${statusText.slice(0, 200)}`;
  }
  return null;
}

export async function realRun(options: RealRunOptions): Promise<RealRun> {
  const { n, g } = options;
  const cluster = await LocalCluster.create({
    n,
    consensus: {
      viewChangeTimeoutTicks: 1_000,
      viewChangeTimeoutTicksMax: 8_000,
      pendingRequestsMax: 20_000,
    },
  });
  try {
    if (g > 1) setGroupedMode(cluster, n, g);
    const began = performance.now();
    const refused = await started(cluster, n, g);
    if (refused !== null) return { n, g, ran: false, reason: refused };
    const startMs = Math.round(performance.now() - began);
    const entries = g === 1 ? [(await cluster.status(0)).primary] : Array.from({ length: g }, (_, j) => j);
    const load = (offeredPerS: number, durationMs: number) =>
      Promise.all(
        entries.map((entry) =>
          runLoad({
            port: cluster.httpPort(entry),
            bodies: makeCalls(
              Math.round((offeredPerS * durationMs) / entries.length / 1000),
              options.requestsPerCall,
              Math.ceil(submittersCount / entries.length),
            ),
            requestsPerCall: options.requestsPerCall,
            offeredPerS: offeredPerS / entries.length,
            durationMs,
            inflightMax: Math.ceil(inflightMaxTotal / entries.length),
            drainMsMax: 15_000,
          }),
        ),
      ).then(mergeLoads);
    await load(Math.min(100, options.offeredPerS), 1000); // warm-up: JIT, connections, SQLite pages
    const result = await load(options.offeredPerS, options.durationMs);
    return { n, g, ran: true, startMs, entries, ...result };
  } finally {
    await cluster.stop();
  }
}
