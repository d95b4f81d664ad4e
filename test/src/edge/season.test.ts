import type { Gateway } from '@suyuan/edge/gateway/gateway';
import { startTestGateway, tempDir, testConfig, waitFor } from '@suyuan/edge/gateway/test-support';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { exampleSeason, planSeason } from '@suyuan/firmware-sim/scenario/farm-season';
import { runSeason } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * A simulated farm day with frequent faults, through the real broker and ingest into the fake cloud:
 * what the devices got acknowledged is what the ledger holds, and each fault shows up where it should
 * (spikes and forward-skewed clocks in quarantine, reboots as resets, dropouts as gaps).
 */
let dir: ReturnType<typeof tempDir>;
let ledger: FakeLedger;
let replica: FakeReplica;
let gateway: Gateway;

beforeEach(async () => {
  dir = tempDir('season-');
  ledger = new FakeLedger();
  replica = await startFakeReplica(ledger);
  gateway = await startTestGateway(
    testConfig(dir.path, [replica.url], ledger, {
      mqtt: {
        mode: 'embedded',
        host: '127.0.0.1',
        port: 0,
        publishRate: { ratePerSecond: 10_000, burst: 10_000, devicesMax: 100 },
      },
    }),
  );
});

afterEach(async () => {
  await gateway.stop();
  await replica.close();
  dir.remove();
});

describe('a simulated farm season through the gateway', () => {
  it('records every acknowledged reading once and every fault where it belongs', async () => {
    const season = {
      ...exampleSeason(Date.now() - 86_400_000),
      days: 1,
      sampleIntervalMs: 20 * 60_000,
      faultRates: { stuck: 1, spike: 3, dropout: 1, reboot: 1, skew: 1 },
    };
    const credentials: Record<string, string> = {};
    for (const node of planSeason(season, new SeededRng(21).fork())) {
      credentials[node.deviceId] = await gateway.credentials.add(node.deviceId, Date.now());
    }
    const stats = await runSeason(
      season,
      `mqtt://127.0.0.1:${gateway.broker!.port}`,
      credentials,
      new SeededRng(21),
    );
    expect(stats.ackedReadings).toBe(stats.readings);
    expect(stats.faults).toBeGreaterThan(10);
    const devices = gateway.ingestStore.devices();
    const accepted = devices.reduce((n, d) => n + d.accepted, 0);
    const quarantined = devices.reduce((n, d) => n + d.quarantined, 0);
    expect(accepted + quarantined).toBe(stats.readings);
    await waitFor(() => ledger.readingCounts.size === accepted, 'season committed', 30_000);
    expect(ledger.duplicates()).toEqual([]);
    const reasons = new Set(gateway.ingestStore.quarantined(10_000).map((q) => q.reason));
    expect(reasons.has('reading.range')).toBe(true);
    expect(reasons.has('reading.future')).toBe(true);
    expect(devices.some((d) => d.resets > 0)).toBe(true);
    expect(devices.some((d) => d.gaps > 0)).toBe(true);
  }, 60_000);
});
