import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLedger, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { GatewayProcess, setUpGateway } from '../edge/gateway-process.ts';
import { ackedCount, cpuMs, rssMb, rssParts } from './edge-proc.ts';

/**
 * One ingest step of `pnpm bench:edge`: a gateway daemon in its own process, simulated sensor nodes in
 * this one publishing QoS 1 at a target reading rate; the cloud answers 503, so the uploader idles in
 * backoff and the figure is the ingest path's own (validate, dedupe, sign, commit before PUBACK).
 */
export interface IngestStep {
  targetReadingsPerSecond: number;
  readingsPerMessage: number;
  ackedReadingsPerSecond: number;
  ackedMessagesPerSecond: number;
  ackedReadings: number;
  windowMs: number;
  rssMeanMb: number;
  rssMaxMb: number;
  rssIdleMb: number;
  /** At the sample with the highest RSS: anonymous memory (heap, malloc) and mapped files (binary, libs). */
  rssAnonAtMaxMb: number;
  rssFileAtMaxMb: number;
  /** Cores' worth of CPU the gateway got in the window (1 = one full core). */
  gatewayCpuShare: number;
  /** Acked readings per second of gateway CPU: the rate one dedicated core would sustain. */
  readingsPerGatewayCpuSecond: number;
}

export interface IngestOptions {
  durationMs: number;
  warmupMs: number;
  devices: number;
  /** Node flags for the gateway process (V8 heap sizes). */
  nodeFlags: readonly string[];
  /** The compiled CLI to run with plain node; TS source under tsx when undefined. */
  compiledCli: string | undefined;
}

const samplePeriodMs = 250;

export async function measureIngest(rate: number, perMessage: number, o: IngestOptions): Promise<IngestStep> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
  const ledger = new FakeLedger();
  const cloud = await startFakeReplica(ledger, 'down');
  const rng = new SeededRng(rate);
  const kinds = ['soil', 'air', 'light', 'coldChain'] as const;
  const nodes = Array.from(
    { length: o.devices },
    (_, i) =>
      new SensorNode({ deviceId: `bench-${i}`, kind: kinds[i % 4]!, startMs: Date.now(), rng: rng.fork() }),
  );
  const setup = await setUpGateway(
    dir,
    { urls: [cloud.url], replicaPublicKeys: ledger.replicaPublicKeys },
    nodes.map((n) => n.deviceId),
    { outbox: { retryDelayMsBase: 1000, retryDelayMsMax: 60_000 } },
  );
  const gateway = new GatewayProcess(setup.configPath, o.nodeFlags, o.compiledCli);
  await gateway.start();
  const devices = devicesFor(nodes, `mqtt://127.0.0.1:${setup.port}`, setup.credentials);
  try {
    // Connecting checks the devices' scrypt hashes; that is not the ingest path, so the clock starts after it.
    await Promise.all([...devices.values()].map((d) => d.connected()));
    const pid = gateway.pid!;
    const idleRssMb = rssMb(pid);
    const rss: number[] = [];
    let atMax = { total: 0, anon: 0, file: 0 };
    const now = () => ({ t: Date.now(), acked: ackedCount(devices), cpu: cpuMs(pid) });
    let windowStart = { t: 0, acked: 0, cpu: 0 };
    let windowEnd = { t: 0, acked: 0, cpu: 0 };
    const started = Date.now();
    const sampler = setInterval(() => {
      if (gateway.exited) return;
      const elapsed = Date.now() - started;
      if (elapsed >= o.warmupMs && windowStart.t === 0) windowStart = now();
      if (elapsed >= o.warmupMs && elapsed <= o.durationMs) {
        const parts = rssParts(pid);
        rss.push(parts.total);
        if (parts.total > atMax.total) atMax = parts;
        windowEnd = now();
      }
    }, samplePeriodMs);
    await runLoad(nodes, devices, {
      readingsPerSecond: rate,
      durationMs: o.durationMs,
      readingsPerMessage: perMessage,
      inFlightPerDeviceMax: 64,
      drainMsMax: 10_000,
    });
    clearInterval(sampler);
    if (gateway.exited) throw new Error(`gateway died during the run: ${gateway.stderr}`);
    const windowMs = Math.max(1, windowEnd.t - windowStart.t);
    const acked = windowEnd.acked - windowStart.acked;
    const cpu = Math.max(1, windowEnd.cpu - windowStart.cpu);
    return {
      targetReadingsPerSecond: rate,
      readingsPerMessage: perMessage,
      ackedReadingsPerSecond: Math.round((acked * 1000) / windowMs),
      ackedMessagesPerSecond: Math.round((acked / Math.max(1, perMessage)) * (1000 / windowMs)),
      ackedReadings: acked,
      windowMs,
      rssMeanMb: Math.round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)),
      rssMaxMb: Math.round(Math.max(0, ...rss)),
      rssIdleMb: Math.round(idleRssMb),
      rssAnonAtMaxMb: Math.round(atMax.anon),
      rssFileAtMaxMb: Math.round(atMax.file),
      gatewayCpuShare: Math.round((cpu / windowMs) * 100) / 100,
      readingsPerGatewayCpuSecond: Math.round((acked * 1000) / cpu),
    };
  } finally {
    await Promise.all([...devices.values()].map((d) => d.close()));
    await gateway.stop();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
