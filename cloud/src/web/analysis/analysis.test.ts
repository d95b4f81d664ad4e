import type { Reading } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { cloneAlerts, gapAlerts, phiViolations, rejectionAlerts, sortAlerts } from './alerts.ts';
import { findExcursions } from './excursions.ts';
import { downstream, keyKind, keyLabel, traceGraph } from './trace-graph.ts';

const minute = 60_000;
const temp = (deviceId: string, time: number, value: number): Reading => ({
  deviceId,
  seq: time,
  time,
  type: 'Temperature',
  value,
  uom: 'CEL',
});
const limits = { minC: 0, maxC: 4, excursionMinutesMax: 30 };

describe('findExcursions', () => {
  it('keeps runs outside the range longer than allowed, measured to the first reading back in range', () => {
    const readings = [0, 15, 30, 45, 60, 75].map((m, i) => temp('t1', m * minute, [2, 9, 9.5, 8, 3, 3][i]!));
    expect(findExcursions(readings, limits)).toEqual([
      { deviceId: 't1', from: 15 * minute, to: 60 * minute, minutes: 45, peakC: 9.5 },
    ]);
  });

  it('ignores short runs, other measurement types, and splits by device', () => {
    const short = [temp('t1', 0, 9), temp('t1', 20 * minute, 3)];
    expect(findExcursions(short, limits)).toEqual([]);
    const humidity = { ...temp('t1', 0, 99), type: 'RelativeHumidity' as const, uom: 'P1' };
    expect(findExcursions([humidity, temp('t1', 60 * minute, 3)], limits)).toEqual([]);
    const cold = [temp('t2', 0, -3), temp('t2', 40 * minute, -4), temp('t2', 50 * minute, 1)];
    expect(findExcursions(cold, limits)[0]).toMatchObject({ minutes: 50, peakC: -4 });
  });

  it('converts Fahrenheit before comparing', () => {
    const f = [
      { ...temp('t', 0, 50), uom: 'FAH' },
      { ...temp('t', 45 * minute, 35), uom: 'FAH' },
    ];
    expect(findExcursions(f, limits)).toHaveLength(1);
  });
});

describe('alerts', () => {
  const day = 86_400_000;
  it('flags a harvest inside the pre-harvest interval only', () => {
    const sprays = [{ time: 0, preHarvestIntervalDays: 7, productName: 'X' }];
    expect(phiViolations('lot', sprays, 3 * day)[0]).toMatchObject({
      kind: 'preHarvestInterval',
      subject: 'lot',
    });
    expect(phiViolations('lot', sprays, 7 * day)).toEqual([]);
    expect(phiViolations('lot', sprays, null)).toEqual([]);
  });

  it('classifies rejections, gaps and clones, high severity first', () => {
    const alerts = sortAlerts([
      ...rejectionAlerts([
        { submitter: 's', seq: 1, time: 5, reason: { code: 'state.x', message: 'm' } },
        { submitter: 's', seq: 2, time: 6, reason: { code: 'registry.unknownDevice', message: 'm' } },
      ]),
      ...gapAlerts([{ deviceId: 'd', after: 3, next: 7, time: 9 }]),
      ...cloneAlerts([
        {
          key: 'k',
          firstFlaggedAt: 1,
          reasons: ['tooManyScans'],
          count: 30,
          foreignScans: 0,
          shippedTo: 'CN-SH',
        },
      ]),
    ]);
    expect(alerts.map((a) => a.kind)).toEqual(['unknownDevice', 'suspectedClone', 'sequenceGap', 'rejected']);
    expect(alerts[2]!.message).toContain('4-6'.replace('-', '…'));
  });
});

describe('traceGraph', () => {
  const children: Record<string, string[]> = { lot: ['a', 'b', 'jam'], jam: ['j1'] };
  const parents: Record<string, string[]> = { a: ['lot', 'pallet'], b: ['lot'], jam: ['lot'], j1: ['jam'] };
  const next = (m: Record<string, string[]>) => async (k: string) => m[k] ?? [];

  it('walks backward and forward with depths, each key once', async () => {
    const g = await traceGraph('a', next(parents), next(children));
    expect(g.nodes).toEqual([
      { key: 'a', depth: 0 },
      { key: 'lot', depth: -1 },
      { key: 'pallet', depth: -1 },
    ]);
    const f = await traceGraph('lot', next(parents), next(children));
    expect(f.nodes.map((n) => `${n.key}@${n.depth}`)).toEqual(['lot@0', 'a@1', 'b@1', 'jam@1', 'j1@2']);
    expect(f.edges).toContainEqual({ from: 'jam', to: 'j1' });
  });

  it('stops at the node limit and says so', async () => {
    const g = await traceGraph('lot', next(parents), next(children), 3);
    expect(g.truncated).toBe(true);
    expect(g.nodes).toHaveLength(3);
    expect((await downstream('lot', next(children))).keys).toEqual(['a', 'b', 'jam', 'j1']);
  });

  it('labels identity keys by kind', () => {
    expect(keyKind('https://id.gs1.org/01/06901234000016/21/A1')).toBe('item');
    expect(keyLabel('https://id.gs1.org/01/06901234000016/10/L%2F1')).toBe('lot L/1');
    expect(keyKind('https://id.gs1.org/00/069012340000000012')).toBe('pallet');
  });
});
