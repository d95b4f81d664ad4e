import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { LedgerNetwork, loopback } from '../e2e/ledger-network.ts';
import { HeightWatcher } from './e2e-probes.ts';
import { type Load, runStep, type StepResult } from './e2e-run.ts';
import { runSoak, type SoakResult } from './e2e-soak.ts';

/**
 * `pnpm bench:e2e [--quick] [--rates 10000,25000,50000] [--duration-ms 10000] [--readings-per-message 200]
 *   [--soak --minutes 30 --soak-rate 10000 --sample-ms 10000] [--cpu-prof dir] [--out file.json]`
 *
 * Sensor readings per second from MQTT publish to committed in the ledger: 4 ledger replicas and one
 * gateway (each its own process, on loopback, set up exactly as `pnpm start` does), the simulated
 * devices in this process publishing QoS 1 batches. Per rate: readings acknowledged and committed per
 * second, publish → commit latency p50/p90/p99 (commit = first seen on replica 0's telemetry chain,
 * polled every --poll-ms), acknowledged readings missing or duplicated on the chain, and each
 * process's CPU share (what bounds the rate). Goal: ≥ 50,000 readings/s committed.
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rates: { type: 'string' },
    'duration-ms': { type: 'string' },
    'readings-per-message': { type: 'string', default: '200' },
    'in-flight': { type: 'string', default: '16' },
    'poll-ms': { type: 'string', default: '50' },
    'drain-ms': { type: 'string', default: '60000' },
    soak: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '30' },
    'soak-rate': { type: 'string', default: '10000' },
    'sample-ms': { type: 'string' },
    /** Directory for V8 CPU profiles of every child process (written on their graceful stop). */
    'cpu-prof': { type: 'string' },
  },
});
const quick = values.quick === true;
const rates = (values.rates ?? (quick ? '2000' : '10000,25000,50000,75000')).split(',').map(Number);
const durationMs = Number(values['duration-ms'] ?? (quick ? 3000 : 10_000));
const soakMinutes = Math.min(Number(values.minutes), 240);
const sampleMs = Number(values['sample-ms'] ?? (quick ? 2000 : 10_000));
const goalReadingsPerSecond = 50_000;
const deviceKinds = {
  'coop-soil-1': 'soil',
  'coop-air-1': 'air',
  'truck-logger-1': 'coldChain',
  'coop-probe-1': 'soil',
} as const;

export interface E2eResult {
  bench: 'e2e';
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  loadAverageBefore: number[];
  quick: boolean;
  config: {
    replicas: number;
    devices: number;
    readingsPerMessage: number;
    inFlightPerDevice: number;
    pollMs: number;
  };
  goalReadingsPerSecond: number;
  steps: StepResult[];
  soak: SoakResult | null;
}

async function main(): Promise<string> {
  const result: E2eResult = {
    bench: 'e2e',
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverageBefore: loadavg().map((x) => Math.round(x * 100) / 100),
    quick,
    config: {
      replicas: 4,
      devices: 0,
      readingsPerMessage: Number(values['readings-per-message']),
      inFlightPerDevice: Number(values['in-flight']),
      pollMs: Number(values['poll-ms']),
    },
    goalReadingsPerSecond,
    steps: [],
    soak: null,
  };
  const profDir = values['cpu-prof'];
  if (profDir) mkdirSync(profDir, { recursive: true });
  const profFlags = profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`] : [];
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-bench-e2e-'));
  const net = await LedgerNetwork.create(dir, loopback, {
    gatewayNodeFlags: profFlags,
    replicaNodeFlags: profFlags,
    editGateway(config) {
      const mqtt = config.mqtt as Record<string, unknown>;
      mqtt.publishRate = { ratePerSecond: 100_000, burst: 100_000, devicesMax: 1000 };
      config.ingest = { readingsPerMessageMax: Math.max(256, result.config.readingsPerMessage) };
    },
  });
  const watcher = new HeightWatcher(net.url(0), result.config.pollMs);
  let devices: Load['devices'] = new Map();
  try {
    console.log(`e2e bench: starting 4 ledger replicas and a gateway in ${dir}`);
    await net.startAll();
    const rng = new SeededRng(8);
    const secrets = net.deviceSecrets();
    const nodes = Object.keys(secrets).map(
      (deviceId) =>
        new SensorNode({
          deviceId,
          kind: deviceKinds[deviceId as keyof typeof deviceKinds] ?? 'soil',
          startMs: Date.now(),
          rng: rng.fork(),
        }),
    );
    result.config.devices = nodes.length;
    devices = devicesFor(nodes, net.mqttUrl, secrets);
    watcher.start();
    const load: Load = {
      net,
      nodes,
      devices,
      watcher,
      readingsPerMessage: result.config.readingsPerMessage,
      inFlightPerDeviceMax: result.config.inFlightPerDevice,
    };
    if (values.soak) {
      console.log(
        `soak: ${values['soak-rate']} readings/s for ${soakMinutes} min, a sample every ${sampleMs} ms`,
      );
      result.soak = await runSoak(load, Number(values['soak-rate']), soakMinutes, sampleMs);
    } else {
      for (const rate of rates) {
        const step = await runStep(load, rate, durationMs, Number(values['drain-ms']));
        console.log(
          `rate ${rate}/s: acked ${step.ackedReadingsPerSecond}/s, committed ${step.committedReadingsPerSecond}/s, p50 ${step.latencyMs.p50} ms, p99 ${step.latencyMs.p99} ms, lost ${step.lost}, dup ${step.duplicated}, cpu ${JSON.stringify(step.cpuShare)}, µs/reading ${JSON.stringify(step.cpuUsPerReading)} (load generator: load window ${step.loadGeneratorUsPerReading?.loadWindow}, drain ${step.loadGeneratorUsPerReading?.drain}) (cpu bound ${step.cpuBoundReadingsPerSecond}/s), net of idle ${JSON.stringify(step.cpuUsPerReadingNetOfIdle)}, idle cores ${JSON.stringify(step.idleCores)}, minor faults per 1,000 readings ${JSON.stringify(step.minorFaultsPerThousandReadings)}`,
        );
        result.steps.push(step);
      }
    }
  } finally {
    watcher.stop();
    await Promise.all([...devices.values()].map((d) => d.close()));
    await (profDir ? net.terminate(30_000) : net.stop());
    rmSync(dir, { recursive: true, force: true });
  }
  const out =
    values.out ?? join(repoRoot, 'test/bench/results', `e2e-${result.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  return out;
}

main().then(
  (out) => {
    console.log(`wrote ${out}`);
    process.exit(0);
  },
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
