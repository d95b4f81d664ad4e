import { describe, expect, it } from 'vitest';
import { layoutValid } from './cost-model.ts';
import { mergeLoads, roundRobinMembers } from './real.ts';

describe('real N = 16 runs: layout and merged load', () => {
  it('deals replica i into group i mod g, so representatives are 0..g-1', () => {
    const members = roundRobinMembers(16, 4);
    expect(members).toEqual([
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
    ]);
    expect(members.map((group) => group[0])).toEqual([0, 1, 2, 3]);
    expect(layoutValid(16, 4)).toBe(true);
    // g = 2 is valid since session 4 (a top of 2 representatives, f_t = 0); groups of 2 are not.
    expect(layoutValid(16, 2)).toBe(true);
    expect(layoutValid(100, 50)).toBe(false);
  });

  it('sums counts and rates over the entries and keeps the worst latency', () => {
    const load = (committedPerS: number, p50: number, p99: number) => ({
      offeredPerS: 250,
      sent: 1000,
      skippedInflightFull: 16,
      committed: 990,
      failed: 10,
      committedPerS,
      latencyMsP50: p50,
      latencyMsP99: p99,
      latencyMsMax: p99 + 1,
    });
    const merged = mergeLoads([load(240, 20, 80), load(230, 30, 70), load(250, 10, 90), load(200, 25, 60)]);
    expect(merged).toEqual({
      offeredPerS: 1000,
      sent: 4000,
      skippedInflightFull: 64,
      committed: 3960,
      failed: 40,
      committedPerS: 920,
      latencyMsP50: 30,
      latencyMsP99: 90,
      latencyMsMax: 91,
    });
  });
});
