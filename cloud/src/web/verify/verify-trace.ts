import { bytesEqual, fromBase64Url } from '@suyuan/shared/bytes';
import { canonicalBytes } from '@suyuan/shared/canonical';
import { keyIdOf, verify } from '@suyuan/shared/ed25519';
import { domainHash } from '@suyuan/shared/hash';
import { merkleLeafHash, rootFromInclusionProof } from '@suyuan/shared/merkle';
import { type TrustedGroups, verifyStateCertificateWire } from '@suyuan/shared/trace/grouped-certificate';
import type { PayloadTx, TxProof } from '@suyuan/shared/wire/index';
import { submissionSigningBytes } from './signing-bytes.ts';

/**
 * Checks an identity's event history offline, from the proofs JSON alone and the replica public keys
 * the checker trusts: for every event, the submitter's signature over its payload (Merkle path to the
 * signed payloads root), the transaction's Merkle path to its block's txRoot, the block header's path
 * to the certified state digest, and a state certificate (flat: 2f+1 replicas; grouped PBFT: a top
 * quorum of groups under the layout the checker trusts); and across events, that each one links
 * to the one before (the item's own hash chain). Runs in Node (tests) and, bundled with browser
 * crypto, in the consumer's phone: the page does not take the server's word.
 */

export interface ProvenEvent {
  tx: PayloadTx;
  proof: TxProof;
}

export interface ProofChain {
  key: string;
  events: ProvenEvent[];
}

export interface ProofsDocument {
  v: 1;
  chains: ProofChain[];
}

export type CheckName =
  | 'format'
  | 'submitterSignature'
  | 'payloadInclusion'
  | 'txInclusion'
  | 'headerInclusion'
  | 'certificate'
  | 'chainLink';

export interface Failure {
  key: string;
  eventIndex: number;
  check: CheckName;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  eventsChecked: number;
  certificatesChecked: number;
  failures: Failure[];
}

const b64 = (text: string): Uint8Array => fromBase64Url(text);

function checkSubmitter(tx: PayloadTx): string | null {
  const s = tx.signed;
  const publicKey = b64(s.publicKey);
  if (keyIdOf(publicKey) !== s.submitter) return 'submitter key id does not match its public key';
  const leaf = merkleLeafHash(canonicalBytes(tx.payload));
  const root = rootFromInclusionProof(leaf, {
    leafIndex: tx.payloadIndex,
    treeSize: s.payloadCount,
    path: tx.payloadPath.map(b64),
  });
  if (root === null || !bytesEqual(root, b64(s.payloadsRoot)))
    return 'payload is not under the signed payloads root';
  const header = {
    v: 1 as const,
    submitter: s.submitter,
    seq: s.seq,
    created: s.created,
    payloadCount: s.payloadCount,
    payloadsRoot: s.payloadsRoot,
  };
  return verify(publicKey, submissionSigningBytes(header), b64(s.signature))
    ? null
    : 'signature does not verify';
}

/** Leaf hash of a ledger transaction, as the block's txRoot commits to it. */
export function txLeafHash(tx: PayloadTx): Uint8Array {
  return merkleLeafHash(canonicalBytes(tx));
}

class Checker {
  readonly failures: Failure[] = [];
  readonly certificates = new Map<string, boolean>();
  eventsChecked = 0;
  private readonly replicaKeys: readonly Uint8Array[];
  private readonly groups: TrustedGroups | undefined;

  constructor(replicaKeys: readonly Uint8Array[], groups?: TrustedGroups) {
    this.replicaKeys = replicaKeys;
    this.groups = groups;
  }

  fail(key: string, eventIndex: number, check: CheckName, message: string): void {
    this.failures.push({ key, eventIndex, check, message });
  }

  /** Returns the event's leaf hash (for the link check) or null when a check failed. */
  event(key: string, i: number, { tx, proof }: ProvenEvent): Uint8Array | null {
    this.eventsChecked += 1;
    const signatureProblem = checkSubmitter(tx);
    if (signatureProblem !== null) {
      const check = signatureProblem.startsWith('payload') ? 'payloadInclusion' : 'submitterSignature';
      this.fail(key, i, check, signatureProblem);
      return null;
    }
    const leaf = txLeafHash(tx);
    const { header } = proof.block;
    const txRoot = rootFromInclusionProof(leaf, {
      leafIndex: proof.location.index,
      treeSize: header.txCount,
      path: proof.txPath.map(b64),
    });
    const sameBlock = proof.location.chain === header.chain && proof.location.height === header.height;
    if (!sameBlock || txRoot === null || !bytesEqual(txRoot, b64(header.txRoot))) {
      this.fail(key, i, 'txInclusion', `not included in block ${header.chain}#${header.height}`);
      return null;
    }
    const headerHash = domainHash('blockHeader', canonicalBytes(header));
    const { certificate } = proof.block;
    const digest = rootFromInclusionProof(merkleLeafHash(headerHash), {
      leafIndex: proof.block.headerIndex,
      treeSize: proof.block.headerCount,
      path: proof.block.headerPath.map(b64),
    });
    if (digest === null || !bytesEqual(digest, b64(certificate.stateDigest))) {
      this.fail(
        key,
        i,
        'headerInclusion',
        `block ${header.chain}#${header.height} is not under the certified state`,
      );
      return null;
    }
    if (!this.certificateOk(certificate)) {
      this.fail(key, i, 'certificate', `batch ${certificate.seq} lacks a quorum of valid replica signatures`);
      return null;
    }
    return leaf;
  }

  private certificateOk(certificate: TxProof['block']['certificate']): boolean {
    const id = `${certificate.seq}/${certificate.stateDigest}/${certificate.signatures.map((s) => s.signature).join()}`;
    let ok = this.certificates.get(id);
    if (ok === undefined) {
      // Flat or grouped (tagged `kind: 'grouped'`): the shared verifier dispatches on the tag.
      ok = verifyStateCertificateWire(certificate, this.replicaKeys, this.groups) === null;
      this.certificates.set(id, ok);
    }
    return ok;
  }

  chain({ key, events }: ProofChain): void {
    let previous: { proof: TxProof; leaf: Uint8Array } | null = null;
    events.forEach((event, i) => {
      const leaf = this.event(key, i, event);
      const link = event.tx.links.find((l) => l.item === key);
      if (!link) {
        this.fail(key, i, 'chainLink', 'event does not name this item');
      } else if (previous === null ? link.prev !== null : !linksTo(link.prev, previous)) {
        this.fail(
          key,
          i,
          'chainLink',
          'event does not link to the one before it (history altered or incomplete)',
        );
      }
      previous = { proof: event.proof, leaf: leaf ?? txLeafHash(event.tx) };
    });
  }
}

function linksTo(
  prev: PayloadTx['links'][number]['prev'],
  before: { proof: TxProof; leaf: Uint8Array },
): boolean {
  if (prev === null) return false;
  const at = before.proof.location;
  return (
    prev.chain === at.chain &&
    prev.height === at.height &&
    prev.index === at.index &&
    bytesEqual(b64(prev.leafHash), before.leaf)
  );
}

/** Verify every chain in a proofs document; never throws on bad input (a malformed proof is a failure). */
export function verifyProofs(
  doc: ProofsDocument,
  replicaKeys: readonly Uint8Array[],
  groups?: TrustedGroups,
): VerifyResult {
  const checker = new Checker(replicaKeys, groups);
  try {
    if (doc.v !== 1 || !Array.isArray(doc.chains) || doc.chains.length === 0) {
      checker.fail('', 0, 'format', 'not a proofs document');
    } else {
      for (const chain of doc.chains) checker.chain(chain);
    }
  } catch (error) {
    checker.fail('', checker.eventsChecked, 'format', `malformed proof: ${String(error)}`);
  }
  return {
    ok: checker.failures.length === 0,
    eventsChecked: checker.eventsChecked,
    certificatesChecked: checker.certificates.size,
    failures: checker.failures,
  };
}
