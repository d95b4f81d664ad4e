import { concatBytes, toBase64Url, utf8 } from './bytes.ts';
import { verify } from './ed25519.ts';

/**
 * What replicas sign, byte for byte, and how anyone holding their public keys checks a certificate.
 * Kept in shared/ so the consensus core (which signs), the ledger (which stores) and the offline
 * trace verifier (which checks, in a consumer's browser too) agree on one definition.
 *
 * - A commit vote: replica says "(view, seq) commits the batch with this digest".
 * - A state attestation: replica says "after executing through seq, my state digest is this".
 *   For the ledger the digest is the Merkle root of the block header hashes that batch produced,
 *   so a block is proven by a state certificate plus a Merkle path to its header hash.
 *
 * Each statement is a fixed 8-byte context, big-endian integers and the 32-byte digest: no parser
 * is needed to sign or check one, and no statement of one kind can be read as another.
 */

export interface CertificateSignature {
  replica: number;
  signature: Uint8Array;
}

const COMMIT_CONTEXT = utf8('SY-CMT1\n');
const ATTEST_CONTEXT = utf8('SY-ATT1\n');

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export function commitVoteBytes(view: number, seq: number, batchDigest: Uint8Array): Uint8Array {
  return concatBytes(COMMIT_CONTEXT, u64(view), u64(seq), batchDigest);
}

export function attestationBytes(seq: number, stateDigest: Uint8Array): Uint8Array {
  return concatBytes(ATTEST_CONTEXT, u64(seq), stateDigest);
}

/** Byzantine quorum for n replicas: 2f + 1 where f = floor((n - 1) / 3). */
export function quorumSize(n: number): number {
  return 2 * Math.floor((n - 1) / 3) + 1;
}

/**
 * True when at least `quorum` distinct known replicas signed `message` validly. Duplicate signers,
 * unknown replica ids and bad signatures never count (they are not errors: a certificate may carry
 * more than a quorum, and only the valid distinct ones matter).
 */
export function hasQuorumSignatures(
  message: Uint8Array,
  signatures: readonly CertificateSignature[],
  replicaPublicKeys: readonly Uint8Array[],
  quorum: number = quorumSize(replicaPublicKeys.length),
): boolean {
  const counted = new Set<number>();
  for (const { replica, signature } of signatures) {
    if (counted.has(replica)) continue;
    const key = replicaPublicKeys[replica];
    if (!Number.isInteger(replica) || key === undefined) continue;
    if (verify(key, message, signature)) counted.add(replica);
    if (counted.size >= quorum) return true;
  }
  return false;
}

export function verifyCommitCertificate(
  cert: { view: number; seq: number; batchDigest: Uint8Array; signatures: readonly CertificateSignature[] },
  replicaPublicKeys: readonly Uint8Array[],
): boolean {
  return hasQuorumSignatures(
    commitVoteBytes(cert.view, cert.seq, cert.batchDigest),
    cert.signatures,
    replicaPublicKeys,
  );
}

export function verifyStateCertificate(
  cert: { seq: number; stateDigest: Uint8Array; signatures: readonly CertificateSignature[] },
  replicaPublicKeys: readonly Uint8Array[],
): boolean {
  return hasQuorumSignatures(
    attestationBytes(cert.seq, cert.stateDigest),
    cert.signatures,
    replicaPublicKeys,
  );
}

/** Stable text id for a replica key set, so a verifier can say which network it trusted. */
export function replicaSetId(replicaPublicKeys: readonly Uint8Array[]): string {
  return toBase64Url(concatBytes(...replicaPublicKeys)).slice(0, 16);
}
