import { describe, expect, it } from 'vitest';
import {
  bestG,
  busiestMessages,
  busiestWork,
  everyGroupMessages,
  flatMessages,
  gForBusiest,
  gForTotal,
  groupedMessages,
  groupSizes,
  latencyUs,
  layoutValid,
  nodeCpuUs,
  type Prices,
  throughputPerS,
} from './cost-model.ts';
import { countingCrypto } from './counting-crypto.ts';
import { drive } from './driver.ts';
import { flatTopology } from './flat.ts';

const prices: Prices = {
  signUs: 50,
  verifyUs: 100,
  encodeUs: 5,
  receiveUs: 20,
  batchEncodeUs: 40,
  batchReceiveUs: 60,
  oneWayUs: 25,
};
const sweep = [1, 2, 4, 5, 10, 20, 25, 50];

describe('groups cost model: counts', () => {
  it('flat PBFT in our core: pre-prepare, prepare, commit and attest all-to-all, 3n(n-1)', () => {
    expect(flatMessages(4)).toBe(36);
    expect(flatMessages(100)).toBe(29_700);
    expect(busiestMessages(100, 1)).toBe(594);
  });

  it('grouped as built: one group, the top level and the decision fan-out', () => {
    expect(groupedMessages(100, 10)).toBe(270 + 270 + 90);
    expect(groupedMessages(100, 1)).toBe(flatMessages(100));
    expect(everyGroupMessages(100, 10)).toBe(10 * 270 + 270 + 90);
    expect(busiestMessages(100, 10)).toBe(54 + 54 + 9);
  });

  it('deals round-robin: sizes differ by at most one and add up to n', () => {
    expect(groupSizes(100, 17).reduce((a, b) => a + b, 0)).toBe(100);
    expect(new Set(groupSizes(100, 17))).toEqual(new Set([5, 6]));
  });

  it('applies the grouped mode layout rule (g = 1, or g >= 2 groups of >= 4)', () => {
    expect([50, 26].map((g) => layoutValid(100, g))).toEqual([false, false]);
    expect([1, 2, 3, 4, 5, 10, 20, 25].every((g) => layoutValid(100, g))).toBe(true);
    expect(layoutValid(16, 2)).toBe(true);
    expect(layoutValid(7, 2)).toBe(false);
    expect(layoutValid(16, 4)).toBe(true);
  });

  it('places the optima: √n for one batch and the busiest node, (n²/2)^(1/3) for every-group totals', () => {
    expect(gForBusiest(100)).toBe(10);
    expect(gForTotal(100)).toBeCloseTo(17.1, 1);
    expect(bestG(100, sweep, groupedMessages)).toBe(10);
    expect(bestG(100, sweep, busiestMessages)).toBe(10);
    expect(bestG(100, sweep, everyGroupMessages)).toBe(20); // the valid sweep value nearest 17.1
    expect(() => bestG(7, [2, 50], groupedMessages)).toThrow(/no valid grouping/);
  });
});

describe('groups cost model: prices', () => {
  it('prices a node by what it received, sent, signed and verified', () => {
    const work = {
      received: 10,
      sent: 4,
      signs: 2,
      verifies: 9,
      batchReceived: 1,
      batchSent: 1,
      requestVerifies: 3,
    };
    expect(nodeCpuUs(work, prices)).toBe(9 * 20 + 60 + 3 * 5 + 40 + 2 * 50 + 12 * 100);
    expect(throughputPerS(2_000, 32)).toBe(16_000);
  });

  it('gives the grouped representative less work per batch than a flat replica at n = 100', () => {
    const flat = nodeCpuUs(busiestWork(100, 1, 32), prices);
    const grouped = nodeCpuUs(busiestWork(100, 10, 32), prices);
    expect(flat / grouped).toBeGreaterThan(3);
  });

  it('counts 3 hops flat and 7 grouped in the latency formula', () => {
    expect(latencyUs(16, 1, prices, 32).hops).toBe(3);
    const grouped = latencyUs(16, 4, prices, 32);
    expect(grouped.hops).toBe(7);
    expect(grouped.totalUs).toBe(7 * 25 + grouped.cpuUs);
  });
});

describe('groups driver on the real flat core', () => {
  const run = (n: number) =>
    drive({
      topology: flatTopology(n, 8),
      cryptoFor: countingCrypto,
      costs: {
        signUs: 50,
        verifyUs: 100,
        encodeUs: { other: 5 },
        receiveUs: { other: 20 },
        latencyUs: 25,
        tickUs: 10_000,
      },
      batches: 3,
      requestsPerBatch: 8,
      requestBytes: 64,
      codec: true,
      eventsMax: 1_000_000,
    });

  it('commits every request everywhere and counts exactly 3n(n-1) messages per batch', () => {
    for (const n of [4, 7, 10]) {
      const result = run(n);
      expect(result.complete).toBe(true);
      expect(result.requestsCommitted).toBe(24);
      const sent = result.nodes.reduce((a, t) => a + t.sent, 0);
      const received = result.nodes.reduce((a, t) => a + t.received, 0);
      expect(sent).toBe(3 * flatMessages(n));
      expect(received).toBe(sent);
      expect(result.byType.prePrepare).toBe(3 * (n - 1));
    }
  });

  it('is deterministic: the same run twice gives the same tallies and times', () => {
    expect(JSON.stringify(run(7))).toBe(JSON.stringify(run(7)));
  });

  it('needs at least three hops of latency before anyone executes', () => {
    expect(run(4).firstBatchUs.first).toBeGreaterThan(3 * 25);
  });
});
