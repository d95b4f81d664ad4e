import { describe, expect, it } from 'vitest';
import { renderReport } from './web-report.ts';

const row = (variant: string, mix: string | undefined, scenario: string, p99: number, cpu: number) => ({
  variant,
  ...(mix === undefined ? {} : { mix, repeatShare: 0.25 }),
  scenario,
  connections: 500,
  durationS: 15,
  loadAverage1mBefore: 0.5,
  requestsPerSecond: 10_000 / cpu,
  latencyMs: { p50: p99 / 2, p90: p99 * 0.8, p99, max: p99 * 2, mean: p99 / 2 },
  total: 100_000,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  serverCpuMsPerRequest: cpu,
});

const result = (results: unknown[]) => ({
  bench: 'web',
  date: '2026-11-24T17:00:00.000Z',
  node: 'v20.20.2',
  cpuModel: 'test cpu',
  cores: 2,
  loadAverageBefore: [0.5, 0.5, 0.5],
  quick: false,
  itemCount: 100_000,
  workers: 1,
  results,
});

describe('web bench report', () => {
  it("says what the cores allow when the load generator's CPU was measured", () => {
    const withGenerator = (cpu: number, generator: number) => ({
      ...row('fast', 'uniform', 'resolver (link set)', 90, cpu),
      loadGeneratorCpuMsPerRequest: generator,
    });
    const md = renderReport(result([withGenerator(0.1, 0.1), withGenerator(0.05, 0.05)]));
    expect(md).toContain('need ≥ 10,000 answers/s');
    expect(md).toContain(
      '- uniform, resolver (link set), fast: server 0.1 + load generator 0.1 ms CPU per request → the 2 cores answer at most 10,000 req/s, at or above the 10,000 req/s the goal needs',
    );
    expect(md).toContain(
      'server 0.05 + load generator 0.05 ms CPU per request → the 2 cores answer at most 20,000 req/s, at or above',
    );
    expect(renderReport(result([withGenerator(0.5, 0.3)]))).toContain(
      'at most 2,500 req/s, below the 10,000',
    );
    expect(renderReport(result([row('fast', 'uniform', 'resolver (link set)', 90, 0.1)]))).not.toContain(
      'What the cores allow',
    );
    expect(() =>
      renderReport(result([{ ...withGenerator(0.1, 0.1), loadGeneratorCpuMsPerRequest: 'x' }])),
    ).toThrow('loadGeneratorCpuMsPerRequest is not a number or null');
  });

  it('lists each mix beside the others, judges the goal per row and compares variants', () => {
    const md = renderReport(
      result([
        row('cached', 'uniform', 'resolver (link set)', 80, 0.2),
        row('fast', 'uniform', 'resolver (link set)', 40, 0.1),
        row('fast', 'zipf', 'resolver (link set)', 20, 0.05),
      ]),
    );
    expect(md).toContain('| uniform | fast | resolver (link set) | 500 | 100,000 |');
    expect(md).toContain('| zipf | fast |');
    expect(md).toContain('25 %');
    expect(md).toContain('- uniform, resolver (link set), cached: p99 80 ms — **not met**');
    expect(md).toContain('- uniform, resolver (link set), fast: p99 40 ms — **met**');
    expect(md).toContain(
      'fast ÷ cached req/s ×2.00; p99 80 → 40 ms (×0.50); server CPU per request 0.2 → 0.1 ms (×0.50)',
    );
    expect(md).not.toContain('zipf, resolver (link set): fast ÷ cached');
  });

  it('compares short event-loop turns with one turn for everything', () => {
    const md = renderReport(
      result([
        row('one-turn', 'uniform', 'consumer page (HTML)', 900, 0.8),
        row('fast', 'uniform', 'consumer page (HTML)', 300, 0.4),
      ]),
    );
    expect(md).toContain('- uniform, consumer page (HTML): fast ÷ one-turn req/s ×');
    expect(md).toContain('p99 900 → 300 ms (×0.33); server CPU per request 0.8 → 0.4 ms (×0.50)');
  });

  it('reads results from before the mixes as uniform', () => {
    const md = renderReport(result([row('cached', undefined, 'consumer page (HTML)', 300, 1)]));
    expect(md).toContain('| uniform | cached | consumer page (HTML) |');
    expect(md).toContain('| — |');
  });

  it('refuses a result of the wrong shape', () => {
    expect(() => renderReport({ ...result([]), results: [] })).toThrow(/results is empty/);
    expect(() => renderReport(result([{ ...row('fast', 'zipf', 's', 1, 1), mix: 3 }]))).toThrow(/mix/);
  });
});
