import { describe, expect, it } from 'vitest';
import { chartsOf } from './groups/charts.ts';
import type { MeasuredConstants } from './groups/constants.ts';
import { simPoint } from './groups/experiments.ts';
import type { GroupsResult } from './groups/result.ts';
import { scalePoint } from './groups/scale.ts';
import { renderReport } from './groups-report.ts';

const constants: MeasuredConstants = {
  signPerS: 20_000,
  verifyPerS: 10_000,
  signUs: 50,
  verifyUs: 100,
  encodeUs: { prePrepare: 40, prepare: 5, other: 6 },
  receiveUs: { prePrepare: 60, prepare: 20, other: 22 },
  stepUs: 15,
  proposeUsPerRequest: 10,
  allInPerMessageUs: 150,
  calibration: { n: 16, batches: 2, messages: 1440, signs: 94, verifies: 885, cpuMs: 200 },
  loopback: { roundTrips: 500, rttUsP50: 50, rttUsP99: 200, oneWayUs: 25 },
};
const sizes = { flat: 2, perGroup: 1 };

function fixture(real: GroupsResult['real']): GroupsResult {
  const sweep = [1, 2, 4, 5].map((g) => simPoint(16, g, constants, sizes));
  return {
    benchmark: 'groups',
    version: 1,
    date: '2026-11-24T12:00:00.000Z',
    quick: true,
    machine: { node: 'v20', cpu: 'test cpu', cores: 2, loadAverage1mAtStart: 0.5, loadAverage1mAtEnd: 0.7 },
    workload: { requestsPerBatch: 32, requestBytes: 256, loadedBatches: sizes, tickMs: 10 },
    constants,
    sweep: { n: 16, points: sweep },
    scale: [scalePoint(16, constants, sizes, sweep)],
    real,
    durationMs: 1234,
  };
}

describe('groups bench report', () => {
  it('refuses a result of the wrong shape, naming the field', () => {
    expect(() => renderReport({})).toThrow(/benchmark/);
    const bad = JSON.parse(
      JSON.stringify(fixture({ n: 16, offeredPerS: 1000, requestsPerCall: 16, skipped: 'x' })),
    );
    bad.sweep.points[0].loaded.messages = 'many';
    expect(() => renderReport(bad)).toThrow(/sweep\.points\.0\.loaded\.messages/);
  });

  it('renders the tables, the refused layout and both goal lines from real numbers', () => {
    const runs = [
      {
        n: 16,
        g: 1,
        ran: true as const,
        startMs: 5000,
        offeredPerS: 1000,
        sent: 10_000,
        skippedInflightFull: 0,
        committed: 4000,
        failed: 0,
        committedPerS: 400,
        latencyMsP50: 50,
        latencyMsP99: 90,
        latencyMsMax: 100,
      },
      { n: 16, g: 2, ran: false as const, reason: 'layout rule' },
      {
        n: 16,
        g: 4,
        ran: true as const,
        startMs: 5000,
        offeredPerS: 1000,
        sent: 10_000,
        skippedInflightFull: 0,
        committed: 7000,
        failed: 0,
        committedPerS: 700,
        latencyMsP50: 40,
        latencyMsP99: 80,
        latencyMsMax: 90,
      },
    ];
    const md = renderReport(fixture({ n: 16, offeredPerS: 1000, requestsPerCall: 16, runs }));
    expect(md).toContain('| 5 | not a valid layout'); // groups of 3 < 4
    expect(md).toContain('| 2 | 2 × 8 |');
    expect(md).toContain('| 16 | 4 |');
    expect(md).toMatch(
      /real N = 16 grouped commits ≥ 1\.5× flat throughput — \*\*met\*\*: g = 4 700 req\/s vs flat 400 req\/s = 1\.75×/,
    );
    expect(md).toMatch(/at N = 100 the best grouping .* \*\*not shown\*\*/);
    expect(md).not.toContain('lower bound');
    const saturated = runs.map((run) => (run.g === 4 && run.ran ? { ...run, committedPerS: 950 } : run));
    const capped = renderReport(fixture({ n: 16, offeredPerS: 1000, requestsPerCall: 16, runs: saturated }));
    expect(capped).toMatch(/= 2\.38× \(grouped committed ≥ 90% of the 1,000 req\/s offered: .*lower bound/);
  });

  it('says "not shown" when the real runs were skipped', () => {
    const md = renderReport(fixture({ n: 16, offeredPerS: 1000, requestsPerCall: 16, skipped: '--quick' }));
    expect(md).toMatch(/1\.5× flat throughput — \*\*not shown\*\*/);
  });

  it('draws both charts as SVG with a point per valid grouping', () => {
    const charts = chartsOf(fixture({ n: 16, offeredPerS: 1000, requestsPerCall: 16, skipped: '--quick' }));
    expect(charts.map((c) => c.file)).toEqual(['groups-n100.svg', 'groups-advantage.svg']);
    expect(charts[0]!.svg.startsWith('<svg')).toBe(true);
    expect(charts[0]!.svg.match(/<circle/g)?.length).toBe(3 * 3); // g = 1, 2 and 4 (not 5), three series
  });
});
