import { describe, expect, it } from 'vitest';
import { renderReport } from './edge-report.ts';

const row = (target: number, acked: number, rssMean: number) => ({
  targetReadingsPerSecond: target,
  ackedReadingsPerSecond: acked,
  ackedMessagesPerSecond: acked / 20,
  rssIdleMb: 96,
  rssMeanMb: rssMean,
  rssMaxMb: rssMean + 10,
  gatewayCpuShare: 0.6,
  readingsPerGatewayCpuSecond: 30_000,
});

const result = (compiledRss: number) => ({
  bench: 'edge',
  date: '2026-11-24T12:00:00.000Z',
  node: 'v20.20.2',
  cpuModel: 'test cpu',
  cores: 2,
  loadAverageBefore: [1, 1, 1],
  quick: false,
  ingest: { readingsPerMessage: 20, devices: 20, nodeFlags: ['--max-old-space-size=96'] },
  compiled: [
    { ...row(10_000, 10_010, compiledRss), rssAnonAtMaxMb: 80, rssFileAtMaxMb: 47 },
    row(20_000, 19_990, compiledRss),
  ],
  tsx: [row(10_000, 10_000, 160)],
  cluster: {
    replicas: 4,
    commitPollDelayMs: 250,
    steps: [
      {
        targetReadingsPerSecond: 1000,
        publishedReadings: 4000,
        committedReadings: 3990,
        latencyMsP50: 900,
        latencyMsP99: 1800,
        latencyMsMax: 2000,
        submissions: 40,
        ingestMsP50: 20,
        uploadMsP50: 850,
      },
    ],
  },
});

describe('bench:edge report', () => {
  it('renders tables, the goal verdict, ratios and the cluster latencies', () => {
    const met = renderReport(result(124));
    expect(met).toContain('**met**');
    expect(met).toContain('| 10,000 | 10,010 |');
    expect(met).toContain('mean RSS 124 vs 160 MB (0.78×)');
    expect(met).toContain('| 1,000 | 4,000 | 3,990 | 900 | 1800 | 2000 | 40 | 20 | 850 |');
    expect(met).toContain('10 published readings had no verified receipt');
    expect(met).toContain('At 10,000/s the highest RSS sample was 80 MB anonymous');
    expect(met).not.toContain('At 20,000/s the highest RSS sample');
    expect(renderReport(result(155))).toContain('**not met**');
  });

  it('refuses a result of another shape with a clear error', () => {
    expect(() => renderReport({ bench: 'web' })).toThrow(/not a bench 'edge'/);
    const broken = { ...result(120), compiled: [{ targetReadingsPerSecond: 1 }] };
    expect(() => renderReport(broken)).toThrow(/compiled\[0\]\.ackedReadingsPerSecond must be a number/);
  });
});
