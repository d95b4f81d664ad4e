import { describe, expect, it } from 'vitest';
import { groupedMessages } from './cost-model.ts';
import { countingCrypto } from './counting-crypto.ts';
import { drive } from './driver.ts';
import { groupedTopology } from './grouped.ts';

describe('groups driver on the real grouped node', () => {
  const run = (batches: number) =>
    drive({
      topology: groupedTopology(16, 4, 8),
      cryptoFor: countingCrypto,
      costs: {
        signUs: 50,
        verifyUs: 100,
        encodeUs: { other: 5 },
        receiveUs: { other: 20 },
        latencyUs: 25,
        tickUs: 10_000,
      },
      batches,
      requestsPerBatch: 8,
      requestBytes: 64,
      codec: true,
      eventsMax: 1_000_000,
    });

  it('commits one batch everywhere with at least the formula count and far fewer messages than flat', () => {
    const result = run(1);
    expect(result.complete).toBe(true);
    expect(result.requestsCommitted).toBe(8);
    const sent = result.nodes.reduce((a, t) => a + t.sent, 0);
    expect(sent).toBeGreaterThanOrEqual(groupedMessages(16, 4));
    expect(sent).toBeLessThan(720 / 2); // flat n = 16: 3·16·15 = 720
    expect(result.byType['group.prePrepare']).toBe(3); // one group of 4 ordered it
    expect(result.byType.decisions).toBe(12); // each representative to its 3 members
  });

  it('spreads batches over the groups and is deterministic', () => {
    const a = run(4);
    expect(a.complete).toBe(true);
    expect(a.byType['group.prePrepare']).toBe(4 * 3);
    expect(JSON.stringify(run(4))).toBe(JSON.stringify(a));
  });
});
