import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fromBase64Url } from '@suyuan/shared';
import { LocalCluster, repoRoot, Submitter, waitUntil } from '../cluster/harness.ts';
import { childrenCpuSplitMs } from './consensus-cpu.ts';
import { measureConsensusFloor } from './consensus-floor.ts';
import { runLoad } from './consensus-load.ts';
import { renderReport } from './consensus-report.ts';
import { measureVerifyRates } from './consensus-verify-rate.ts';

/**
 * `pnpm bench:consensus`: committed requests/s and commit latency for n = 4 and n = 7 replica
 * processes on loopback, over a sweep of offered loads, with 1 KB requests each signed by its own
 * submitter and verified by every replica. The bound it is compared with: every request costs one
 * Ed25519 verification on each of n replicas, so this machine cannot commit more than
 * cores × verifications/s ÷ n requests/s (everything else — HTTP, consensus, SQLite — only lowers it).
 */
const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    loads: { type: 'string' },
    'duration-ms': { type: 'string' },
    profile: { type: 'boolean', default: false },
    /** Requests per HTTP call (1: one POST per request; more: POST /v1/requests/batch). */
    'per-call': { type: 'string', default: '32' },
    /** Where the JSON result goes (default test/bench/results/consensus-<stamp>.json). */
    out: { type: 'string' },
    /** Smoke run: n=4 only, two short loads (checks that the bench works, not a figure). */
    quick: { type: 'boolean', default: false },
    /** JSON object of consensus config overrides, e.g. '{"batchDelayTicks":5}'. */
    consensus: { type: 'string', default: '{}' },
  },
});
const quick = values.quick;
const durationMs = Number(values['duration-ms'] ?? (quick ? 1000 : 3000));
const requestsPerCall = Number(values['per-call']);
const sizes = (values.n ?? (quick ? '4' : '4,7')).split(',').map(Number);
/** Offered loads (requests/s) when --loads is not given; grouped intake reaches far higher rates. */
const defaultLoads = quick
  ? [100, 400]
  : requestsPerCall > 1
    ? [100, 200, 400, 800, 1600, 3200]
    : [25, 50, 100, 200, 400, 800];
const cores = availableParallelism();
const consensusOverrides: Record<string, number> = {
  viewChangeTimeoutTicks: 1_000,
  viewChangeTimeoutTicksMax: 8_000,
  pendingRequestsMax: 20_000,
  // At most 2 batches in flight (default 8): once the pipeline is full, requests wait for the next
  // batch instead of making more small ones, so batches grow with the load. Each batch costs every
  // replica about 3 fsync'd transactions and 2(n-1) vote signatures to check (session 4: ~17 ms of
  // CPU per batch over 4 replicas), which 32-request batches paid at 0.5 ms per request.
  inflightBatchesMax: 2,
  ...(JSON.parse(values.consensus) as Record<string, number>),
};
const requestBodyBytes = 1024;
const submittersCount = 64;
/** Client connections (keep-alive, each carrying one request waiting for its commit at a time). */
const inflightRequestsMax = 256;

/** Pre-signed request bodies, grouped `requestsPerCall` to an HTTP call. */
function makeCalls(requestCount: number): string[] {
  if (requestsPerCall === 1) return makeBodies(requestCount);
  // Whole calls only, so that requests sent = calls sent × requestsPerCall.
  const bodies = makeBodies(Math.ceil(requestCount / requestsPerCall) * requestsPerCall);
  const calls: string[] = [];
  for (let i = 0; i < bodies.length; i += requestsPerCall) {
    calls.push(`{"requests":[${bodies.slice(i, i + requestsPerCall).join(',')}]}`);
  }
  return calls;
}

function makeBodies(count: number): string[] {
  const submitters = Array.from({ length: submittersCount }, () => new Submitter());
  // Pad so the signed request body (canonical JSON with key, header fields and signature) is ~1 KB.
  const probe = fromBase64Url(submitters[0]!.make(0).body).length;
  const pad = Math.max(0, requestBodyBytes - probe - 20);
  return Array.from({ length: count }, (_, i) => JSON.stringify(submitters[i % submittersCount]!.make(pad)));
}

async function startCluster(n: number, profileDir: string | null) {
  const cluster = await LocalCluster.create({
    n,
    consensus: consensusOverrides,
    ...(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
  });
  await cluster.startAll();
  await waitUntil(
    async () => (await cluster.statuses()).every((s) => s.peers.sendingTo.length === n - 1),
    'all replicas connected',
  );
  return cluster;
}

/** Self time per function over all profiles in a directory, as shares of busy (non-idle) time, top entries. */
function profileSummary(dir: string, top = 15) {
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)!.callFrame;
      const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;
      const dt = profile.timeDeltas[i] ?? 0;
      // Shares of busy time: idle samples (waiting for I/O or timers) would dwarf everything else.
      if (frame.functionName === '(idle)') return;
      selfUs.set(name, (selfUs.get(name) ?? 0) + dt);
      totalUs += dt;
    });
  }
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, percent: Math.round((1000 * us) / totalUs) / 10 }));
}

/**
 * One status read, retried a few times: undici may reuse a keep-alive socket the replica's server
 * has just closed ("other side closed"), which once ended a whole unattended run.
 */
async function statusRetried(cluster: LocalCluster, id: number, attemptsMax = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await cluster.status(id);
    } catch (error) {
      if (attempt >= attemptsMax) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function benchSize(n: number, bound: number, profileDir: string | null) {
  const cluster = await startCluster(n, profileDir);
  try {
    const primaryPort = cluster.httpPort((await statusRetried(cluster, 0)).primary);
    const loads = values.loads
      ? values.loads.split(',').map(Number)
      : defaultLoads.filter((load) => quick || load <= 2 * bound);
    let submitted = 0;
    // Each load starts from an idle cluster: wait until everything sent before has executed
    // everywhere, so one overloaded step does not leave its backlog to the next.
    const run = async (offeredPerS: number, ms = durationMs) => {
      const bodies = makeCalls(Math.round((offeredPerS * ms) / 1000));
      const batchesBefore = (await statusRetried(cluster, 0)).lastExecuted;
      const cpuBefore = childrenCpuSplitMs();
      const clientBefore = process.cpuUsage();
      const result = await runLoad({
        port: primaryPort,
        bodies,
        requestsPerCall,
        offeredPerS,
        durationMs: ms,
        inflightMax: inflightRequestsMax,
        drainMsMax: 15_000,
      });
      submitted += result.sent;
      try {
        await waitUntil(
          async () => (await cluster.statuses()).every((s) => s.app.executed >= submitted),
          'backlog executed',
          120_000,
          100,
        );
      } catch (error) {
        // An unattended run must say why: every replica's last stderr lines go with the error.
        for (const [id, lines] of cluster.stderr) {
          console.error(`replica ${id} stderr tail:\n${lines.join('').slice(-3000)}`);
        }
        throw error;
      }
      const cpuAfter = childrenCpuSplitMs();
      // The load generator shares the cores: its CPU (HTTP calls and answers; the requests were
      // signed before the step) is what the replicas could not use.
      const client = process.cpuUsage(clientBefore);
      const batches = (await statusRetried(cluster, 0)).lastExecuted - batchesBefore;
      const requestsPerBatch = batches > 0 ? Math.round((10 * result.sent) / batches) / 10 : null;
      // All n replicas' CPU from the first send until everything sent executed everywhere.
      const perRequest = (ms: number) =>
        result.sent === 0 ? null : Math.round((1000 * ms) / result.sent) / 1000;
      const replicaUserMs = cpuBefore && cpuAfter ? cpuAfter.userMs - cpuBefore.userMs : null;
      const replicaSystemMs = cpuBefore && cpuAfter ? cpuAfter.systemMs - cpuBefore.systemMs : null;
      const replicaCpuMsPerRequest =
        replicaUserMs === null || replicaSystemMs === null
          ? null
          : perRequest(replicaUserMs + replicaSystemMs);
      const replicaSystemMsPerRequest = replicaSystemMs === null ? null : perRequest(replicaSystemMs);
      const clientCpuMsPerRequest = perRequest((client.user + client.system) / 1000);
      return {
        ...result,
        replicaCpuMsPerRequest,
        replicaSystemMsPerRequest,
        clientCpuMsPerRequest,
        requestsPerBatch,
      };
    };
    await run(200, quick ? 300 : 1000); // warm-up: JIT, connections, SQLite pages
    const sweep = [];
    for (const load of loads) {
      const result = await run(load);
      console.error(`n=${n} offered ${load}/s →`, JSON.stringify(result));
      sweep.push(result);
    }
    const peak = Math.max(...sweep.map((r) => r.committedPerS));
    const halfPeak = await run(Math.round(peak / 2));
    console.error(`n=${n} half peak →`, JSON.stringify(halfPeak));
    const statuses = await Promise.all(cluster.live.map((id) => statusRetried(cluster, id)));
    return {
      loadAverage1mAfter: loadavg()[0],
      n,
      boundPerS: bound,
      peakCommittedPerS: peak,
      fractionOfBound: Math.round((100 * peak) / bound) / 100,
      halfPeak,
      sweep,
      viewChanges: Math.max(...statuses.map((s) => s.view)),
      dropped: statuses.map((s) => s.dropped),
    };
  } finally {
    if (profileDir) for (const id of cluster.live) await cluster.terminate(id);
    await cluster.stop();
  }
}

async function main() {
  const loadAverages = loadavg();
  const loadAverage1mAtStart = loadAverages[0];
  const probe = JSON.parse(makeBodies(1)[0]!) as { submitter: string; seq: number; body: string };
  const verify = measureVerifyRates(
    { submitter: probe.submitter, seq: probe.seq, body: fromBase64Url(probe.body) },
    quick ? 300 : 1000,
  );
  console.error('verification rates (one core):', verify);
  const floor = await measureConsensusFloor({ batchSize: 120, batchCount: quick ? 10 : 200 });
  console.error('floor (CPU µs per request):', floor);
  const results = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const n of sizes) {
    const bound = Math.round((cores * verify.ed25519VerifyPerS) / n);
    const profileDir = values.profile ? join(repoRoot, 'test/bench/results', `profile-${stamp}-n${n}`) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const result = await benchSize(n, bound, profileDir);
    results.push({ ...result, ...(profileDir ? { profileTop: profileSummary(profileDir) } : {}) });
  }
  const report = {
    benchmark: 'consensus',
    date: new Date().toISOString(),
    quick,
    machine: {
      cores,
      cpu: cpus()[0]?.model,
      node: process.version,
      loadAverage1mAtStart,
      loadAverageAtStart: loadAverages,
    },
    requestBodyBytes,
    durationMsPerLoad: durationMs,
    requestsPerCall,
    consensus: consensusOverrides,
    verify,
    floor,
    results,
  };
  const path = resolve(values.out ?? join(repoRoot, 'test/bench/results', `consensus-${stamp}.json`));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  // Rendered from the JSON as written (NaN latencies of empty steps become null there).
  console.log(renderReport(JSON.parse(JSON.stringify(report))));
  console.log(`written ${path}`);
}

await main();
