import { bytesEqual, fromBase64Url } from '../bytes.ts';
import { keyIdOf, verify } from '../ed25519.ts';
import { payloadLeafHash, submissionSigningBytes } from '../envelope.ts';
import { merkleRoot, rootFromInclusionProof } from '../merkle.ts';
import type { TxProof } from '../wire/block.ts';
import type { BlockTx, SignedHeader } from '../wire/transaction.ts';
import { type TrustedGroups, verifyStateCertificateWire } from './grouped-certificate.ts';
import { headerHash, headerLeaf, txLeafHash } from './hashing.ts';

/**
 * Offline checks of one ledger transaction, from the replica public keys alone:
 * 1. the tx's leaf hash and path give the block header's txRoot (tree size = txCount);
 * 2. the header hash and header path give the certificate's state digest;
 * 3. a quorum of replicas signed that state digest for that batch (flat PBFT), or a top quorum of
 *    groups did (grouped PBFT: needs the trusted group layout, see grouped-certificate.ts);
 * 4. the submitter's signature covers the payload (path to payloadsRoot) and the key is the submitter's.
 * Returns null when all hold, else the first failure in words.
 */

function b(text: string): Uint8Array {
  return fromBase64Url(text);
}

export function verifyTxProof(
  tx: BlockTx,
  proof: TxProof,
  replicaPublicKeys: readonly Uint8Array[],
  trustedGroups?: TrustedGroups,
): string | null {
  const { block, location } = proof;
  const h = block.header;
  if (h.chain !== location.chain || h.height !== location.height) return 'proof location is not its block';
  const txRoot = rootFromInclusionProof(txLeafHash(tx), {
    leafIndex: location.index,
    treeSize: h.txCount,
    path: proof.txPath.map(b),
  });
  if (txRoot === null || !bytesEqual(txRoot, b(h.txRoot))) return 'transaction is not in its block (txRoot)';
  const digest = rootFromInclusionProof(headerLeaf(headerHash(h)), {
    leafIndex: block.headerIndex,
    treeSize: block.headerCount,
    path: block.headerPath.map(b),
  });
  const cert = block.certificate;
  if (cert.seq !== h.batchSeq) return 'certificate is for another batch';
  if (digest === null || !bytesEqual(digest, b(cert.stateDigest)))
    return 'block is not in its certified state';
  const failure = verifyStateCertificateWire(cert, replicaPublicKeys, trustedGroups);
  if (failure !== null) return failure;
  return verifySigned(tx);
}

function signatureHolds(signed: SignedHeader, payloadsRoot: Uint8Array): boolean {
  const publicKey = b(signed.publicKey);
  if (keyIdOf(publicKey) !== signed.submitter) return false;
  const header = {
    v: 1 as const,
    submitter: signed.submitter,
    seq: signed.seq,
    created: signed.created,
    payloadCount: signed.payloadCount,
    payloadsRoot: signed.payloadsRoot,
  };
  if (!bytesEqual(payloadsRoot, b(signed.payloadsRoot))) return false;
  return verify(publicKey, submissionSigningBytes(header), b(signed.signature));
}

/** The submitter's signature over this tx's payload(s). */
export function verifySigned(tx: BlockTx): string | null {
  if (tx.kind === 'rejection') return null; // the ledger's verdict: the certificate is the proof
  if (tx.kind === 'payload') {
    const root = rootFromInclusionProof(payloadLeafHash(tx.payload), {
      leafIndex: tx.payloadIndex,
      treeSize: tx.signed.payloadCount,
      path: tx.payloadPath.map(b),
    });
    if (root === null || !signatureHolds(tx.signed, root))
      return 'submitter signature does not cover the payload';
    return null;
  }
  if (tx.payloads.length !== tx.signed.payloadCount) return 'reading batch is incomplete';
  const root = merkleRoot(tx.payloads.map(payloadLeafHash));
  if (!signatureHolds(tx.signed, root)) return 'gateway signature does not cover the readings';
  return null;
}
