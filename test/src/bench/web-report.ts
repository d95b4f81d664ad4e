/**
 * Renders a `pnpm bench:web` JSON result as the markdown between `<!-- bench:web -->` and
 * `<!-- /bench:web -->` in docs/benchmarks.md: one table of every run (request mix, variant,
 * scenario), the goal line per row (p99 under 50 ms at 500 connections, no errors) and the ratios
 * between variants of the same mix and scenario. Results from before the mixes (no `mix`) read as
 * uniform.
 * Throws a clear error when the shape does not match.
 */

export const goalP99Ms = 50;
export const goalConnections = 500;

interface WebRow {
  variant: string;
  mix?: string;
  repeatShare?: number | null;
  scenario: string;
  connections: number;
  durationS: number;
  loadAverage1mBefore: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  serverCpuMsPerRequest: number | null;
  /** Since session 6; absent in older results. */
  loadGeneratorCpuMsPerRequest?: number | null;
}

interface WebResult {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  loadAverageBefore: number[];
  quick: boolean;
  itemCount: number;
  workers: number;
  results: WebRow[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(`web bench result: ${what}`);
}

function checkRow(row: unknown, i: number): asserts row is WebRow {
  need(isObject(row), `results[${i}] is not an object`);
  for (const k of ['variant', 'scenario'] as const)
    need(typeof row[k] === 'string', `results[${i}].${k} is not a string`);
  for (const k of [
    'connections',
    'durationS',
    'requestsPerSecond',
    'total',
    'non2xx',
    'errors',
    'timeouts',
  ] as const) {
    need(typeof row[k] === 'number', `results[${i}].${k} is not a number`);
  }
  need(row.mix === undefined || typeof row.mix === 'string', `results[${i}].mix is not a string`);
  const repeat = row.repeatShare;
  need(
    repeat === undefined || repeat === null || typeof repeat === 'number',
    `results[${i}].repeatShare is not a number`,
  );
  const cpu = row.serverCpuMsPerRequest;
  need(
    cpu === null || typeof cpu === 'number',
    `results[${i}].serverCpuMsPerRequest is not a number or null`,
  );
  const generator = row.loadGeneratorCpuMsPerRequest;
  need(
    generator === undefined || generator === null || typeof generator === 'number',
    `results[${i}].loadGeneratorCpuMsPerRequest is not a number or null`,
  );
  const l = row.latencyMs;
  need(isObject(l), `results[${i}].latencyMs is missing`);
  for (const k of ['p50', 'p90', 'p99', 'max', 'mean'] as const) {
    need(typeof l[k] === 'number', `results[${i}].latencyMs.${k} is not a number`);
  }
}

function check(result: unknown): asserts result is WebResult {
  need(isObject(result), 'not an object');
  for (const k of ['date', 'node', 'cpuModel'] as const)
    need(typeof result[k] === 'string', `${k} is not a string`);
  for (const k of ['cores', 'itemCount', 'workers'] as const)
    need(typeof result[k] === 'number', `${k} is not a number`);
  need(typeof result.quick === 'boolean', 'quick is not a boolean');
  need(Array.isArray(result.loadAverageBefore), 'loadAverageBefore is not an array');
  need(Array.isArray(result.results) && result.results.length > 0, 'results is empty or missing');
  result.results.forEach(checkRow);
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
const mixOf = (r: WebRow) => r.mix ?? 'uniform';
const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${Math.round(v * 100)} %` : '—');
/**
 * Pairs compared: the fast path against session 3's cached path, short event-loop turns against
 * one turn for everything (how fast connections are accepted), and cached against none.
 */
const comparisons = [
  ['fast', 'cached'],
  ['fast', 'one-turn'],
  ['cached', 'uncached'],
] as const;

function ratioLines(rows: WebRow[]): string[] {
  return comparisons.flatMap(([better, base]) =>
    rows.flatMap((row) => {
      if (row.variant !== better) return [];
      const b = rows.find(
        (r) => r.variant === base && r.scenario === row.scenario && mixOf(r) === mixOf(row),
      );
      if (!b || b.requestsPerSecond === 0) return [];
      const rps = row.requestsPerSecond / b.requestsPerSecond;
      // Every ratio is new ÷ base, so below 1 means less (better for p99 and CPU), above 1 more.
      const p99 = row.latencyMs.p99 / Math.max(1, b.latencyMs.p99);
      const bc = b.serverCpuMsPerRequest;
      const c = row.serverCpuMsPerRequest;
      const cpu =
        bc !== null && c !== null && bc > 0
          ? `; server CPU per request ${bc} → ${c} ms (×${(c / bc).toFixed(2)})`
          : '';
      return [
        `- ${mixOf(row)}, ${row.scenario}: ${better} ÷ ${base} req/s ×${rps.toFixed(2)}; p99 ${b.latencyMs.p99} → ${row.latencyMs.p99} ms (×${p99.toFixed(2)})${cpu}`,
      ];
    }),
  );
}

function goalLine(row: WebRow): string {
  const met =
    row.connections >= goalConnections &&
    row.latencyMs.p99 < goalP99Ms &&
    row.errors === 0 &&
    row.non2xx === 0;
  const why = row.connections < goalConnections ? ` (ran at ${row.connections} connections)` : '';
  return `- ${mixOf(row)}, ${row.scenario}, ${row.variant}: p99 ${n(row.latencyMs.p99)} ms — **${met ? 'met' : 'not met'}**${why}`;
}

/**
 * Little's law: with every one of `goalConnections` connections always waiting on an answer, the
 * mean latency is connections ÷ throughput, so a p99 under the goal needs at least
 * connections ÷ goal seconds answered per second. The cores cannot answer faster than
 * cores ÷ (server + load generator CPU per request) while autocannon shares them.
 */
export const requiredRequestsPerSecond = goalConnections / (goalP99Ms / 1000);

function capacityLine(row: WebRow, cores: number): string | null {
  const server = row.serverCpuMsPerRequest;
  const generator = row.loadGeneratorCpuMsPerRequest;
  if (server === null || generator === undefined || generator === null) return null;
  const most = Math.round((cores * 1000) / (server + generator));
  const verdict = most < requiredRequestsPerSecond ? 'below' : 'at or above';
  return `- ${mixOf(row)}, ${row.scenario}, ${row.variant}: server ${server} + load generator ${generator} ms CPU per request → the ${cores} cores answer at most ${n(most)} req/s, ${verdict} the ${n(requiredRequestsPerSecond)} req/s the goal needs`;
}

export function renderReport(result: unknown): string {
  check(result);
  const load = result.loadAverageBefore.map((v) => v.toFixed(2)).join(' / ');
  const lines = [
    `Run ${result.date}${result.quick ? ' (**--quick**: small ledger, few connections, not a figure)' : ''}: ` +
      `${n(result.itemCount)} items, ${result.workers} server process(es), ${result.cores} × ${result.cpuModel}, ` +
      `Node ${result.node}, load average before ${load}.`,
    '',
    'Requests: `uniform` = every item equally likely (the issue\'s benchmark); `zipf` = popularity 1/rank, beside it. "repeat" = share of requests for an item asked before in the row (the most a cache can hit).',
    '',
    '| mix | variant | scenario | connections | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | timeouts | server CPU ms/req | repeat | load 1m before |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.results.map((r) => {
      const l = r.latencyMs;
      return `| ${mixOf(r)} | ${r.variant} | ${r.scenario} | ${r.connections} | ${n(r.requestsPerSecond)} | ${l.p50} | ${l.p90} | ${n(l.p99)} | ${n(l.max)} | ${r.non2xx} | ${r.errors} | ${r.timeouts} | ${r.serverCpuMsPerRequest ?? '—'} | ${pct(r.repeatShare)} | ${r.loadAverage1mBefore.toFixed(2)} |`;
    }),
    '',
    `Goal: p99 < ${goalP99Ms} ms at ${goalConnections} connections, without errors.`,
    '',
    ...result.results.map(goalLine),
  ];
  const capacity = result.results.map((r) => capacityLine(r, result.cores)).filter((l) => l !== null);
  if (capacity.length > 0)
    lines.push(
      '',
      `What the cores allow (Little's law: ${goalConnections} busy connections at a mean under ${goalP99Ms} ms need ≥ ${n(requiredRequestsPerSecond)} answers/s; the bench and the server share the cores):`,
      '',
      ...capacity,
    );
  const ratios = ratioLines(result.results);
  if (ratios.length > 0) lines.push('', 'Ratios (same run, same machine):', '', ...ratios);
  return lines.join('\n');
}
