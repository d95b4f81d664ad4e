import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeLedger, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import type { MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { GatewayProcess, setUpGateway } from '../edge/gateway-process.ts';

/**
 * `pnpm bench:edge`: readings per second one gateway process ingests over MQTT (QoS 1), validates,
 * deduplicates, signs (one Ed25519 signature per reading batch) and commits to its SQLite outbox
 * (WAL, synchronous=FULL) before acknowledging, and its resident memory at that rate. The simulated
 * devices run in this process; the gateway runs alone in its own. The cloud answers 503 so the
 * uploader idles in backoff and the figure is the ingest path's own.
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const resultsDir = join(repoRoot, 'test/bench/results');
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const durationMs = Number(args.get('duration-ms') ?? 8000);
const warmupMs = Number(args.get('warmup-ms') ?? 2000);
const deviceCount = Number(args.get('devices') ?? 20);
const rates = (args.get('rates') ?? '5000,10000,15000,20000').split(',').map(Number);
const readingsPerMessage = Number(args.get('readings-per-message') ?? 20);
/** V8's young generation grows to 3 × 16 MB under allocation-heavy load; docs/edge.md recommends 4 MB. */
const semiSpaceMb = Number(args.get('semi-space-mb') ?? 4);
const extraNodeFlags = (args.get('node-flags') ?? '').split(',').filter(Boolean);

interface Step {
  targetReadingsPerSecond: number;
  readingsPerMessage: number;
  ackedReadingsPerSecond: number;
  ackedMessagesPerSecond: number;
  ackedReadings: number;
  windowMs: number;
  rssMeanMb: number;
  rssMaxMb: number;
  rssIdleMb: number;
  /** Cores' worth of CPU the gateway got in the window (1 = one full core). */
  gatewayCpuShare: number;
  /** Acked readings per second of gateway CPU: the rate one dedicated core would sustain. */
  readingsPerGatewayCpuSecond: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** User + system CPU time of a process in ms (/proc/<pid>/stat fields 14 and 15, 100 ticks/s). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function ackedCount(devices: Map<string, MqttDevice>): number {
  let n = 0;
  for (const d of devices.values()) n += d.acked.length;
  return n;
}

async function measure(rate: number, perMessage: number): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
  const ledger = new FakeLedger();
  const cloud = await startFakeReplica(ledger, 'down');
  const rng = new SeededRng(rate);
  const kinds = ['soil', 'air', 'light', 'coldChain'] as const;
  const nodes = Array.from(
    { length: deviceCount },
    (_, i) =>
      new SensorNode({ deviceId: `bench-${i}`, kind: kinds[i % 4]!, startMs: Date.now(), rng: rng.fork() }),
  );
  const setup = await setUpGateway(
    dir,
    { urls: [cloud.url], replicaPublicKeys: ledger.replicaPublicKeys },
    nodes.map((n) => n.deviceId),
    {
      outbox: { retryDelayMsBase: 1000, retryDelayMsMax: 60_000 },
    },
  );
  const gateway = new GatewayProcess(
    setup.configPath,
    semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`] : [],
  );
  await gateway.start();
  const devices = devicesFor(nodes, `mqtt://127.0.0.1:${setup.port}`, setup.credentials);
  // Connecting checks 20 scrypt hashes; that is not the ingest path, so the clock starts after it.
  await Promise.all([...devices.values()].map((d) => d.connected()));
  const idleRssMb = rssMb(gateway.pid!);
  const rss: number[] = [];
  let windowStart = { t: 0, acked: 0, cpu: 0 };
  let windowEnd = { t: 0, acked: 0, cpu: 0 };
  const sampler = setInterval(() => {
    if (gateway.pid === undefined || gateway.exited) return;
    const elapsed = Date.now() - started;
    const now = () => ({ t: Date.now(), acked: ackedCount(devices), cpu: cpuMs(gateway.pid!) });
    if (elapsed >= warmupMs && windowStart.t === 0) windowStart = now();
    if (elapsed >= warmupMs && elapsed <= durationMs) {
      rss.push(rssMb(gateway.pid!));
      windowEnd = now();
    }
  }, 250);
  const started = Date.now();
  await runLoad(nodes, devices, {
    readingsPerSecond: rate,
    durationMs,
    readingsPerMessage: perMessage,
    inFlightPerDeviceMax: 64,
    drainMsMax: 10_000,
  });
  clearInterval(sampler);
  if (gateway.exited) throw new Error(`gateway died during the run: ${gateway.stderr}`);
  await Promise.all([...devices.values()].map((d) => d.close()));
  await gateway.stop();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
  const windowMs = windowEnd.t - windowStart.t;
  const acked = windowEnd.acked - windowStart.acked;
  const messages = (acked / Math.max(1, perMessage)) * (1000 / windowMs);
  return {
    targetReadingsPerSecond: rate,
    readingsPerMessage: perMessage,
    ackedReadingsPerSecond: Math.round((acked * 1000) / windowMs),
    ackedMessagesPerSecond: Math.round(messages),
    ackedReadings: acked,
    windowMs,
    rssMeanMb: Math.round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)),
    rssMaxMb: Math.round(Math.max(0, ...rss)),
    rssIdleMb: Math.round(idleRssMb),
    gatewayCpuShare: Math.round(((windowEnd.cpu - windowStart.cpu) / windowMs) * 100) / 100,
    readingsPerGatewayCpuSecond: Math.round((acked * 1000) / Math.max(1, windowEnd.cpu - windowStart.cpu)),
  };
}

async function main(): Promise<void> {
  const steps: Step[] = [];
  for (const rate of rates) {
    const step = await measure(rate, readingsPerMessage);
    steps.push(step);
    console.log(JSON.stringify(step));
  }
  const result = {
    bench: 'edge-ingest',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    devices: deviceCount,
    semiSpaceMb,
    extraNodeFlags,
    loadAverage: loadavg(),
    durationMs,
    warmupMs,
    steps,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `edge-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\n| target readings/s | readings/message | acked readings/s | acked messages/s | RSS idle MB | RSS mean MB | RSS max MB | gateway CPU share | readings per gateway CPU-second |`,
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of steps) {
    console.log(
      `| ${s.targetReadingsPerSecond} | ${s.readingsPerMessage} | ${s.ackedReadingsPerSecond} | ${s.ackedMessagesPerSecond} | ${s.rssIdleMb} | ${s.rssMeanMb} | ${s.rssMaxMb} | ${s.gatewayCpuShare} | ${s.readingsPerGatewayCpuSecond} |`,
    );
  }
  console.log(`\nwrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
