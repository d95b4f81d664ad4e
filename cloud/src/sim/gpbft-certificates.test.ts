import { attestationBytes, sha256 } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import type { StateCertificate } from '../consensus/types.ts';
import { GroupedCertificateChecker } from './gpbft-certificates.ts';
import { gpbftLayoutFor } from './gpbft-scenarios.ts';
import { SafetyChecker } from './invariants.ts';
import { simCrypto, simKeys } from './keys.ts';

/** The grouped certificate checker itself must be able to fail: feed it certificates directly. */
describe('grouped state certificate checker', () => {
  const keys = simKeys(16);
  const layout = gpbftLayoutFor(16, 4, 1); // top quorum 3 of 4 groups
  const digest = sha256(Uint8Array.of(1));
  const signedBy = (replica: number, seq: number, stateDigest: Uint8Array) => ({
    replica,
    signature: simCrypto(keys, replica).sign(attestationBytes(seq, stateDigest)),
  });
  /** Signed by the first member of each of `groups` (global ids, as members hold them). */
  const certificate = (groups: number[], seq = 4, stateDigest = digest): StateCertificate => ({
    seq,
    stateDigest,
    signatures: groups.map((g) => signedBy(layout.groups[g]![0]!, seq, stateDigest)),
  });
  const fresh = () => {
    const safety = new SafetyChecker(keys.publicKeys, simCrypto(keys, 0));
    return { safety, checker: new GroupedCertificateChecker(safety, keys.publicKeys, layout) };
  };

  it('passes a top quorum of groups, again and again', () => {
    const { safety, checker } = fresh();
    checker.check(1, 3, certificate([0, 1, 2]), 'holds');
    checker.check(2, 5, certificate([1, 2, 3]), 'hands out');
    checker.check(3, 5, certificate([0, 1, 2]), 'hands out');
    expect(safety.violations).toEqual([]);
  });

  it('reports a certificate short of a top quorum, a forged signature and a signer outside its group', () => {
    const { safety, checker } = fresh();
    checker.check(1, 3, certificate([0, 1]), 'holds');
    const forged = certificate([0, 1, 2]);
    forged.signatures[2] = signedBy(layout.groups[2]![0]!, 5, digest); // signed another seq
    checker.check(2, 3, forged, 'hands out');
    const twoOfOneGroup = certificate([0, 1]);
    twoOfOneGroup.signatures.push(signedBy(layout.groups[1]![1]!, 4, digest));
    checker.check(3, 3, twoOfOneGroup, 'holds');
    expect(safety.violations).toEqual([
      expect.stringMatching(
        /t=1 replica 3 holds .* seq 4 that does not verify: .* 2 valid group signatures, needs 3/,
      ),
      expect.stringMatching(/t=2 replica 3 hands out .* seq 4 that does not verify/),
      expect.stringMatching(/t=3 replica 3 holds .* does not verify: .* 2 valid group signatures/),
    ]);
  });

  it('reports two verified digests for one seq, and a digest honest replicas did not reach', () => {
    const { safety, checker } = fresh();
    safety.onExecuted(1, 0, 4, digest, new Map());
    checker.check(1, 3, certificate([0, 1, 2]), 'holds');
    const other = sha256(Uint8Array.of(2));
    checker.check(2, 7, certificate([1, 2, 3], 4, other), 'hands out');
    expect(safety.violations.join('\n')).toMatch(
      /t=2 replica 7 hands out .* seq 4: two verified digests[\s\S]*seq 4 whose digest is not the state honest replicas reached/,
    );
  });

  it('with g = 1 checks flat certificates: 2f+1 of the n replicas', () => {
    const flat = gpbftLayoutFor(4, 1, 1);
    const safety = new SafetyChecker(simKeys(4).publicKeys, simCrypto(simKeys(4), 0));
    const checker = new GroupedCertificateChecker(safety, simKeys(4).publicKeys, flat);
    const sig = (replica: number) => ({
      replica,
      signature: simCrypto(simKeys(4), replica).sign(attestationBytes(2, digest)),
    });
    checker.check(1, 0, { seq: 2, stateDigest: digest, signatures: [sig(0), sig(1), sig(3)] }, 'holds');
    expect(safety.violations).toEqual([]);
    checker.check(2, 0, { seq: 2, stateDigest: digest, signatures: [sig(0), sig(1)] }, 'holds');
    expect(safety.violations).toEqual([expect.stringMatching(/t=2 replica 0 holds .* lacks a quorum/)]);
  });
});
