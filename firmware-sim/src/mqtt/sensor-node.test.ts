import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { SensorNode } from './sensor-node.ts';

const T0 = Date.UTC(2026, 5, 1, 0, 0, 0); // 08:00 in UTC+8
const HOUR = 3_600_000;

function node(kind: 'soil' | 'air' | 'light' | 'coldChain', seed = 1, hasBootCounter = true): SensorNode {
  return new SensorNode({
    deviceId: `${kind}-1`,
    kind,
    startMs: T0,
    rng: new SeededRng(seed),
    hasBootCounter,
  });
}

function series(n: SensorNode, type: string, hours: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < hours; h++) {
    const m = n.sample(T0 + h * HOUR);
    const r = m?.readings.find((x) => x.type === type);
    if (r) out.push(r.value);
  }
  return out;
}

describe('simulated sensor nodes', () => {
  it('replay identically from a seed and differ across seeds', () => {
    expect(series(node('air', 5), 'Temperature', 48)).toEqual(series(node('air', 5), 'Temperature', 48));
    expect(series(node('air', 5), 'Temperature', 48)).not.toEqual(series(node('air', 6), 'Temperature', 48));
  });

  it('follow a daily cycle: air warmest in the afternoon, light zero at night', () => {
    const temps = series(node('air'), 'Temperature', 24); // index = hours after 08:00 local
    expect(temps[6]!).toBeGreaterThan(temps[18]!); // 14:00 vs 02:00
    const lux = series(node('light'), 'Illuminance', 24);
    expect(lux[16]).toBe(0); // 00:00
    expect(lux[4]!).toBeGreaterThan(30_000); // 12:00
    const cold = series(node('coldChain'), 'Temperature', 24);
    expect(Math.min(...cold)).toBeGreaterThan(1);
    expect(Math.max(...cold)).toBeLessThan(8);
  });

  it('numbers readings, resets seq on reboot and bumps the boot counter', () => {
    const n = node('air');
    const a = n.sample(T0)!;
    n.inject({ kind: 'reboot' });
    const b = n.sample(T0 + HOUR)!;
    expect(a.readings.map((r) => r.seq)).toEqual([0, 1]);
    expect([a.boot, b.boot, b.readings[0]?.seq]).toEqual([1, 2, 0]);
    const plain = node('air', 1, false);
    expect(plain.sample(T0)).not.toHaveProperty('boot');
  });

  it('injects stuck values, spikes, dropouts and clock skew', () => {
    const n = node('coldChain');
    n.inject({ kind: 'stuck', untilMs: T0 + 3 * HOUR });
    const stuck = [0, 1, 2].map((h) => n.sample(T0 + h * HOUR)!.readings[0]!.value);
    expect(new Set(stuck).size).toBe(1);
    n.inject({ kind: 'spike', count: 1, magnitude: 500 });
    expect(Math.abs(n.sample(T0 + 4 * HOUR)!.readings[1]!.value)).toBeGreaterThan(300);
    n.inject({ kind: 'dropout', untilMs: T0 + 7 * HOUR });
    expect(n.sample(T0 + 5 * HOUR)).toBeNull();
    const after = n.sample(T0 + 7 * HOUR)!;
    expect(after.readings[0]!.seq).toBe(10); // seqs 8 and 9 were lost in the dropout: a gap
    expect(n.lostToDropout).toBe(2);
    n.inject({ kind: 'skew', offsetMs: HOUR });
    expect(n.sample(T0 + 8 * HOUR)!.readings[0]!.time).toBe(T0 + 9 * HOUR);
  });

  it('sampleInto appends what sample would send, faults included, from the same seed', () => {
    const faults = (n: SensorNode, h: number) => {
      if (h === 2) n.inject({ kind: 'stuck', untilMs: T0 + 5 * HOUR });
      if (h === 6) n.inject({ kind: 'spike', count: 2, magnitude: 50 });
      if (h === 9) n.inject({ kind: 'dropout', untilMs: T0 + 11 * HOUR });
      if (h === 13) n.inject({ kind: 'skew', offsetMs: HOUR });
      if (h === 15) n.inject({ kind: 'reboot' });
    };
    for (const kind of ['soil', 'air', 'light', 'coldChain'] as const) {
      const a = node(kind, 9);
      const b = node(kind, 9);
      const fromSample: unknown[] = [];
      const fromInto: unknown[] = [];
      for (let h = 0; h < 20; h++) {
        faults(a, h);
        faults(b, h);
        const m = a.sample(T0 + h * HOUR);
        if (m) fromSample.push(...m.readings);
        expect(b.sampleInto(T0 + h * HOUR, fromInto as never[])).toBe(m !== null);
      }
      expect(fromInto).toEqual(fromSample);
      expect(b.lostToDropout).toBe(a.lostToDropout);
      expect(fromSample.length).toBeGreaterThan(15);
    }
  });
});
