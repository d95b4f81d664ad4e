import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SeededRng } from '@suyuan/shared';
import { itemPath, type Mix, mixes, pickerFor, RepeatCounter, zipfExponent } from './web-mix.ts';
import { renderReport } from './web-report.ts';

/**
 * `pnpm bench:web`: latency and throughput of the GS1 Digital Link resolver (link set for API
 * clients) and the consumer page (server-rendered HTML with charts, scan counting on) over an
 * in-memory demo ledger of 100,000 items, with autocannon at 500 connections. The server runs alone
 * in its own process (`cloud/src/web/demo-main.ts`), started afresh for every row so no row
 * inherits another's cache. Every request asks for a random item, seeded: `uniform` (the issue's
 * benchmark) and, beside it, `zipf` (popularity 1/rank; see web-mix.ts). Variants, measured in the
 * same run: `uncached` (no response cache, hono: session 1's path), `cached` (response cache, every
 * request through hono: session 3's path), `fast` (cache + the node:http fast path, requests worked
 * in short event-loop turns) and `one-turn` (the same, but all queued requests in one turn, so the
 * server accepts connections as slowly as before session 5).
 *
 *   pnpm bench:web [--out file.json] [--quick] [--items 100000] [--connections 500]
 *                  [--duration-s 15] [--workers 1] [--variants uncached,cached,one-turn,fast]
 *                  [--mixes uniform,zipf]
 */

interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
    items: { type: 'string' },
    connections: { type: 'string' },
    'duration-s': { type: 'string' },
    workers: { type: 'string', default: '1' },
    variants: { type: 'string', default: 'uncached,cached,one-turn,fast' },
    mixes: { type: 'string', default: 'uniform,zipf' },
  },
});
const quick = values.quick;
const itemCount = Number(values.items ?? (quick ? 5_000 : 100_000));
const connections = Number(values.connections ?? (quick ? 50 : 500));
const durationS = Number(values['duration-s'] ?? (quick ? 2 : 15));
const warmupS = quick ? 1 : 3;
const workers = Number(values.workers);
const variantFlags: Record<string, string[]> = {
  uncached: ['--no-cache', '--no-fast-path'],
  cached: ['--no-fast-path'],
  // The fast path with every queued request worked in one event-loop turn: the loop accepts one
  // connection per turn, as before session 5 (see cloud/src/http/fair-turns.ts).
  'one-turn': ['--turn-work-ms', 'Infinity'],
  fast: [],
};
const variants = values.variants.split(',').filter((v) => v in variantFlags);
const runMixes = values.mixes.split(',').filter((m): m is Mix => (mixes as readonly string[]).includes(m));
const itemsPerLot = 50;
/** A phone's browser asks for compressed bodies; the "page (phone)" scenario does the same. */
const browserEncoding = 'gzip, deflate, br';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function startServer(variant: string): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [
      'cloud/src/web/demo-main.ts',
      ...['--items', String(itemCount), '--workers', String(workers)],
      ...(variantFlags[variant] ?? []),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`demo server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const info = JSON.parse(line) as { url: string; pid: number };
      done({ child, url: info.url, pid: info.pid });
    });
  });
}

const scenarios = [
  { name: 'resolver (link set)', headers: { accept: 'application/linkset+json' } },
  { name: 'consumer page (HTML)', headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9' } },
  {
    name: 'consumer page (phone, gzip)',
    headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9', 'accept-encoding': browserEncoding },
  },
];

async function run(url: string, pid: number, headers: Record<string, string>, gtins: string[], mix: Mix) {
  const pick = pickerFor(mix, new SeededRng(42), itemCount);
  const repeats = new RepeatCounter();
  const request: AutocannonRequest = {
    method: 'GET',
    headers,
    setupRequest: (req) => {
      const index = pick();
      repeats.note(index);
      return { ...req, path: itemPath(index, gtins, itemsPerLot) };
    },
  };
  await autocannon({ url, connections: Math.min(50, connections), duration: warmupS, requests: [request] });
  const cpuBefore = cpuSecondsOf(pid);
  const loadGeneratorBefore = process.cpuUsage();
  const r = await autocannon({ url, connections, duration: durationS, requests: [request] });
  const loadGenerator = process.cpuUsage(loadGeneratorBefore);
  const cpuAfter = cpuSecondsOf(pid);
  return {
    // Load-independent: the server's own CPU time per answered request (one server process).
    serverCpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || r.requests.total === 0 || workers !== 1
        ? null
        : Math.round(((cpuAfter - cpuBefore) * 1e6) / r.requests.total) / 1000,
    // autocannon runs in this process on the same cores: its CPU per request is part of what the
    // machine can serve at all (user + system microseconds ÷ requests).
    loadGeneratorCpuMsPerRequest:
      r.requests.total === 0
        ? null
        : Math.round((loadGenerator.user + loadGenerator.system) / r.requests.total) / 1000,
    requestsPerSecond: Math.round(r.requests.average),
    // Share of requests (warm-up included) for an item asked before: the most a cache could hit.
    repeatShare: Math.round(repeats.repeatShare * 1000) / 1000,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: r.latency.average,
    },
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

async function runRow(variant: string, mix: Mix, scenario: (typeof scenarios)[number], gtins: string[]) {
  const { child, url, pid } = await startServer(variant);
  try {
    const loadAverage1mBefore = loadavg()[0] ?? 0;
    const row = {
      variant,
      mix,
      scenario: scenario.name,
      connections,
      durationS,
      loadAverage1mBefore,
      ...(await run(url, pid, scenario.headers, gtins, mix)),
    };
    console.error(`web bench: ${variant} · ${mix} · ${scenario.name} done`);
    return row;
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(null)));
  }
}

const date = new Date().toISOString();
const loadAverageBefore = loadavg();
const { demoGtin } = await import('@suyuan/cloud/web/fixture/demo-parties');
const gtins = ['00001', '00002', '00003'].map(demoGtin);
const results = [];
for (const mix of runMixes)
  for (const s of scenarios)
    for (const variant of variants) results.push(await runRow(variant, mix, s, gtins));
const report = {
  bench: 'web',
  date,
  node: process.version,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadAverageBefore,
  quick,
  itemCount,
  itemsPerLot,
  zipfExponent,
  workers,
  warmupS,
  results,
};
const file = values.out ?? join(repoRoot, 'test/bench/results', `web-${date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(renderReport(report));
console.log(`results: ${file}`);
