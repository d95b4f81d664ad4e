/**
 * Renders an `pnpm bench:e2e` result (test/src/bench/e2e.ts) as the markdown of the E2E region of
 * docs/benchmarks.md: the run's conditions, a table per rate, the goal line, and the soak trends.
 */
interface Step {
  targetReadingsPerSecond: number;
  ackedReadingsPerSecond: number;
  committedReadingsPerSecond: number;
  committedInWindowPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  lost: number;
  duplicated: number;
  drained: boolean;
  cpuShareToCommit: Record<string, number>;
  /** Absent in results written before session 3. */
  cpuUsPerReading?: Record<string, number>;
  cpuBoundReadingsPerSecond?: number;
  /** Absent in results written before session 5. */
  cpuUsPerReadingNetOfIdle?: Record<string, number>;
  idleCores?: Record<string, number>;
  /** Absent in results written before session 8. */
  minorFaultsPerThousandReadings?: Record<string, number>;
  rssMb: Record<string, number>;
}

interface Trend {
  series: string;
  unit: string;
  mean: number;
  slopePerMinute: number;
  changeOverRun: number;
  allowed: number;
  flat: boolean;
}

interface Result {
  bench: 'e2e';
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  loadAverageBefore: number[];
  quick: boolean;
  config: { replicas: number; devices: number; readingsPerMessage: number; pollMs: number };
  goalReadingsPerSecond: number;
  steps: Step[];
  soak: {
    readingsPerSecond: number;
    minutes: number;
    samples: unknown[];
    trends: Trend[];
    ackedTotal: number;
    committedTotal: number;
  } | null;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function check(result: unknown): Result {
  const fail = (what: string) => {
    throw new Error(`e2e-report: not an e2e bench result (${what})`);
  };
  if (!isObject(result)) return fail('not an object');
  if (result.bench !== 'e2e') fail('bench is not "e2e"');
  for (const key of ['date', 'node', 'cpuModel'] as const)
    if (typeof result[key] !== 'string') fail(`${key} missing`);
  if (!Array.isArray(result.loadAverageBefore)) fail('loadAverageBefore missing');
  if (!isObject(result.config)) fail('config missing');
  if (!Array.isArray(result.steps)) fail('steps missing');
  for (const step of result.steps as unknown[]) {
    if (!isObject(step) || typeof step.committedReadingsPerSecond !== 'number' || !isObject(step.latencyMs))
      fail('a step lacks committedReadingsPerSecond or latencyMs');
  }
  if (result.soak !== null && (!isObject(result.soak) || !Array.isArray(result.soak.trends)))
    fail('soak lacks trends');
  return result as unknown as Result;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

function cpuText(shares: Record<string, number>): string {
  const replicas = Object.entries(shares).filter(([k]) => k.startsWith('replica'));
  const replicaSum = replicas.reduce((s, [, v]) => s + v, 0);
  return `gateway ${(shares.gateway ?? 0).toFixed(2)}, replicas ${replicaSum.toFixed(2)} (${replicas.map(([, v]) => v.toFixed(2)).join(' / ')})`;
}

const us = (x: number) => x.toFixed(1);

/** Where the CPU goes per committed reading (the step with the most readings, if it was measured). */
function costLines(steps: Step[], cores: number, goal: number): string[] {
  const measured = steps.filter((s) => s.cpuUsPerReading && s.committedReadingsPerSecond > 0);
  const top = measured.at(-1);
  if (!top?.cpuUsPerReading) return [];
  const per = top.cpuUsPerReading;
  const replicas = Object.entries(per).filter(([k]) => k.startsWith('replica'));
  const replicaSum = replicas.reduce((s, [, v]) => s + v, 0);
  const gateway = per.gateway ?? 0;
  const pipeline = replicaSum + gateway;
  const biggest = [...replicas, ['gateway', gateway] as const].sort((a, b) => b[1] - a[1])[0];
  return [
    `- CPU per committed reading (target ${n(top.targetReadingsPerSecond)}/s, load start → drained): gateway ${us(gateway)} µs, replicas ${us(replicaSum)} µs together (${replicas.map(([, v]) => us(v)).join(' / ')}), load generator ${us(per['load-generator'] ?? 0)} µs. The gateway + 4 replicas need ${us(pipeline)} µs per reading, so ${cores} cores could commit at most **${n(top.cpuBoundReadingsPerSecond ?? 0)} readings/s** with nothing else running; the goal needs ≤ ${us((cores * 1e6) / goal)} µs. Biggest single process: ${biggest ? `${biggest[0]} (${us(biggest[1])} µs)` : 'n/a'}.`,
    ...netLine(top),
    ...faultLine(top),
  ];
}

/** The same step's minor page faults per 1,000 readings per process, when the result has them. */
function faultLine(top: Step): string[] {
  const faults = top.minorFaultsPerThousandReadings;
  if (!faults) return [];
  const parts = Object.entries(faults).map(([name, v]) => `${name} ${v.toFixed(1)}`);
  return [
    `- Minor page faults per 1,000 committed readings (first touches of fresh memory, ~8–20 µs of CPU each on this VM): ${parts.join(', ')}.`,
  ];
}

/** The same step's figures less each process's idle CPU (ticks, polls), when the result has them. */
function netLine(top: Step): string[] {
  const net = top.cpuUsPerReadingNetOfIdle;
  if (!net) return [];
  const replicas = Object.entries(net).filter(([k]) => k.startsWith('replica'));
  const sum = replicas.reduce((s, [, v]) => s + v, 0) + (net.gateway ?? 0);
  const idle = Object.values(top.idleCores ?? {}).reduce((s, v) => s + v, 0);
  return [
    `- Net of idle CPU (each process's idle use, ${idle.toFixed(2)} cores together, measured just before the step and subtracted): gateway ${us(net.gateway ?? 0)} µs, replicas ${replicas.map(([, v]) => us(v)).join(' / ')} µs; ${us(sum)} µs for the five.`,
  ];
}

export function renderReport(raw: unknown): string {
  const r = check(raw);
  const lines: string[] = [];
  lines.push(
    `Run ${r.date.slice(0, 16).replace('T', ' ')} UTC${r.quick ? ' (**--quick smoke run, not a measurement**)' : ''}: ${r.cores} × ${r.cpuModel}, Node ${r.node}, load average before ${r.loadAverageBefore.join(' / ')}. ${r.config.replicas} ledger replicas + 1 gateway on this machine, ${r.config.devices} MQTT devices publishing ${r.config.readingsPerMessage} readings per QoS 1 message; commit = first seen on replica 0 (polled every ${r.config.pollMs} ms).`,
  );
  if (r.steps.length > 0) {
    lines.push('');
    lines.push(
      '| target /s | acked /s | committed /s | committed in window /s | latency p50 / p90 / p99 / max ms | lost | dup | CPU cores to commit |',
    );
    lines.push('|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const s of r.steps) {
      const l = s.latencyMs;
      lines.push(
        `| ${n(s.targetReadingsPerSecond)} | ${n(s.ackedReadingsPerSecond)} | ${n(s.committedReadingsPerSecond)}${s.drained ? '' : ' (not drained)'} | ${n(s.committedInWindowPerSecond)} | ${n(l.p50)} / ${n(l.p90)} / ${n(l.p99)} / ${n(l.max)} | ${s.lost} | ${s.duplicated} | ${cpuText(s.cpuShareToCommit)} |`,
      );
    }
    const best = Math.max(...r.steps.map((s) => s.committedReadingsPerSecond));
    const met = best >= r.goalReadingsPerSecond;
    lines.push('');
    lines.push(
      `- Goal ≥ ${n(r.goalReadingsPerSecond)} readings/s committed: **${met ? 'met' : 'not met'}** — best ${n(best)} readings/s (${((best / r.goalReadingsPerSecond) * 100).toFixed(0)}% of the goal).`,
    );
    lines.push(...costLines(r.steps, r.cores, r.goalReadingsPerSecond));
    const lostAll = r.steps.reduce((s, x) => s + x.lost, 0);
    const dupAll = r.steps.reduce((s, x) => s + x.duplicated, 0);
    lines.push(`- Acknowledged readings missing from the chain: ${lostAll}; on the chain twice: ${dupAll}.`);
  }
  if (r.soak) {
    const s = r.soak;
    lines.push('');
    lines.push(
      `Soak: ${n(s.readingsPerSecond)} readings/s for ${s.minutes} min, ${s.samples.length} samples; ${n(s.ackedTotal)} acknowledged, ${n(s.committedTotal)} committed.`,
    );
    lines.push('');
    lines.push('| series | mean | slope /min | fitted change over run | allowed | flat |');
    lines.push('|---|---:|---:|---:|---:|---|');
    for (const t of s.trends)
      lines.push(
        `| ${t.series} (${t.unit}) | ${t.mean} | ${t.slopePerMinute} | ${t.changeOverRun} | ±${t.allowed} | ${t.flat ? 'yes' : '**no**'} |`,
      );
    const allFlat = s.trends.every((t) => t.flat);
    lines.push('');
    lines.push(`- Soak goal (memory, backlog and lag flat): **${allFlat ? 'met' : 'not met'}**.`);
  }
  return lines.join('\n');
}
