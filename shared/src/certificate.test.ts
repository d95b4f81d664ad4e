import { describe, expect, it } from 'vitest';
import {
  attestationBytes,
  commitVoteBytes,
  quorumSize,
  verifyCommitCertificate,
  verifyStateCertificate,
} from './certificate.ts';
import { generateKeyPair, sign } from './ed25519.ts';

const replicas = Array.from({ length: 4 }, () => generateKeyPair());
const publicKeys = replicas.map((r) => r.publicKey);
const digest = new Uint8Array(32).fill(7);

function commitSigs(ids: number[], view = 1, seq = 5) {
  return ids.map((replica) => ({
    replica,
    signature: sign(replicas[replica]!.privateKey, commitVoteBytes(view, seq, digest)),
  }));
}

describe('certificates', () => {
  it('computes 2f+1 quorums', () => {
    expect([4, 5, 6, 7, 10, 100].map(quorumSize)).toEqual([3, 3, 3, 5, 7, 67]);
  });

  it('accepts 2f+1 distinct valid commit votes', () => {
    expect(
      verifyCommitCertificate(
        { view: 1, seq: 5, batchDigest: digest, signatures: commitSigs([0, 2, 3]) },
        publicKeys,
      ),
    ).toBe(true);
  });

  it('rejects too few, duplicated, unknown-replica, or mismatched votes', () => {
    const cert = { view: 1, seq: 5, batchDigest: digest };
    expect(verifyCommitCertificate({ ...cert, signatures: commitSigs([0, 2]) }, publicKeys)).toBe(false);
    const dup = commitSigs([0, 2]);
    expect(verifyCommitCertificate({ ...cert, signatures: [...dup, dup[0]!] }, publicKeys)).toBe(false);
    const forgedAs7 = { replica: 7, signature: commitSigs([1])[0]!.signature };
    expect(
      verifyCommitCertificate({ ...cert, signatures: [...commitSigs([0, 2]), forgedAs7] }, publicKeys),
    ).toBe(false);
    // Replica 1's vote relabelled as replica 3's: signature does not verify under 3's key.
    const relabelled = { replica: 3, signature: commitSigs([1])[0]!.signature };
    expect(
      verifyCommitCertificate({ ...cert, signatures: [...commitSigs([0, 2]), relabelled] }, publicKeys),
    ).toBe(false);
    expect(verifyCommitCertificate({ ...cert, seq: 6, signatures: commitSigs([0, 1, 2]) }, publicKeys)).toBe(
      false,
    );
    expect(verifyCommitCertificate({ ...cert, view: 2, signatures: commitSigs([0, 1, 2]) }, publicKeys)).toBe(
      false,
    );
  });

  it('never reads a commit vote as a state attestation', () => {
    expect(commitVoteBytes(1, 5, digest)).not.toEqual(attestationBytes(5, digest));
    const votes = commitSigs([0, 1, 2], 0, 5);
    expect(verifyStateCertificate({ seq: 5, stateDigest: digest, signatures: votes }, publicKeys)).toBe(
      false,
    );
    const attests = [0, 1, 2].map((replica) => ({
      replica,
      signature: sign(replicas[replica]!.privateKey, attestationBytes(5, digest)),
    }));
    expect(verifyStateCertificate({ seq: 5, stateDigest: digest, signatures: attests }, publicKeys)).toBe(
      true,
    );
  });
});
