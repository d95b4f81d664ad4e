import type { Payload } from '@suyuan/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerApi } from '../api/ledger-api.ts';
import { DeviceReadings } from './device-readings.ts';
import { migrate } from './schema.ts';
import { type Actor, actor, type LedgerFixture, ledgerFixture, register, submitBody, T0 } from './testing.ts';

/** The device → reading-batches index: one row per (device, batch), queried by time window. */

let fx: LedgerFixture;
let gateway: Actor;

const bind = (deviceId: string): Payload => ({
  kind: 'registry',
  action: { type: 'bindDevice', deviceId, gateway: gateway.key.keyId },
});
const reading = (deviceId: string, seq: number, time: number): Payload => ({
  kind: 'reading',
  reading: { deviceId, seq, time, type: 'Temperature', value: seq, uom: 'CEL' },
});

beforeEach(() => {
  fx = ledgerFixture();
  gateway = actor('farm-gw');
  expect(fx.run(submitBody(fx.admin, [register(gateway, ['farm'])], T0))?.status).toBe('committed');
  expect(fx.run(submitBody(gateway, [bind('probe-1'), bind('probe-2')], T0))?.status).toBe('committed');
  // Three batches a minute apart, each with 5 readings of probe-1 (10 s apart) and one of probe-2.
  for (let b = 0; b < 3; b++) {
    const base = T0 + b * 60_000;
    const payloads = [0, 1, 2, 3, 4].map((i) => reading('probe-1', b * 5 + i + 1, base + i * 10_000));
    payloads.push(reading('probe-2', b + 1, base));
    expect(fx.run(submitBody(gateway, payloads, base + 40_000))?.status).toBe('committed');
  }
});
afterEach(() => fx.cleanup());

describe('device readings index', () => {
  it('keeps one row per device and batch with its time range', () => {
    const rows = fx.machine.db
      .prepare('SELECT device_id, t_min, t_max, count FROM device_readings ORDER BY device_id, t_max')
      .all();
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ device_id: 'probe-1', t_min: T0, t_max: T0 + 40_000, count: 5 });
  });

  it('answers a time window with exactly the readings in it, oldest first', () => {
    const index = new DeviceReadings(fx.machine.db, fx.machine.chains);
    const page = index.readings('probe-1', T0 + 30_000, T0 + 70_000, 100);
    expect(page.readings.map((r) => r.seq)).toEqual([4, 5, 6, 7]);
    expect(page.batches.map((b) => b.height)).toEqual([2, 1]);
    expect(page.truncated).toBe(false);
    const newest = index.readings('probe-1', 0, Number.MAX_SAFE_INTEGER, 3);
    expect(newest.readings.map((r) => r.seq)).toEqual([13, 14, 15]);
    expect(newest.truncated).toBe(true);
    expect(index.readings('probe-3', 0, Number.MAX_SAFE_INTEGER, 10).readings).toEqual([]);
  });

  it('is served at /v1/devices/{id}/readings with clear 400s', async () => {
    const api = createLedgerApi({
      machine: fx.machine,
      propose: () => 'accepted',
      replicaPublicKeys: fx.orderer.replicaPublicKeys,
    });
    const res = await api.request(`/v1/devices/probe-2/readings?from=${T0}&to=${T0 + 60_000}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { readings: { seq: number }[] };
    expect(body.readings.map((r) => r.seq)).toEqual([1, 2]);
    expect((await api.request('/v1/devices/bad%20id/readings')).status).toBe(400);
    expect((await api.request(`/v1/devices/probe-2/readings?from=${T0 + 5}&to=${T0}`)).status).toBe(400);
    expect((await api.request('/v1/devices/probe-2/readings?limit=0')).status).toBe(400);
  });

  it('is back-filled from the telemetry chain when a ledger migrates to it', () => {
    const db = fx.machine.db;
    const before = db.prepare('SELECT * FROM device_readings ORDER BY device_id, t_max').all();
    db.exec('DROP TABLE device_readings; UPDATE ledger_schema SET version = 1');
    migrate(db);
    expect(db.prepare('SELECT * FROM device_readings ORDER BY device_id, t_max').all()).toEqual(before);
  });
});
