import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SeededRng } from '@suyuan/shared';
import { renderReport } from './web-report.ts';

/**
 * `pnpm bench:web`: latency and throughput of the GS1 Digital Link resolver (link set for API
 * clients) and the consumer page (server-rendered HTML with charts, scan counting on) over an
 * in-memory demo ledger of 100,000 items, with autocannon at 500 connections. The server runs alone
 * in its own process (`cloud/src/web/demo-main.ts`); every request asks for a random item (uniform,
 * seeded). Runs the server twice — response cache off (session 1's code path) and on — so the
 * ratio between the two is measured under the same load.
 *
 *   pnpm bench:web [--out file.json] [--quick] [--items 100000] [--connections 500]
 *                  [--duration-s 15] [--workers 1] [--variants uncached,cached]
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
    variants: { type: 'string', default: 'uncached,cached' },
  },
});
const quick = values.quick;
const itemCount = Number(values.items ?? (quick ? 5_000 : 100_000));
const connections = Number(values.connections ?? (quick ? 50 : 500));
const durationS = Number(values['duration-s'] ?? (quick ? 2 : 15));
const warmupS = quick ? 1 : 3;
const workers = Number(values.workers);
const variants = values.variants.split(',').filter((v) => v === 'cached' || v === 'uncached');
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

function startServer(cache: boolean): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/tsx'),
    [
      'cloud/src/web/demo-main.ts',
      ...['--items', String(itemCount), '--workers', String(workers)],
      ...(cache ? [] : ['--no-cache']),
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

/** A random existing item path: lot i has product i % 3 and serials <lot>0001…<lot>0050. */
function randomItemPath(rng: SeededRng, gtins: readonly string[]): string {
  const lots = Math.ceil(itemCount / itemsPerLot);
  const lot = rng.int(lots);
  const inLot = Math.min(itemsPerLot, itemCount - lot * itemsPerLot);
  const lotId = `L${String(lot + 1).padStart(5, '0')}`;
  return `/01/${gtins[lot % 3]}/21/${lotId}${String(rng.int(inLot) + 1).padStart(4, '0')}`;
}

const scenarios = [
  { name: 'resolver (link set)', headers: { accept: 'application/linkset+json' } },
  { name: 'consumer page (HTML)', headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9' } },
  {
    name: 'consumer page (phone, gzip)',
    headers: { accept: 'text/html', 'accept-language': 'zh-CN,zh;q=0.9', 'accept-encoding': browserEncoding },
  },
];

async function run(url: string, pid: number, headers: Record<string, string>, gtins: string[]) {
  const rng = new SeededRng(42);
  const request: AutocannonRequest = {
    method: 'GET',
    headers,
    setupRequest: (req) => ({ ...req, path: randomItemPath(rng, gtins) }),
  };
  await autocannon({ url, connections: Math.min(50, connections), duration: warmupS, requests: [request] });
  const cpuBefore = cpuSecondsOf(pid);
  const r = await autocannon({ url, connections, duration: durationS, requests: [request] });
  const cpuAfter = cpuSecondsOf(pid);
  return {
    // Load-independent: the server's own CPU time per answered request (one server process).
    serverCpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || r.requests.total === 0 || workers !== 1
        ? null
        : Math.round(((cpuAfter - cpuBefore) * 1e6) / r.requests.total) / 1000,
    requestsPerSecond: Math.round(r.requests.average),
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

async function runVariant(variant: string, gtins: string[]) {
  const { child, url, pid } = await startServer(variant === 'cached');
  try {
    const rows = [];
    for (const s of scenarios) {
      const loadAverage1mBefore = loadavg()[0] ?? 0;
      rows.push({
        variant,
        scenario: s.name,
        connections,
        durationS,
        loadAverage1mBefore,
        ...(await run(url, pid, s.headers, gtins)),
      });
      console.error(`web bench: ${variant} · ${s.name} done`);
    }
    return rows;
  } finally {
    child.kill('SIGTERM');
  }
}

const date = new Date().toISOString();
const loadAverageBefore = loadavg();
const { demoGtin } = await import('@suyuan/cloud/web/fixture/demo-parties');
const gtins = ['00001', '00002', '00003'].map(demoGtin);
const results = [];
for (const variant of variants) results.push(...(await runVariant(variant, gtins)));
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
  workers,
  warmupS,
  results,
};
const file = values.out ?? join(repoRoot, 'test/bench/results', `web-${date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(renderReport(report));
console.log(`results: ${file}`);
