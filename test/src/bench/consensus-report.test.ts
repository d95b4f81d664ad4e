import { describe, expect, it } from 'vitest';
import { renderReport } from './consensus-report.ts';

const step = (offeredPerS: number, committedPerS: number, p99: number | null) => ({
  offeredPerS,
  sent: offeredPerS * 3,
  skippedInflightFull: 0,
  committed: committedPerS * 3,
  failed: 0,
  committedPerS,
  latencyMsP50: p99 === null ? null : p99 / 2,
  latencyMsP99: p99,
  latencyMsMax: p99,
  replicaCpuMsPerRequest: 2,
  requestsPerBatch: 64,
});

function result(peak: number, halfPeakP99: number | null) {
  return {
    benchmark: 'consensus',
    date: '2026-11-24T13:00:00.000Z',
    quick: false,
    machine: { cores: 2, cpu: 'Test CPU', node: 'v20.20.0', loadAverage1mAtStart: 0.4 },
    requestBodyBytes: 1024,
    durationMsPerLoad: 3000,
    requestsPerCall: 32,
    consensus: {},
    verify: { ed25519VerifyPerS: 9_000, fullRequestCheckPerS: 8_000, ed25519VerifyPerCpuS: 10_000 },
    results: [
      {
        loadAverage1mAfter: 1.5,
        n: 4,
        boundPerS: 5_000,
        peakCommittedPerS: peak,
        fractionOfBound: peak / 5_000,
        halfPeak: step(Math.round(peak / 2), Math.round(peak / 2), halfPeakP99),
        sweep: [step(400, 400, 60), step(3200, peak, 900)],
        viewChanges: 0,
        dropped: [{}],
      },
    ],
  };
}

describe('consensus bench report', () => {
  it('renders the table, the bound and met goals', () => {
    const md = renderReport(result(4_000, 80));
    expect(md).toContain('Ed25519 9,000/s');
    expect(md).toContain('| 4 | 3,200 | 4,000 | 450 | 900 | 2.00 | 64.0 | 0 | 0 |');
    expect(md).toContain('| 4 | 2,000 (half peak) | 2,000 | 40.0 | 80.0 | 2.00 | 64.0 | 0 | 0 |');
    // 4 verifications at 10k/s = 0.4 ms of the 2 ms per request; 2 cores / 2 ms = 1,000 req/s.
    expect(md).toContain('2.00 ms of replica CPU per request, of which 0.40 ms (20 %)');
    expect(md).toContain('2 cores sustain at most 1,000 req/s (20 % of the bound)');
    expect(md).toContain('peak 4,000/s = 80 % of the bound 5,000/s (goal ≥ 70 %): **met**');
    expect(md).toContain('(goal < 100 ms): **met**');
  });

  it('says not met below 70 % or when nothing committed at half peak', () => {
    const md = renderReport(result(1_000, null));
    expect(md).toContain('= 20 % of the bound 5,000/s (goal ≥ 70 %): **not met**');
    expect(md).toContain('— ms (goal < 100 ms): **not met**');
  });

  it('says what an implementation at the floor reaches and what 70 % leaves', () => {
    const floor = {
      n: 4,
      requestBytes: 1024,
      batchSize: 120,
      requestsPerCall: 32,
      cpuUsPerRequest: {
        ed25519VerifyPerReplica: 100,
        requestParsePerReplica: 4,
        votesPerReplica: 5,
        bodyDigestPerReplica: 5,
        durableStorePerReplica: 15,
        durableTransaction: 300,
        loopbackTcpToBackupsBothEnds: 6,
        httpIntakeClientAndServer: 14,
      },
      floorUsPerRequestAllReplicas: 500,
      verificationUsPerRequestAllReplicas: 400,
      mostFractionOfBound: 0.8,
    };
    const md = renderReport({ ...result(1_000, 90), floor });
    expect(md).toContain("decoding the request 4 µs, the slot's signed votes 5 µs, body digest 5 µs");
    expect(md).toContain('Sum: **500 µs** per request, of which 400 µs are the verifications');
    expect(md).toContain('at most **80 %** of the bound');
    // 400 / 0.7 = 571 µs per request at 70 %: 71 µs over the floor.
    expect(md).toContain('70 % leaves 71 µs per request');
    expect(md).toContain('At the n = 4 peak the replicas spend 2,000 µs per request.');
    expect(renderReport(result(1_000, 90))).not.toContain('Floor (');
  });

  it('refuses a result of another shape with a clear error', () => {
    expect(() => renderReport({})).toThrow(/consensus bench result: date is not a string/);
    const broken = result(1_000, 50);
    (broken.results[0]!.sweep[0] as Record<string, unknown>).committedPerS = 'x';
    expect(() => renderReport(broken)).toThrow(/results\[0\]\.sweep\[0\]\.committedPerS is not a number/);
  });
});
