import { describe, expect, it } from 'vitest';
import { batchDigestOf } from '../consensus/statements.ts';
import type { CommittedBatch } from '../consensus/types.ts';
import { SafetyChecker } from './invariants.ts';
import { simCrypto, simKeys } from './keys.ts';
import { simConfig } from './sim.ts';

/** The checker itself must be able to fail: feed it violations directly. */
describe('safety checker', () => {
  const keys = simKeys(4);
  const crypto = simCrypto(keys, 0);
  const batch = (seq: number, marker: number): CommittedBatch => {
    const requests = [{ submitter: 'c', seq: marker, body: Uint8Array.of(marker) }];
    const batchDigest = batchDigestOf(crypto, requests);
    return { seq, view: 0, requests, certificate: { view: 0, seq, batchDigest, signatures: [] } };
  };

  it('reports two digests at one seq, a bad certificate and out-of-order execution', () => {
    const checker = new SafetyChecker(keys.publicKeys, crypto);
    checker.onCommitted(1, 0, batch(1, 1), 0);
    checker.onCommitted(1, 1, batch(1, 2), 0);
    checker.onCommitted(1, 2, batch(3, 3), 0);
    const all = checker.violations.join('\n');
    expect(all).toMatch(/seq 1 committed/);
    expect(all).toMatch(/commit certificate does not verify/);
    expect(all).toMatch(/got seq 3 after 0/);
  });

  it('reports equivocation, divergence, double execution and a decreasing view', () => {
    const checker = new SafetyChecker(keys.publicKeys, crypto);
    const vote = (b: number) =>
      ({
        type: 'prepare',
        view: 0,
        seq: 1,
        batchDigest: new Uint8Array(32).fill(b),
        replica: 1,
        signature: new Uint8Array(64),
      }) as const;
    checker.onSent(1, 1, vote(1));
    checker.onSent(2, 1, vote(1));
    expect(checker.violations).toEqual([]);
    checker.onSent(3, 1, vote(2));
    checker.onExecuted(4, 0, 1, new Uint8Array(32), new Map());
    checker.onExecuted(4, 1, 1, new Uint8Array(32).fill(1), new Map([['c\u00001', 2]]));
    checker.onView(5, 2, 3);
    checker.onView(6, 2, 1);
    expect(checker.violations.join('\n')).toMatch(
      /equivocated[\s\S]*diverged[\s\S]*twice[\s\S]*view went from 3 to 1/,
    );
    expect(simConfig(4).n).toBe(4);
  });
});
