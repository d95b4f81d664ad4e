import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '@suyuan/edge/gateway/config';
import { Gateway } from '@suyuan/edge/gateway/gateway';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import type { MqttDevice } from '@suyuan/firmware-sim/mqtt/mqtt-device';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayProcess, setUpGateway } from './gateway-process.ts';

/**
 * The edge's central promise, tested against the real daemon: every reading the broker acknowledged
 * (PUBACKs counted on the publishing side) reaches the cloud exactly once, although the gateway is
 * killed with SIGKILL at seeded random moments under load, the cloud is unreachable for a while,
 * and the outbox fills up and refuses readings.
 */
const DEVICE_SEQ_LIMIT = 2 ** 32;
const kinds = ['soil', 'air', 'light', 'coldChain'] as const;

let dir: string;
let ledger: FakeLedger;
let replica: FakeReplica;
let gatewayProcess: GatewayProcess | null = null;
let devices: Map<string, MqttDevice> = new Map();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crash-'));
  ledger = new FakeLedger();
  replica = await startFakeReplica(ledger);
});

afterEach(async () => {
  await Promise.all([...devices.values()].map((d) => d.close()));
  devices = new Map();
  await gatewayProcess?.kill();
  await replica.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function nodes(count: number, rng: SeededRng): SensorNode[] {
  return Array.from(
    { length: count },
    (_, i) =>
      new SensorNode({
        deviceId: `node-${i}`,
        kind: kinds[i % kinds.length]!,
        startMs: Date.now(),
        rng: rng.fork(),
      }),
  );
}

function ackedKeys(): string[] {
  return [...devices.values()].flatMap((d) =>
    d.acked.map((a) => `${a.deviceId}#${(a.boot ?? 0) * DEVICE_SEQ_LIMIT + a.seq}`),
  );
}

async function start(extra: Record<string, unknown> = {}, nodeCount = 6, seed = 11) {
  const rng = new SeededRng(seed);
  const sensorNodes = nodes(nodeCount, rng);
  const setup = await setUpGateway(
    dir,
    { urls: [replica.url], replicaPublicKeys: ledger.replicaPublicKeys },
    sensorNodes.map((n) => n.deviceId),
    extra,
  );
  gatewayProcess = new GatewayProcess(setup.configPath);
  await gatewayProcess.start();
  devices = devicesFor(sensorNodes, `mqtt://127.0.0.1:${setup.port}`, setup.credentials);
  return { rng, sensorNodes, setup };
}

/** Kills and restarts the gateway `times` times at seeded moments; `during(i)` runs while it is down. */
async function crashRepeatedly(rng: SeededRng, times: number, during: (i: number) => void = () => {}) {
  for (let i = 0; i < times; i++) {
    // The delay is the stimulus (when the crash happens), not a wait for a result.
    await new Promise((resolve) => setTimeout(resolve, 250 + rng.int(700)));
    await gatewayProcess!.kill();
    during(i);
    await gatewayProcess!.start();
  }
}

async function expectExactlyOnce(configPath: string, key: Parameters<typeof Gateway.open>[1]['key']) {
  await waitFor(
    () => [...devices.values()].every((d) => d.inFlight === 0),
    'every publish acknowledged',
    60_000,
  );
  const acked = new Set(ackedKeys());
  try {
    await waitFor(
      () => [...acked].every((k) => ledger.readingCounts.has(k)),
      'acked readings committed',
      30_000,
    );
  } catch (error) {
    // Say what is missing and what the daemon's outbox holds, so a failure explains itself.
    const missing = [...acked].filter((k) => !ledger.readingCounts.has(k));
    const g = Gateway.open(loadGatewayConfig(configPath), { key, rng: new SeededRng(1) });
    const detail = JSON.stringify({
      missing: missing.slice(0, 5),
      stats: g.outbox.stats(),
      dead: g.outbox.deadLetters(3),
    });
    await g.stop();
    throw new Error(`${(error as Error).message}: ${detail}; daemon stderr: ${gatewayProcess!.stderr}`);
  }
  expect(ledger.duplicates()).toEqual([]);
  expect(new Set(ledger.readingCounts.keys())).toEqual(acked);
  // The daemon still holds receipts to fetch; watch its outbox (a second reader on the WAL file) drain.
  const gateway = Gateway.open(loadGatewayConfig(configPath), { key, rng: new SeededRng(1) });
  try {
    await waitFor(
      () => {
        const s = gateway.outbox.stats();
        return s.pending + s.accepted === 0;
      },
      'outbox drained',
      30_000,
    );
    return { acked: acked.size, stats: gateway.outbox.stats() };
  } finally {
    await gateway.stop();
    await gatewayProcess!.stop();
  }
}

describe('gateway crash safety', () => {
  it('loses and duplicates nothing acknowledged across repeated kill -9 under load', async () => {
    const { rng, sensorNodes, setup } = await start();
    const load = runLoad(sensorNodes, devices, {
      readingsPerSecond: 1500,
      durationMs: 4000,
      readingsPerMessage: 8,
      inFlightPerDeviceMax: 20,
      drainMsMax: 30_000,
    });
    await crashRepeatedly(rng, 4);
    const run = await load;
    const { acked, stats } = await expectExactlyOnce(setup.configPath, setup.key);
    expect(gatewayProcess!.starts).toBe(5);
    expect(run.readings).toBeGreaterThan(200); // the stimulus happened, even on a starved machine
    expect(acked).toBe(run.readings);
    expect(stats.committed).toBeGreaterThan(0);
    expect(stats.dead).toBe(0);
  }, 120_000);

  it('drains the backlog once an unreachable cloud returns, across crashes', async () => {
    const { rng, sensorNodes, setup } = await start({}, 4, 12);
    replica.behaviour = 'down';
    const load = runLoad(sensorNodes, devices, {
      readingsPerSecond: 800,
      durationMs: 3000,
      readingsPerMessage: 4,
      inFlightPerDeviceMax: 20,
      drainMsMax: 30_000,
    });
    await crashRepeatedly(rng, 2);
    const run = await load;
    expect(ledger.readingCounts.size).toBe(0);
    replica.behaviour = 'honest';
    const { acked } = await expectExactlyOnce(setup.configPath, setup.key);
    expect(acked).toBe(run.readings);
    expect(replica.requests).toBeGreaterThan(0);
  }, 120_000);

  it('refuses readings while the outbox is full, and the devices retransmit them later', async () => {
    const { rng, sensorNodes, setup } = await start(
      {
        outbox: {
          pendingBytesMax: 8_000,
          retryDelayMsBase: 50,
          retryDelayMsMax: 300,
          commitPollDelayMs: 20,
        },
      },
      4,
      13,
    );
    replica.behaviour = 'down';
    const load = runLoad(sensorNodes, devices, {
      readingsPerSecond: 600,
      durationMs: 2500,
      readingsPerMessage: 4,
      inFlightPerDeviceMax: 10,
      drainMsMax: 1,
    });
    await crashRepeatedly(rng, 1);
    const run = await load;
    const waiting = [...devices.values()].reduce((n, d) => n + d.inFlight, 0);
    expect(waiting).toBeGreaterThan(0); // refused while full: not acknowledged yet
    // Watch the daemon's outbox (a second reader on its WAL file) until it has refused something.
    const observer = Gateway.open(loadGatewayConfig(setup.configPath), {
      key: setup.key,
      rng: new SeededRng(2),
    });
    try {
      await waitFor(
        () => observer.outbox.stats().refused > 0,
        'a refusal under the full policy',
        30_000,
      ).catch((error: unknown) => {
        const detail = JSON.stringify({
          outbox: observer.outbox.stats(),
          devices: observer.ingestStore.devices(),
        });
        throw new Error(`${(error as Error).message}: ${detail}`);
      });
      expect(observer.outbox.stats().pendingBytes).toBeLessThanOrEqual(8_000);
    } finally {
      await observer.stop();
    }
    replica.behaviour = 'honest';
    const { acked } = await expectExactlyOnce(setup.configPath, setup.key);
    expect(acked).toBe(run.readings);
  }, 120_000);
});
