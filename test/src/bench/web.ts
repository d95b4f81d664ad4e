import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '@suyuan/shared';

/**
 * `pnpm bench:web`: latency and throughput of the GS1 Digital Link resolver (link set for API
 * clients) and the consumer page (server-rendered HTML with charts, scan counting on) over an
 * in-memory demo ledger of 100,000 items, with autocannon at 500 connections. The server runs alone
 * in its own process (`cloud/src/web/demo-main.ts`); every request asks for a random item.
 * Options: --items=100000 --connections=500 --duration-s=15 --workers=1 (server processes).
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
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const itemCount = Number(args.get('items') ?? 100_000);
const connections = Number(args.get('connections') ?? 500);
const durationS = Number(args.get('duration-s') ?? 15);
const workers = Number(args.get('workers') ?? 1);
const itemsPerLot = 50;

function startServer(): Promise<{ child: ChildProcess; url: string; gtins: string[] }> {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/tsx'),
    ['cloud/src/web/demo-main.ts', '--items', String(itemCount), '--workers', String(workers)],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`demo server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const info = JSON.parse(line) as { url: string; demoItem: { gtin: string } };
      done({ child, url: info.url, gtins: [] });
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

async function run(url: string, name: string, accept: string, gtins: string[]) {
  const rng = new SeededRng(42);
  const request: AutocannonRequest = {
    method: 'GET',
    headers: { accept, 'accept-language': 'zh-CN,zh;q=0.9' },
    setupRequest: (req) => ({ ...req, path: randomItemPath(rng, gtins) }),
  };
  await autocannon({ url, connections: Math.min(50, connections), duration: 3, requests: [request] });
  const r = await autocannon({ url, connections, duration: durationS, requests: [request] });
  return {
    name,
    connections,
    durationS,
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

const { child, url } = await startServer();
try {
  const { demoGtin } = await import('@suyuan/cloud/web/fixture/demo-parties');
  const gtins = ['00001', '00002', '00003'].map(demoGtin);
  const results = [];
  results.push(await run(url, 'resolver (link set)', 'application/linkset+json', gtins));
  results.push(await run(url, 'consumer page (HTML)', 'text/html', gtins));
  const report = {
    bench: 'web',
    when: new Date().toISOString(),
    itemCount,
    workers,
    cpus: (await import('node:os')).cpus().length,
    results,
  };
  const dir = join(repoRoot, 'test/bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `web-${report.when.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`| scenario | connections | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors |`);
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const r of results) {
    const l = r.latencyMs;
    console.log(
      `| ${r.name} | ${r.connections} | ${r.requestsPerSecond} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} | ${r.non2xx} | ${r.errors} |`,
    );
  }
  console.log(`results: ${file}`);
} finally {
  child.kill('SIGTERM');
}
