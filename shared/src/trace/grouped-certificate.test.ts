import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../bytes.ts';
import { attestationBytes } from '../certificate.ts';
import { generateKeyPair, sign } from '../ed25519.ts';
import type { GroupedStateCertificateWire } from '../wire/block.ts';
import { anyStateCertificateSchema } from '../wire/block.ts';
import { groupedTopQuorum, verifyStateCertificateWire } from './grouped-certificate.ts';

// N = 16 in 4 groups of 4 (top quorum 3 of 4).
const replicas = Array.from({ length: 16 }, () => generateKeyPair());
const publicKeys = replicas.map((r) => r.publicKey);
const groups = [
  [0, 4, 8, 12],
  [1, 5, 9, 13],
  [2, 6, 10, 14],
  [3, 7, 11, 15],
];
const digest = new Uint8Array(32).fill(9);
const seq = 42;

function signature(
  group: number,
  replica: number,
  atSeq = seq,
): GroupedStateCertificateWire['signatures'][0] {
  const bytes = sign(replicas[replica]!.privateKey, attestationBytes(atSeq, digest));
  return { group, replica, signature: toBase64Url(bytes) };
}

function certificate(signatures: GroupedStateCertificateWire['signatures']): GroupedStateCertificateWire {
  return { kind: 'grouped', seq, stateDigest: toBase64Url(digest), groups, signatures };
}

const valid = () => certificate([signature(0, 4), signature(2, 10), signature(3, 3)]);

describe('grouped state certificates', () => {
  it('top quorum over g groups is the consensus core byzantineQuorum', () => {
    expect([1, 2, 3, 4, 5, 7, 10, 25].map(groupedTopQuorum)).toEqual([1, 2, 2, 3, 4, 5, 7, 17]);
  });

  it('a top quorum of groups, each signed by one of its members, verifies (and parses as the tagged kind)', () => {
    expect(verifyStateCertificateWire(valid(), publicKeys, groups)).toBeNull();
    expect(anyStateCertificateSchema.parse(valid())).toEqual(valid());
  });

  it('fails with a forged signature', () => {
    const cert = valid();
    const forged = signature(0, 4, seq + 1); // member 4 signed another seq
    cert.signatures[0] = forged;
    expect(verifyStateCertificateWire(cert, publicKeys, groups)).toMatch(/2 valid group signatures, needs 3/);
    const flipped = valid();
    const sig = flipped.signatures[1]!.signature;
    flipped.signatures[1]!.signature = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyStateCertificateWire(flipped, publicKeys, groups)).not.toBeNull();
  });

  it('fails with too few groups, and counts two members of one group once', () => {
    expect(
      verifyStateCertificateWire(certificate([signature(0, 4), signature(2, 10)]), publicKeys, groups),
    ).toMatch(/needs 3/);
    const sameGroup = certificate([signature(0, 0), signature(0, 4), signature(0, 8), signature(1, 1)]);
    expect(verifyStateCertificateWire(sameGroup, publicKeys, groups)).toMatch(/2 valid group signatures/);
  });

  it('fails when a member signs for a group it is not in', () => {
    // Replica 4 is in group 0; its valid signature claimed for group 1 does not count for group 1.
    const cert = certificate([signature(0, 0), signature(1, 4), signature(2, 2)]);
    expect(verifyStateCertificateWire(cert, publicKeys, groups)).toMatch(/2 valid group signatures/);
  });

  it('fails under a wrong layout: another layout in the certificate, none trusted, or not a partition', () => {
    // A prover-chosen layout of 2 groups (quorum 2) would let 2 colluding keys certify anything.
    const twoGroups = [
      [0, 2, 4, 6, 8, 10, 12, 14],
      [1, 3, 5, 7, 9, 11, 13, 15],
    ];
    const cheap: GroupedStateCertificateWire = {
      ...certificate([signature(0, 0), signature(1, 1)]),
      groups: twoGroups,
    };
    expect(verifyStateCertificateWire(cheap, publicKeys, groups)).toMatch(/another group layout/);
    expect(verifyStateCertificateWire(valid(), publicKeys)).toMatch(/no trusted group layout/);
    const swapped = groups.map((members) => [...members]);
    [swapped[0]![0], swapped[1]![0]] = [swapped[1]![0]!, swapped[0]![0]!];
    expect(verifyStateCertificateWire(valid(), publicKeys, swapped)).toMatch(/another group layout/);
    expect(verifyStateCertificateWire(valid(), publicKeys, [[0, 1, 2, 3]])).toMatch(/not a partition/);
  });

  it('a flat certificate still verifies by 2f+1 replica attestations, with or without a layout', () => {
    const flat = {
      seq,
      stateDigest: toBase64Url(digest),
      signatures: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((replica) => ({
        replica,
        signature: signature(0, replica).signature,
      })),
    };
    expect(verifyStateCertificateWire(flat, publicKeys)).toBeNull();
    expect(verifyStateCertificateWire(flat, publicKeys, groups)).toBeNull();
    expect(
      verifyStateCertificateWire({ ...flat, signatures: flat.signatures.slice(0, 10) }, publicKeys),
    ).toMatch(/quorum/);
  });
});
