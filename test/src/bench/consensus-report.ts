import type { ConsensusFloor } from './consensus-floor.ts';

/**
 * Renders a `pnpm bench:consensus` JSON result as the markdown between `<!-- bench:consensus -->` and
 * `<!-- /bench:consensus -->` in docs/benchmarks.md: the machine line, one table of every load step
 * per n, the bound (cores × Ed25519 verifications/s ÷ n) with the fraction reached, and the goal lines
 * (n = 4: ≥ 70 % of the bound; p99 < 100 ms at half the peak load). Throws a clear error when the
 * shape does not match.
 */

export const goalFractionOfBound = 0.7;
export const goalHalfPeakP99Ms = 100;

interface LoadStep {
  offeredPerS: number;
  sent: number;
  skippedInflightFull: number;
  committed: number;
  failed: number;
  committedPerS: number;
  /** null when nothing committed (JSON has no NaN). */
  latencyMsP50: number | null;
  latencyMsP99: number | null;
  /** All replicas' CPU per request sent (null: not measured); absent in older results. */
  replicaCpuMsPerRequest?: number | null;
  /** Requests sent ÷ batches executed during the step (null: none); absent in older results. */
  requestsPerBatch?: number | null;
  /** Of the replica CPU, kernel time (sockets, SQLite writes and fsyncs); absent before session 5. */
  replicaSystemMsPerRequest?: number | null;
  /** The load generator's own CPU per request on the same cores (absent before session 5). */
  clientCpuMsPerRequest?: number | null;
}

interface SizeResult {
  n: number;
  boundPerS: number;
  peakCommittedPerS: number;
  fractionOfBound: number;
  loadAverage1mAfter: number;
  viewChanges: number;
  halfPeak: LoadStep;
  sweep: LoadStep[];
  profileTop?: { name: string; percent: number }[];
}

interface ConsensusResult {
  date: string;
  quick?: boolean;
  machine: { cores: number; cpu: string; node: string; loadAverage1mAtStart: number };
  requestBodyBytes: number;
  durationMsPerLoad: number;
  requestsPerCall: number;
  verify: {
    ed25519VerifyPerS: number;
    fullRequestCheckPerS: number;
    /** Per second of CPU time (absent in older results). */
    ed25519VerifyPerCpuS?: number;
  };
  /** consensus-floor.ts: the least CPU per request the issue's own work costs (absent in older results). */
  floor?: ConsensusFloor;
  results: SizeResult[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`consensus bench result: ${what}`);
}

function numbers(o: Record<string, unknown>, where: string, keys: readonly string[]): void {
  for (const k of keys) need(typeof o[k] === 'number', `${where}.${k} is not a number`);
}

function checkStep(step: unknown, where: string): asserts step is LoadStep {
  need(isObject(step), `${where} is not an object`);
  numbers(step, where, [
    'offeredPerS',
    'sent',
    'skippedInflightFull',
    'committed',
    'failed',
    'committedPerS',
  ]);
  for (const k of ['latencyMsP50', 'latencyMsP99'] as const) {
    need(step[k] === null || typeof step[k] === 'number', `${where}.${k} is not a number or null`);
  }
  const cpu = step.replicaCpuMsPerRequest;
  need(
    cpu === undefined || cpu === null || typeof cpu === 'number',
    `${where}.replicaCpuMsPerRequest is not a number or null`,
  );
  for (const k of ['replicaSystemMsPerRequest', 'clientCpuMsPerRequest'] as const) {
    const v = step[k];
    need(v === undefined || v === null || typeof v === 'number', `${where}.${k} is not a number or null`);
  }
  const perBatch = step.requestsPerBatch;
  need(
    perBatch === undefined || perBatch === null || typeof perBatch === 'number',
    `${where}.requestsPerBatch is not a number or null`,
  );
}

function checkSize(size: unknown, i: number): asserts size is SizeResult {
  const where = `results[${i}]`;
  need(isObject(size), `${where} is not an object`);
  numbers(size, where, [
    'n',
    'boundPerS',
    'peakCommittedPerS',
    'fractionOfBound',
    'loadAverage1mAfter',
    'viewChanges',
  ]);
  checkStep(size.halfPeak, `${where}.halfPeak`);
  need(Array.isArray(size.sweep) && size.sweep.length > 0, `${where}.sweep is empty or missing`);
  size.sweep.forEach((s, j) => {
    checkStep(s, `${where}.sweep[${j}]`);
  });
}

function check(result: unknown): asserts result is ConsensusResult {
  need(isObject(result), 'not an object');
  need(typeof result.date === 'string', 'date is not a string');
  need(isObject(result.machine), 'machine is missing');
  numbers(result.machine, 'machine', ['cores', 'loadAverage1mAtStart']);
  for (const k of ['cpu', 'node'] as const)
    need(typeof result.machine[k] === 'string', `machine.${k} is not a string`);
  numbers(result, 'result', ['requestBodyBytes', 'durationMsPerLoad', 'requestsPerCall']);
  need(isObject(result.verify), 'verify is missing');
  numbers(result.verify, 'verify', ['ed25519VerifyPerS', 'fullRequestCheckPerS']);
  need(Array.isArray(result.results) && result.results.length > 0, 'results is empty or missing');
  result.results.forEach(checkSize);
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number | null) => (v === null ? '—' : v < 100 ? v.toFixed(1) : int(v));
const verdict = (met: boolean) => `**${met ? 'met' : 'not met'}**`;

function stepRow(n: number, step: LoadStep, label: string): string {
  const cpu = step.replicaCpuMsPerRequest ?? null;
  const perBatch = step.requestsPerBatch ?? null;
  return `| ${n} | ${int(step.offeredPerS)}${label} | ${int(step.committedPerS)} | ${ms(step.latencyMsP50)} | ${ms(step.latencyMsP99)} | ${cpu === null ? '—' : cpu.toFixed(2)} | ${perBatch === null ? '—' : perBatch.toFixed(1)} | ${step.failed} | ${step.skippedInflightFull} |`;
}

function goalLines(r: SizeResult): string[] {
  const pct = Math.round(100 * r.fractionOfBound);
  const p99 = r.halfPeak.latencyMsP99;
  const lines = [
    `- n=${r.n}: peak ${int(r.peakCommittedPerS)}/s = ${pct} % of the bound ${int(r.boundPerS)}/s` +
      (r.n === 4
        ? ` (goal ≥ ${100 * goalFractionOfBound} %): ${verdict(r.fractionOfBound >= goalFractionOfBound)}`
        : ''),
    `- n=${r.n}: p99 at half the peak load (${int(r.halfPeak.offeredPerS)}/s offered) ${ms(p99)} ms` +
      ` (goal < ${goalHalfPeakP99Ms} ms): ${verdict(p99 !== null && p99 < goalHalfPeakP99Ms)}`,
  ];
  if (r.viewChanges > 0) lines.push(`- n=${r.n}: ${r.viewChanges} view change(s) during the run`);
  return lines;
}

/**
 * Where the CPU goes, from the busiest step: all replicas' CPU per request against the n
 * verifications the bound counts, and the rate the cores could sustain at that cost. A figure a
 * shared machine distorts far less than wall-clock throughput.
 */
function cpuLine(r: SizeResult, verifyPerS: number, cores: number): string[] {
  const busiest = [...r.sweep].sort((a, b) => b.committedPerS - a.committedPerS)[0];
  const cpu = busiest?.replicaCpuMsPerRequest ?? null;
  if (busiest === undefined || cpu === null || cpu <= 0) return [];
  const verifyMs = (r.n * 1000) / verifyPerS;
  return [
    `- n=${r.n}, CPU at the peak step (${int(busiest.offeredPerS)}/s offered): ${cpu.toFixed(2)} ms of replica CPU` +
      ` per request, of which ${verifyMs.toFixed(2)} ms (${Math.round((100 * verifyMs) / cpu)} %) is the` +
      ` n verifications the bound counts (${int(verifyPerS)} verifications per CPU second); at that cost ${cores} cores sustain at most ${int((cores * 1000) / cpu)} req/s` +
      ` (${Math.round((100 * verifyMs) / cpu)} % of the bound)${sideCosts(busiest)}`,
  ];
}

/** Kernel share of the replica CPU and the load generator's own CPU, when the run recorded them. */
function sideCosts(step: LoadStep): string {
  const system = step.replicaSystemMsPerRequest ?? null;
  const client = step.clientCpuMsPerRequest ?? null;
  const parts = [
    ...(system === null ? [] : [`${system.toFixed(2)} ms of the replica CPU is kernel time`]),
    ...(client === null
      ? []
      : [
          `the load generator used ${client.toFixed(2)} ms per request on the same cores (HTTP only: requests are signed before the step)`,
        ]),
  ];
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

export function renderReport(result: unknown): string {
  check(result);
  const m = result.machine;
  const v = result.verify;
  const lines = [
    `Run ${result.date}${result.quick ? ' (**--quick**: short smoke run, not a figure)' : ''}: ` +
      `${m.cores} × ${m.cpu}, Node ${m.node}, load average (1 min) ${m.loadAverage1mAtStart.toFixed(2)} at start. ` +
      `${int(result.requestBodyBytes)}-byte requests, ${result.requestsPerCall} per HTTP call, ` +
      `${int(result.durationMsPerLoad)} ms per load step. Verification on one core: Ed25519 ` +
      `${int(v.ed25519VerifyPerS)}/s, full request check ${int(v.fullRequestCheckPerS)}/s.`,
    '',
    '| n | offered/s | committed/s | p50 ms | p99 ms | replica CPU ms/req | req/batch | failed | skipped (in-flight cap) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.results.flatMap((r) => [
      ...r.sweep.map((s) => stepRow(r.n, s, '')),
      stepRow(r.n, r.halfPeak, ' (half peak)'),
    ]),
    '',
    `Bound = ${m.cores} cores × ${int(v.ed25519VerifyPerS)} verifications/s ÷ n (every replica verifies every request).`,
    '',
    ...result.results.flatMap(goalLines),
    ...result.results.flatMap((r) => cpuLine(r, v.ed25519VerifyPerCpuS ?? v.ed25519VerifyPerS, m.cores)),
  ];
  if (result.floor !== undefined) lines.push('', ...floorLines(result.floor, result.results));
  const profiled = result.results.filter((r) => r.profileTop !== undefined);
  for (const r of profiled) {
    lines.push('', `Profile, n=${r.n} (self time as a share of busy time, all replicas):`, '');
    for (const p of r.profileTop ?? []) lines.push(`- ${p.percent} % ${p.name}`);
  }
  return lines.join('\n');
}

/** What even a floor implementation reaches, and what 70 % leaves for everything else. */
function floorLines(f: ConsensusFloor, results: readonly SizeResult[]): string[] {
  const c = f.cpuUsPerRequest;
  const goalUs = f.verificationUsPerRequestAllReplicas / 0.7;
  const peak = results.find((r) => r.n === f.n);
  const peakStep = peak?.sweep.reduce((a, b) => (b.committedPerS > a.committedPerS ? b : a));
  const spent =
    peakStep?.replicaCpuMsPerRequest == null
      ? ''
      : ` At the n = ${f.n} peak the replicas spend ${int(peakStep.replicaCpuMsPerRequest * 1000)} µs per request.`;
  return [
    `Floor (\`consensus-floor.ts\`: CPU per ${int(f.requestBytes)}-byte request of the work the issue itself asks, ` +
      `each piece alone in one process): Ed25519 verification ${c.ed25519VerifyPerReplica} µs, ` +
      `decoding the request ${c.requestParsePerReplica} µs, the slot's signed votes ${c.votesPerReplica} µs, ` +
      `body digest ` +
      `${c.bodyDigestPerReplica} µs and durable write ${c.durableStorePerReplica} µs (in batches of ${f.batchSize}, ` +
      `3 transactions of ${int(c.durableTransaction)} µs each) on each of ${f.n} replicas; loopback TCP to the ` +
      `${f.n - 1} backups ${c.loopbackTcpToBackupsBothEnds} µs; HTTP intake ${c.httpIntakeClientAndServer} µs ` +
      `(${f.requestsPerCall} requests per call, client and server). Sum: **${int(f.floorUsPerRequestAllReplicas)} µs** ` +
      `per request, of which ${int(f.verificationUsPerRequestAllReplicas)} µs are the verifications the bound counts: ` +
      `an implementation at the floor reaches at most **${Math.round(f.mostFractionOfBound * 100)} %** of the bound. ` +
      `70 % leaves ${int(Math.max(0, goalUs - f.floorUsPerRequestAllReplicas))} µs per request for consensus ` +
      `messages, votes, timers, the application and every line of our own code.${spent}`,
  ];
}
