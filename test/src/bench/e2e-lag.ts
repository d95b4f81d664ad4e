import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '@suyuan/edge/gateway/database';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import type * as NetworkModule from '../e2e/ledger-network.ts';
import type { TelemetryBlock } from '../e2e/ledger-readings.ts';
import { HeightWatcher, percentile } from './e2e-probes.ts';
import { drainInto, type Load, takeAcked } from './e2e-run.ts';

/**
 * `pnpm tsx test/src/bench/e2e-lag.ts [--tree /path/to/checkout] [--rate 250] [--duration-ms 10000]
 *   [--readings-per-message 200] [--fast-poll-ms 10] [--poll-ms 50] [--out file.json]`
 *
 * Where a reading's commit lag goes at a low rate. The same network as `bench:e2e` (4 ledger
 * replicas and one gateway, each its own process, on loopback), started from the source tree
 * `--tree` (default this one; another checkout's processes for a side-by-side run), with a
 * recording HTTP proxy per replica between the gateway and the replicas. Per reading:
 *   publish (the device stamps it) → outbox row (gateway DB created_ms: MQTT, ingest flush, fsync)
 *   → POST sent and answered (proxy) → on replica 0's telemetry chain (polled every --fast-poll-ms)
 *   → the gateway holds its receipt (gateway DB done_ms) ; and when the bench's own --poll-ms
 *   watcher saw it (what `bench:e2e` reports as latency).
 * The proxy adds about a millisecond per exchange; the fast poll costs replica 0 some CPU.
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const { values } = parseArgs({
  options: {
    tree: { type: 'string', default: repoRoot },
    rate: { type: 'string', default: '250' },
    'duration-ms': { type: 'string', default: '10000' },
    'readings-per-message': { type: 'string', default: '200' },
    'fast-poll-ms': { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '50' },
    out: { type: 'string' },
  },
});

interface Exchange {
  kind: 'submit' | 'status' | 'other';
  seq: number | null;
  startMs: number;
  endMs: number;
  httpStatus: number;
  answer: string | null;
}

const hopHeaders = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'content-encoding',
  'keep-alive',
]);

function classify(
  method: string,
  path: string,
  body: Buffer,
  text: string,
): Pick<Exchange, 'kind' | 'seq' | 'answer'> {
  let answer: string | null = null;
  try {
    answer = (JSON.parse(text) as { status?: string }).status ?? null;
  } catch {
    answer = null; // not JSON (an HTML page, an empty answer)
  }
  if (method === 'POST' && path === '/v1/submissions') {
    try {
      const seq = (JSON.parse(body.toString('utf8')) as { submission: { seq: number } }).submission.seq;
      return { kind: 'submit', seq, answer };
    } catch {
      return { kind: 'submit', seq: null, answer };
    }
  }
  const status = /^\/v1\/submissions\/[A-Za-z0-9_-]{43}\/(\d+)/.exec(path);
  if (method === 'GET' && status) return { kind: 'status', seq: Number(status[1]), answer };
  return { kind: 'other', seq: null, answer };
}

/** A forwarding proxy on 127.0.0.1 that records every exchange (answers and headers passed through). */
async function startProxy(target: () => string, log: Exchange[]) {
  const server = createServer(async (req, res) => {
    const startMs = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    try {
      const response = await fetch(target() + path, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      });
      const text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!hopHeaders.has(name)) headers[name] = value;
      });
      res.writeHead(response.status, headers);
      res.end(text);
      log.push({
        ...classify(method, path, body, text),
        startMs,
        endMs: Date.now(),
        httpStatus: response.status,
      });
    } catch (error) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'proxy', message: (error as Error).message } }));
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

interface OutboxRow {
  seq: number;
  created_ms: number;
  done_ms: number | null;
  body: string;
}

async function gatewayRows(dbPath: string, waitMsMax: number): Promise<OutboxRow[]> {
  const db = openDatabase(dbPath); // as `suyuan-edge status` does while the daemon runs
  try {
    const open = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'accepted')`);
    const deadline = Date.now() + waitMsMax;
    while ((open.get() as { n: number }).n > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return db
      .prepare(`SELECT seq, created_ms, done_ms, body FROM outbox WHERE kind = 'readings' ORDER BY seq`)
      .all() as OutboxRow[];
  } finally {
    db.close();
  }
}

/** Sums and counts of the replicas' group-commit and accept → execute histograms (`/metrics`). */
async function replicaTimings(urls: string[]): Promise<Record<string, number>[]> {
  const names = [
    'suyuan_replica_persist_seconds_sum',
    'suyuan_replica_persist_seconds_count',
    'suyuan_replica_commit_latency_seconds_sum',
    'suyuan_replica_commit_latency_seconds_count',
  ];
  return Promise.all(
    urls.map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const out: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const [name, value] = line.split(' ');
        if (name !== undefined && names.includes(name)) out[name] = Number(value);
      }
      return out;
    }),
  );
}

function timingDelta(before: Record<string, number>[], after: Record<string, number>[]) {
  return after.map((a, i) => {
    const b = before[i] ?? {};
    const d = (name: string) => (a[name] ?? 0) - (b[name] ?? 0);
    const persists = d('suyuan_replica_persist_seconds_count');
    const commits = d('suyuan_replica_commit_latency_seconds_count');
    return {
      groupCommits: persists,
      groupCommitMeanMs:
        persists > 0 ? Math.round((d('suyuan_replica_persist_seconds_sum') / persists) * 1e4) / 10 : 0,
      acceptedHere: commits,
      acceptToExecuteMeanMs:
        commits > 0 ? Math.round((d('suyuan_replica_commit_latency_seconds_sum') / commits) * 1e4) / 10 : 0,
    };
  });
}

const stats = (xs: number[]) => {
  const sorted = xs.slice().sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    mean: Math.round(mean * 10) / 10,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
};

async function main(): Promise<void> {
  const tree = resolve(values.tree!);
  const { LedgerNetwork, loopback } = (await import(
    join(tree, 'test/src/e2e/ledger-network.ts')
  )) as typeof NetworkModule;
  const rate = Number(values.rate);
  const readingsPerMessage = Number(values['readings-per-message']);
  const exchanges: Exchange[] = [];
  const targets: string[] = [];
  const proxies = await Promise.all([0, 1, 2, 3].map((i) => startProxy(() => targets[i]!, exchanges)));
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-bench-lag-'));
  const net = await LedgerNetwork.create(dir, loopback, {
    editGateway(config) {
      (config.cloud as Record<string, unknown>).urls = proxies.map((p) => p.url);
      const mqtt = config.mqtt as Record<string, unknown>;
      mqtt.publishRate = { ratePerSecond: 100_000, burst: 100_000, devicesMax: 1000 };
      config.ingest = { readingsPerMessageMax: Math.max(256, readingsPerMessage) };
    },
  });
  proxies.forEach((_, i) => {
    targets[i] = net.url(i);
  });
  const fast = new HeightWatcher(net.url(0), Number(values['fast-poll-ms']));
  const watcher = new HeightWatcher(net.url(0), Number(values['poll-ms']));
  let devices: Load['devices'] = new Map();
  const loadAverageBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  try {
    console.log(`lag: tree ${tree}, ${rate} readings/s, network in ${dir}`);
    await net.startAll();
    const rng = new SeededRng(8);
    const secrets = net.deviceSecrets();
    const nodes = Object.keys(secrets).map(
      (deviceId) => new SensorNode({ deviceId, kind: 'soil', startMs: Date.now(), rng: rng.fork() }),
    );
    devices = devicesFor(nodes, net.mqttUrl, secrets);
    const load: Load = { net, nodes, devices, watcher, readingsPerMessage, inFlightPerDeviceMax: 16 };
    fast.start();
    watcher.start();
    takeAcked(devices);
    const startHeight = await watcher.poll();
    const timingsBefore = await replicaTimings(net.urls);
    await runLoad(nodes, devices, {
      readingsPerSecond: rate,
      durationMs: Number(values['duration-ms']),
      readingsPerMessage,
      inFlightPerDeviceMax: 16,
      drainMsMax: 10_000,
    });
    const acked = takeAcked(devices);
    const blocks: TelemetryBlock[] = [];
    const drained = await drainInto(load, blocks, startHeight, acked.length, 60_000);
    const gatewayConfig = JSON.parse(readFileSync(net.layout.gatewayConfig, 'utf8')) as { dataDir: string };
    const rows = await gatewayRows(
      join(resolve(dirname(net.layout.gatewayConfig), gatewayConfig.dataDir), 'gateway.db'),
      30_000,
    );
    const replicas = timingDelta(timingsBefore, await replicaTimings(net.urls));
    const result = analyse(blocks, rows, exchanges, fast, watcher);
    const out = {
      bench: 'e2e-lag',
      date: new Date().toISOString(),
      tree,
      loadAverageBefore,
      rate,
      readingsPerMessage,
      fastPollMs: Number(values['fast-poll-ms']),
      pollMs: Number(values['poll-ms']),
      acked: acked.length,
      drained,
      replicas,
      ...result,
    };
    console.log(JSON.stringify(out.segments, null, 1));
    console.log(`status GETs per submission: ${JSON.stringify(out.statusGetsPerSubmission)}`);
    console.log(`replicas: ${JSON.stringify(replicas)}`);
    const path = values.out ?? join(tmpdir(), `e2e-lag-${out.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${path}`);
  } finally {
    fast.stop();
    watcher.stop();
    await Promise.all([...devices.values()].map((d) => d.close()));
    await net.stop();
    await Promise.all(proxies.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per reading, the time spent in each step (ms); only readings whose every step was seen. */
function analyse(
  blocks: TelemetryBlock[],
  rows: OutboxRow[],
  exchanges: Exchange[],
  fast: HeightWatcher,
  watcher: HeightWatcher,
) {
  const blockOf = new Map<string, number>();
  for (const b of blocks) for (const r of b.readings) blockOf.set(`${r.deviceId}#${r.seq}`, b.height);
  const posts = new Map<number, Exchange>();
  const statusGets = new Map<number, Exchange[]>();
  for (const e of exchanges) {
    if (e.seq === null) continue;
    if (e.kind === 'submit' && !posts.has(e.seq)) posts.set(e.seq, e);
    if (e.kind === 'status') statusGets.set(e.seq, [...(statusGets.get(e.seq) ?? []), e]);
  }
  const steps: Record<string, number[]> = {
    'publish → outbox row': [],
    'outbox row → POST sent': [],
    'POST sent → answered': [],
    'POST answered → on replica 0 chain': [],
    'on chain → gateway has receipt': [],
    'on chain → bench poll saw it': [],
    'total: publish → on chain': [],
    'total: publish → bench saw (bench:e2e latency)': [],
    'total: publish → gateway has receipt': [],
  };
  const push = (name: string, value: number) => steps[name]!.push(value);
  const getsPerSubmission: number[] = [];
  for (const row of rows) {
    const post = posts.get(row.seq);
    if (!post || row.done_ms === null) continue;
    getsPerSubmission.push(statusGets.get(row.seq)?.length ?? 0);
    const readings = (
      JSON.parse(row.body) as {
        submission: { payloads: { reading: { deviceId: string; seq: number; time: number } }[] };
      }
    ).submission.payloads.map((p) => p.reading);
    for (const r of readings) {
      const height = blockOf.get(`${r.deviceId}#${r.seq}`);
      const onChain = height === undefined ? undefined : fast.firstSeen.get(height);
      const benchSaw = height === undefined ? undefined : watcher.firstSeen.get(height);
      if (onChain === undefined || benchSaw === undefined) continue;
      push('publish → outbox row', row.created_ms - r.time);
      push('outbox row → POST sent', post.startMs - row.created_ms);
      push('POST sent → answered', post.endMs - post.startMs);
      push('POST answered → on replica 0 chain', onChain - post.endMs);
      push('on chain → gateway has receipt', row.done_ms - onChain);
      push('on chain → bench poll saw it', benchSaw - onChain);
      push('total: publish → on chain', onChain - r.time);
      push('total: publish → bench saw (bench:e2e latency)', benchSaw - r.time);
      push('total: publish → gateway has receipt', row.done_ms - r.time);
    }
  }
  return {
    segments: Object.fromEntries(Object.entries(steps).map(([name, xs]) => [name, stats(xs)])),
    statusGetsPerSubmission: stats(getsPerSubmission),
    submissions: getsPerSubmission.length,
  };
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
