import { describe, expect, it } from 'vitest';
import { renderReport } from './e2e-report.ts';

const step = (target: number, committed: number) => ({
  targetReadingsPerSecond: target,
  ackedReadingsPerSecond: target,
  committedReadingsPerSecond: committed,
  committedInWindowPerSecond: committed,
  latencyMs: { p50: 120, p90: 300, p99: 900, max: 1200 },
  lost: 0,
  duplicated: 0,
  drained: true,
  cpuShareToCommit: { 'replica-0': 0.3, 'replica-1': 0.2, 'replica-2': 0.2, 'replica-3': 0.2, gateway: 0.5 },
  cpuUsPerReading: {
    'replica-0': 30,
    'replica-1': 20,
    'replica-2': 20,
    'replica-3': 20,
    gateway: 50,
    'load-generator': 10,
  },
  cpuBoundReadingsPerSecond: 14_286,
  rssMb: { 'replica-0': 120, gateway: 160 },
});

const trend = (series: string, flat: boolean) => ({
  series,
  unit: 'MB',
  mean: 100,
  slopePerMinute: flat ? 0.1 : 9,
  changeOverRun: flat ? 3 : 270,
  allowed: 20,
  flat,
});

const base = {
  bench: 'e2e',
  date: '2026-11-24T13:00:00.000Z',
  node: 'v20.20.2',
  cpuModel: 'AMD EPYC',
  cores: 2,
  loadAverageBefore: [0.5, 0.4, 0.3],
  quick: false,
  config: { replicas: 4, devices: 4, readingsPerMessage: 200, pollMs: 50 },
  goalReadingsPerSecond: 50_000,
  steps: [step(10_000, 9_800), step(25_000, 12_000)],
  soak: null,
};

describe('e2e bench report', () => {
  it('tables every rate, says the goal is not met, and where the CPU per reading goes', () => {
    const md = renderReport(base);
    expect(md).toContain('| 25,000 | 25,000 | 12,000 |');
    expect(md).toContain('**not met** — best 12,000 readings/s (24% of the goal)');
    expect(md).toContain('gateway 50.0 µs, replicas 90.0 µs together (30.0 / 20.0 / 20.0 / 20.0)');
    expect(md).toContain('at most **14,286 readings/s**');
    expect(md).toContain('the goal needs ≤ 40.0 µs');
    expect(md).toContain('Biggest single process: gateway (50.0 µs)');
    expect(md).toContain('missing from the chain: 0; on the chain twice: 0');
    expect(md).not.toContain('Minor page faults');
  });

  it("reports the busiest step's minor page faults per 1,000 readings when the result has them", () => {
    const faulted = {
      ...step(25_000, 12_000),
      minorFaultsPerThousandReadings: { 'replica-0': 201.4, gateway: 88 },
    };
    const md = renderReport({ ...base, steps: [step(10_000, 9_800), faulted] });
    expect(md).toContain('Minor page faults per 1,000 committed readings');
    expect(md).toContain('replica-0 201.4, gateway 88.0.');
  });

  it('renders the soak trends and says flat only when every series is flat', () => {
    const flat = renderReport({
      ...base,
      steps: [],
      soak: {
        readingsPerSecond: 10_000,
        minutes: 30,
        samples: [{}, {}, {}],
        trends: [trend('rss gateway', true), trend('backlog', true)],
        ackedTotal: 18_000_000,
        committedTotal: 18_000_000,
      },
    });
    expect(flat).toContain('Soak: 10,000 readings/s for 30 min, 3 samples');
    expect(flat).toContain('| rss gateway (MB) | 100 | 0.1 | 3 | ±20 | yes |');
    expect(flat).toContain('(memory, backlog and lag flat): **met**');
    const growing = renderReport({
      ...base,
      steps: [],
      soak: {
        readingsPerSecond: 10_000,
        minutes: 30,
        samples: [],
        trends: [trend('rss gateway', false), trend('backlog', true)],
        ackedTotal: 1,
        committedTotal: 1,
      },
    });
    expect(growing).toContain('| rss gateway (MB) | 100 | 9 | 270 | ±20 | **no** |');
    expect(growing).toContain('**not met**');
  });

  it('marks a quick run and still renders results written before CPU per reading was recorded', () => {
    const old = { ...base, quick: true, steps: [{ ...step(2000, 1900), cpuUsPerReading: undefined }] };
    const md = renderReport(old);
    expect(md).toContain('--quick smoke run, not a measurement');
    expect(md).not.toContain('CPU per committed reading');
  });

  it('refuses what is not an e2e result', () => {
    expect(() => renderReport(null)).toThrow(/not an e2e bench result/);
    expect(() => renderReport({ ...base, bench: 'edge' })).toThrow(/bench is not "e2e"/);
    expect(() => renderReport({ ...base, steps: [{ latencyMs: {} }] })).toThrow(/committedReadingsPerSecond/);
    expect(() => renderReport({ ...base, soak: {} })).toThrow(/soak lacks trends/);
  });
});
