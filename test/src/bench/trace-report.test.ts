import { describe, expect, it } from 'vitest';
import { renderReport } from './trace-report.ts';

const stats = (p50: number, p99: number) => ({ runs: 10, p50, p99, max: p99 });

function row(blocks: number, traceP99: number, cpuP99: number, cpuP50 = 1) {
  return {
    blocks,
    loadAverage1mBefore: 0.4,
    loadAverage1mAfter: 0.6,
    cachedLedger: blocks > 1000,
    buildSeconds: blocks / 2000,
    dbMegabytes: blocks / 650,
    traceEvents: 11,
    traceNodes: 4,
    scanEventsFound: 11,
    indexedTraceMs: stats(1.1, traceP99),
    indexedTraceCpuMs: stats(cpuP50, cpuP99),
    verifyTraceMs: stats(10, 20),
    multiChainScanMs: stats(blocks / 30, blocks / 25),
    singleChainScanMs: stats(blocks / 10, blocks / 9),
  };
}

function result(rows: ReturnType<typeof row>[]) {
  return {
    bench: 'trace',
    date: '2026-11-24T13:00:00.000Z',
    node: 'v20.20.0',
    cpu: 'test cpu',
    cores: 2,
    loadAverageBefore: [0.4, 0.3, 0.2],
    quick: false,
    traceRuns: 500,
    goal: { p99Ms: 5 },
    results: rows,
  };
}

describe('trace report', () => {
  it('renders our table, the source table and ratios, and judges the goal met at 1M blocks', () => {
    const md = renderReport(result([row(1000, 2, 1.5), row(1_000_000, 3, 2.5, 1.2)]));
    expect(md).toContain('| 1,000,000 | 500.0 (cached) |');
    expect(md).toContain('| 10,000 | 1020.56 | 632.88 | 1159.78 | 924.32 |');
    expect(md).toContain('trace with proofs < 5 ms p99 at 1,000,000 blocks — **met**');
    expect(md).toContain('cost independent of ledger length — **met**');
    expect(md).toContain('×1,000 blocks');
  });

  it('says not met, or met in CPU only, or not measured, from the numbers', () => {
    expect(renderReport(result([row(1000, 2, 1), row(1_000_000, 9, 8, 5)]))).toMatch(
      /— \*\*not met\*\*:[^\n]*\n- Goal: cost independent of ledger length — \*\*not met\*\*/,
    );
    expect(renderReport(result([row(1000, 2, 1), row(1_000_000, 14, 4)]))).toContain(
      '**met in CPU time, not met in wall time**',
    );
    // Wall time decides: CPU time can exceed it (parallel GC threads) without the client waiting longer.
    expect(renderReport(result([row(1000, 2, 1), row(1_000_000, 1.8, 5.7)]))).toContain(
      'at 1,000,000 blocks — **met**',
    );
    expect(renderReport(result([row(1000, 2, 1), row(10_000, 2, 1)]))).toContain(
      '**not measured** (largest ledger 10,000 blocks)',
    );
  });

  it('refuses a result of another shape with a clear error', () => {
    expect(() => renderReport({ bench: 'edge' })).toThrow(/bench must be "trace"/);
    const broken = result([row(1000, 2, 1)]);
    (broken.results[0] as Record<string, unknown>)['indexedTraceMs'] = { p50: 1 };
    expect(() => renderReport(broken)).toThrow(/results\[0\]\.indexedTraceMs\.runs/);
  });
});
