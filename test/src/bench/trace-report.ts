import { sourceTraceSeconds } from './groups/source-table.ts';

/**
 * Markdown for docs/benchmarks.md between `<!-- bench:trace -->` and `<!-- /bench:trace -->`: our
 * trace table, the source report's table beside it compared by ratios (its seconds come from another
 * machine and method), and the goal line judged from the numbers: one item's full trace with proofs
 * in < 5 ms p99 at 1M blocks (wall AND CPU), with a cost independent of the ledger's length.
 */

interface Stats {
  runs: number;
  p50: number;
  p99: number;
  max: number;
}

interface Row {
  blocks: number;
  loadAverage1mBefore: number;
  loadAverage1mAfter: number;
  cachedLedger: boolean;
  buildSeconds: number;
  dbMegabytes: number;
  traceEvents: number;
  traceNodes: number;
  scanEventsFound: number;
  indexedTraceMs: Stats;
  indexedTraceCpuMs: Stats;
  verifyTraceMs: Stats;
  multiChainScanMs: Stats;
  singleChainScanMs: Stats;
}

interface TraceResult {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  loadAverageBefore: number[];
  quick: boolean;
  traceRuns: number;
  goal: { p99Ms: number };
  results: Row[];
}

/** The goal is judged at this ledger size; smaller runs say the goal was not measured. */
export const goalBlocks = 1_000_000;
/** "Independent of ledger length": p50 at the largest size within this factor of the smallest's. */
export const lengthIndependenceFactorMax = 2;

export function renderReport(result: unknown): string {
  const r = parseTraceResult(result);
  return [header(r), ourTable(r), sourceTable(), ratiosTable(r), goals(r)].join('\n\n');
}

function fail(what: string): never {
  throw new Error(`trace result: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}.${key} must be a finite number`);
  return v;
}

function stats(o: Record<string, unknown>, key: string, where: string): Stats {
  const s = o[key];
  if (!isObject(s)) fail(`${where}.${key} must be an object {runs, p50, p99, max}`);
  const w = `${where}.${key}`;
  return { runs: num(s, 'runs', w), p50: num(s, 'p50', w), p99: num(s, 'p99', w), max: num(s, 'max', w) };
}

function parseRow(v: unknown, i: number): Row {
  const w = `results[${i}]`;
  if (!isObject(v)) fail(`${w} must be an object`);
  if (typeof v['cachedLedger'] !== 'boolean') fail(`${w}.cachedLedger must be a boolean`);
  return {
    blocks: num(v, 'blocks', w),
    loadAverage1mBefore: num(v, 'loadAverage1mBefore', w),
    loadAverage1mAfter: num(v, 'loadAverage1mAfter', w),
    cachedLedger: v['cachedLedger'],
    buildSeconds: num(v, 'buildSeconds', w),
    dbMegabytes: num(v, 'dbMegabytes', w),
    traceEvents: num(v, 'traceEvents', w),
    traceNodes: num(v, 'traceNodes', w),
    scanEventsFound: num(v, 'scanEventsFound', w),
    indexedTraceMs: stats(v, 'indexedTraceMs', w),
    indexedTraceCpuMs: stats(v, 'indexedTraceCpuMs', w),
    verifyTraceMs: stats(v, 'verifyTraceMs', w),
    multiChainScanMs: stats(v, 'multiChainScanMs', w),
    singleChainScanMs: stats(v, 'singleChainScanMs', w),
  };
}

export function parseTraceResult(v: unknown): TraceResult {
  if (!isObject(v)) fail('must be a JSON object');
  if (v['bench'] !== 'trace') fail(`bench must be "trace" (got ${JSON.stringify(v['bench'])})`);
  for (const k of ['date', 'node', 'cpu'] as const)
    if (typeof v[k] !== 'string') fail(`${k} must be a string`);
  const load = v['loadAverageBefore'];
  if (!Array.isArray(load) || !load.every((x) => typeof x === 'number'))
    fail('loadAverageBefore must be an array of numbers');
  if (!Array.isArray(v['results']) || v['results'].length === 0) fail('results must be a non-empty array');
  const goal = v['goal'];
  if (!isObject(goal)) fail('goal must be an object');
  const results = v['results'].map(parseRow).sort((a, b) => a.blocks - b.blocks);
  return {
    date: v['date'] as string,
    node: v['node'] as string,
    cpu: v['cpu'] as string,
    cores: num(v, 'cores', 'result'),
    loadAverageBefore: load as number[],
    quick: v['quick'] === true,
    traceRuns: num(v, 'traceRuns', 'result'),
    goal: { p99Ms: num(goal, 'p99Ms', 'goal') },
    results,
  };
}

const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const ratio = (a: number, b: number) => (b > 0 ? `${a / b >= 100 ? f0(a / b) : f1(a / b)}×` : '—');

function header(r: TraceResult): string {
  const loads = r.results.map((x) => `${f1(x.loadAverage1mBefore)}`).join(', ');
  return [
    `### Results, ${r.date.slice(0, 10)}${r.quick ? ' (--quick smoke run: small ledgers, few runs, figures indicative only)' : ''}`,
    '',
    `${r.cores} cores, ${r.cpu}, Node ${r.node}; 1-minute load average before the run ` +
      `${f1(r.loadAverageBefore[0] ?? 0)}, before each size: ${loads}. ${r.traceRuns} indexed traces per size. ` +
      'Wall time includes waiting for a core on a busy machine; CPU time (`process.cpuUsage`) does not.',
  ].join('\n');
}

function ourTable(r: TraceResult): string {
  const rows = r.results.map((x) =>
    [
      f0(x.blocks),
      `${f1(x.buildSeconds)}${x.cachedLedger ? ' (cached)' : ''}`,
      f1(x.dbMegabytes),
      `${x.traceEvents} / ${x.traceNodes} / ${x.scanEventsFound}`,
      `${f2(x.indexedTraceMs.p50)} / ${f2(x.indexedTraceMs.p99)}`,
      `${f2(x.indexedTraceCpuMs.p50)} / ${f2(x.indexedTraceCpuMs.p99)}`,
      `${f2(x.verifyTraceMs.p50)} / ${f2(x.verifyTraceMs.p99)}`,
      f1(x.multiChainScanMs.p50),
      f1(x.singleChainScanMs.p50),
    ].join(' | '),
  );
  return [
    'Ours (one jar traced backward with proofs; build = when the ledger was built, "cached" = reused from `.data/bench/trace`):',
    '',
    '| blocks | build (s) | SQLite (MB) | events / items / scan found | indexed trace wall p50 / p99 (ms) | indexed trace CPU p50 / p99 (ms) | offline verify p50 / p99 (ms) | multi-chain scan p50 (ms) | single-chain scan p50 (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function sourceTable(): string {
  const rows = sourceTraceSeconds.map(
    (s) =>
      `| ${f0(s.blocks)} | ${f2(s.ghSingle)} | ${f2(s.ghMulti)} | ${f2(s.pbftSingle)} | ${f2(s.pbftMulti)} | ${ratio(s.pbftSingle, s.pbftMulti)} | ${ratio(s.ghSingle, s.ghMulti)} | ${f2(s.ghMulti / s.pbftMulti)} |`,
  );
  return [
    "The source report's table (seconds, 16 nodes, another machine and method — compare ratios only):",
    '',
    '| blocks | GH single | GH multi | PBFT single | PBFT multi | single ÷ multi (PBFT) | single ÷ multi (GH) | GH ÷ PBFT (multi) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function ratiosTable(r: TraceResult): string {
  const first = r.results[0]!;
  const last = r.results.at(-1)!;
  const src = sourceTraceSeconds;
  const s0 = src[0]!;
  const s1 = src.at(-1)!;
  const growth = (a: number, b: number) => ratio(b, a);
  return [
    'By ratios:',
    '',
    '| comparison | source report | ours |',
    '|---|---|---|',
    `| single chain ÷ multi-chain, at ${f0(s1.blocks)} (report) / ${f0(last.blocks)} (ours) blocks | ${ratio(s1.pbftSingle, s1.pbftMulti)} (PBFT), ${ratio(s1.ghSingle, s1.ghMulti)} (GH) | ${ratio(last.singleChainScanMs.p50, last.multiChainScanMs.p50)} (scans), ${ratio(last.singleChainScanMs.p50, last.indexedTraceMs.p50)} (single-chain scan ÷ indexed) |`,
    `| growth of the multi-chain trace from ${f0(s0.blocks)} to ${f0(s1.blocks)} (report) / ${f0(first.blocks)} to ${f0(last.blocks)} (ours) blocks | ${growth(s0.pbftMulti, s1.pbftMulti)} for ×${f0(s1.blocks / s0.blocks)} blocks | indexed ${growth(first.indexedTraceMs.p50, last.indexedTraceMs.p50)} wall, ${growth(first.indexedTraceCpuMs.p50, last.indexedTraceCpuMs.p50)} CPU; multi-chain scan ${growth(first.multiChainScanMs.p50, last.multiChainScanMs.p50)}; for ×${f0(last.blocks / first.blocks)} blocks |`,
    `| GH ÷ PBFT | ${f2(s1.ghMulti / s1.pbftMulti)} (multi), ${f2(s1.ghSingle / s1.pbftSingle)} (single) at ${f0(s1.blocks)} | not applicable: a trace reads one replica's local ledger, consensus (PBFT or grouped) is not on its path; GH vs PBFT is the Groups bench |`,
  ].join('\n');
}

function goals(r: TraceResult): string {
  const first = r.results[0]!;
  const last = r.results.at(-1)!;
  const g = r.goal.p99Ms;
  const atGoalSize = last.blocks >= goalBlocks;
  const wallMet = last.indexedTraceMs.p99 < g;
  const cpuMet = last.indexedTraceCpuMs.p99 < g;
  // Wall time is the latency a client sees, so it decides. Process CPU time counts every thread,
  // V8's parallel GC helpers included, so one trace can show more CPU than wall; it only rescues a
  // wall figure inflated by waiting for a core on a busy machine.
  const verdict = !atGoalSize
    ? `**not measured** (largest ledger ${f0(last.blocks)} blocks)`
    : wallMet
      ? '**met**'
      : cpuMet
        ? '**met in CPU time, not met in wall time** (waiting for a core; rerun on an idle machine)'
        : '**not met**';
  const growthP50 = last.indexedTraceCpuMs.p50 / Math.max(first.indexedTraceCpuMs.p50, 1e-9);
  const independent = growthP50 <= lengthIndependenceFactorMax && r.results.length > 1;
  return [
    `- Goal: one item's full trace with proofs < ${g} ms p99 at ${f0(goalBlocks)} blocks — ${verdict}: ` +
      `at ${f0(last.blocks)} blocks p99 ${f2(last.indexedTraceMs.p99)} ms wall, ${f2(last.indexedTraceCpuMs.p99)} ms CPU ` +
      `(${last.traceEvents} events, ${last.traceNodes} items; CPU counts every thread of the process, GC helpers included). Offline verification of that trace is extra: p99 ${f2(last.verifyTraceMs.p99)} ms.`,
    `- Goal: cost independent of ledger length — ${independent ? '**met**' : '**not met**'}: indexed trace CPU p50 ` +
      `${f2(first.indexedTraceCpuMs.p50)} ms at ${f0(first.blocks)} blocks, ${f2(last.indexedTraceCpuMs.p50)} ms at ${f0(last.blocks)} ` +
      `(×${f2(growthP50)} for ×${f0(last.blocks / first.blocks)} blocks; met if within ×${lengthIndependenceFactorMax}), ` +
      `while the single-chain scan grew ${ratio(last.singleChainScanMs.p50, first.singleChainScanMs.p50)}.`,
  ].join('\n');
}
