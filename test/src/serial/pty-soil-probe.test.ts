import type { SoilProbeOutcome } from '@suyuan/edge/serial/index';
import { SoilProbeDevice } from '@suyuan/firmware-sim/serial/index';
import {
  parseReading,
  SeededRng,
  SOIL_MOISTURE_TYPE,
  SOIL_NITROGEN_TYPE,
  SOIL_PHOSPHORUS_TYPE,
  SOIL_POTASSIUM_TYPE,
} from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PtyHarness, ptyWaitMs } from './pty-harness.ts';
import { waitUntil } from './socat-pair.ts';

/** A simulated Modbus RTU soil probe on one end of a socat pair, the gateway's poller on the other. */

const vectorSoil = {
  moisturePct: 65.2,
  temperatureC: -10.1,
  ecUsPerCm: 1200,
  ph: 6.8,
  nitrogenMgKg: 40,
  phosphorusMgKg: 12,
  potassiumMgKg: 85,
};

const expectedMeasurements = [
  { type: SOIL_MOISTURE_TYPE, value: 65.2, uom: 'P1' },
  { type: 'Temperature', value: -10.1, uom: 'CEL' },
  { type: 'Conductivity', value: 1.2, uom: 'H61' },
  { type: 'pH', value: 6.8, uom: 'C62' },
  { type: SOIL_NITROGEN_TYPE, value: 40, uom: 'NA' },
  { type: SOIL_PHOSPHORUS_TYPE, value: 12, uom: 'NA' },
  { type: SOIL_POTASSIUM_TYPE, value: 85, uom: 'NA' },
];

const count = (outcomes: SoilProbeOutcome[], kind: SoilProbeOutcome['kind']) =>
  outcomes.filter((o) => o.kind === kind).length;

let harness: PtyHarness;
beforeEach(() => {
  harness = new PtyHarness();
});
afterEach(async () => {
  await harness.close();
});

describe('Modbus soil probe over pseudo-terminals', () => {
  it('polls the probe and turns each answer into valid readings', { timeout: 30_000 }, async () => {
    const pair = await harness.socat();
    const device = new SoilProbeDevice({ soil: vectorSoil });
    await harness.device(pair.pathA, device, 1);
    const { probe, outcomes } = harness.soilProbe(pair.pathB);
    await waitUntil(
      () => count(outcomes, 'readings') >= 3,
      ptyWaitMs,
      () => `3 readings, have ${JSON.stringify(outcomes)}`,
    );
    const readings = outcomes.filter((o) => o.kind === 'readings');
    for (const outcome of readings) {
      expect(outcome).toMatchObject({
        deviceId: 'probe-1',
        measurements: expectedMeasurements,
        rejected: [],
      });
      for (const m of outcome.measurements)
        parseReading({ deviceId: 'probe-1', seq: 0, time: outcome.time, ...m });
    }
    expect(count(outcomes, 'timeout')).toBe(0);
    expect(device.requestsAnswered).toBeGreaterThanOrEqual(3);
    expect(probe.stats.poll.requestsSent).toBeGreaterThanOrEqual(3);
  });

  it('on a noisy line retries broken answers and still reads the soil', { timeout: 30_000 }, async () => {
    const pair = await harness.socat();
    const noise = { garbageChance: 0.3, garbageBytesMax: 4, corruptChance: 0.35 };
    const device = new SoilProbeDevice({ driftPerRead: true, rng: new SeededRng(7) });
    await harness.device(pair.pathA, device, 2, noise);
    const { probe, outcomes } = harness.soilProbe(pair.pathB);
    await waitUntil(
      () => count(outcomes, 'readings') >= 5 && probe.stats.poll.retries > 0,
      ptyWaitMs,
      () => `5 readings and a retry, have ${JSON.stringify(probe.stats)}`,
    );
    expect(probe.stats.decoder.checksumErrors).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      if (outcome.kind === 'readings') expect(outcome.measurements).toHaveLength(7);
    }
  });

  it('reports timeouts when nothing answers, and reads again once the probe is back', {
    timeout: 30_000,
  }, async () => {
    let pair = await harness.socat();
    const { probe, outcomes, states } = harness.soilProbe(pair.pathB);
    await waitUntil(
      () => count(outcomes, 'timeout') >= 1,
      ptyWaitMs,
      () => 'a timeout from a silent bus',
    );
    expect(outcomes.find((o) => o.kind === 'timeout')).toMatchObject({ kind: 'timeout', attempts: 3 });

    await pair.stop();
    await waitUntil(
      () => probe.linkState === 'waiting',
      ptyWaitMs,
      () => 'the link to notice the unplug',
    );
    pair = await harness.socat();
    await harness.device(pair.pathA, new SoilProbeDevice({ soil: vectorSoil }), 3);
    await waitUntil(
      () => count(outcomes, 'readings') >= 1,
      ptyWaitMs,
      () => `readings after reopen (${JSON.stringify(states)})`,
    );
    expect(probe.stats.link.opens).toBe(2);
  });
});
