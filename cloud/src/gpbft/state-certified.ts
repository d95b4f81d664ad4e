import { attestationBytes } from '@suyuan/shared';
import type { ReplicaSignature, StateCertificate } from '../consensus/types.ts';
import type { LayerKeys, SignerHints } from './layer-crypto.ts';
import { groupQuorum } from './layout.ts';

/** Most certificates a member keeps for seqs its application has not executed yet. */
export const certificatesWaitingMax = 4096;
/**
 * Certificates remembered as handed out (one per seq goes to the application once), also served to
 * a lagging member with the decisions it fetches (it may have missed them while it was down).
 */
const handedOutKeptMax = 4096;

/**
 * Top-level state certificates for the ledger's proofs (docs/consensus.md "Ledger proofs on grouped
 * PBFT"). The top core signs as virtual replica j (= group j); a certificate handed to the
 * application names each signer by its GLOBAL replica id instead, so anyone can check it with one
 * Ed25519 verify per signature and the layout (shared `verifyGroupedStateCertificate`).
 *
 * A representative resolves its top core's certificates (`resolve`) and sends them to its members;
 * a member checks each (`accept`) and hands it to its application once it executed that seq with
 * the same state digest (`executed`), as a flat core only publishes states it reached itself.
 */
export class MemberCertificates {
  private readonly keys: LayerKeys;
  private readonly hints: SignerHints;
  private readonly groupOf = new Map<number, number>();
  private readonly waiting = new Map<number, StateCertificate>();
  private readonly handedOut = new Map<number, StateCertificate>();
  /** Distinct groups a certificate needs: the top quorum (the simulator's planted bug sets fewer). */
  private readonly quorum: number;

  constructor(keys: LayerKeys, hints: SignerHints, quorum = groupQuorum(keys.layout.groups.length)) {
    this.keys = keys;
    this.hints = hints;
    this.quorum = quorum;
    for (const [group, members] of keys.layout.groups.entries()) {
      for (const id of members) this.groupOf.set(id, group);
    }
  }

  /** A top core certificate (signers = group indexes) with each signer's global id, or null. */
  resolve(cert: StateCertificate): StateCertificate | null {
    const message = attestationBytes(cert.seq, cert.stateDigest);
    const signatures: ReplicaSignature[] = [];
    for (const { replica: group, signature } of cert.signatures) {
      const members = this.keys.layout.groups[group];
      if (members === undefined) continue;
      const first = this.hints.hint[group]!;
      const ordered = [first, ...members.filter((m) => m !== first)];
      const signer = ordered.find((m) => this.keys.verifyGlobal(m, message, signature));
      if (signer !== undefined) signatures.push({ replica: signer, signature });
    }
    const resolved = { seq: cert.seq, stateDigest: cert.stateDigest, signatures };
    return this.holds(resolved) ? resolved : null;
  }

  /** Signatures of a top quorum of distinct groups, each by a member of that group. */
  holds(cert: StateCertificate): boolean {
    const message = attestationBytes(cert.seq, cert.stateDigest);
    const needed = this.quorum;
    const counted = new Set<number>();
    for (const { replica, signature } of cert.signatures) {
      const group = this.groupOf.get(replica);
      if (group === undefined || counted.has(group)) continue;
      if (!this.keys.verifyGlobal(replica, message, signature)) continue;
      counted.add(group);
      if (counted.size >= needed) return true;
    }
    return false;
  }

  /**
   * A certificate from our representative (or our own top core, resolved): the ones to hand to the
   * application now (this replica executed that seq with that digest), the rest wait (bounded).
   * Returns null when it does not verify.
   */
  accept(
    cert: StateCertificate,
    executedDigest: (seq: number) => Uint8Array | undefined,
    lastExecuted: number,
    verified: boolean,
  ): StateCertificate[] | null {
    if (this.handedOut.has(cert.seq)) return [];
    if (!verified && !this.holds(cert)) return null;
    if (cert.seq > lastExecuted) {
      if (this.waiting.size >= certificatesWaitingMax) this.waiting.delete(this.waiting.keys().next().value!);
      this.waiting.set(cert.seq, cert);
      return [];
    }
    return this.handOut(cert, executedDigest(cert.seq));
  }

  /** Our application executed `seq`: a certificate waiting for it goes out if the digest matches. */
  executed(seq: number, digest: Uint8Array): StateCertificate[] {
    const cert = this.waiting.get(seq);
    if (cert === undefined) return [];
    this.waiting.delete(seq);
    return this.handOut(cert, digest);
  }

  private handOut(cert: StateCertificate, digest: Uint8Array | undefined): StateCertificate[] {
    // Another digest (this replica diverged) or one no longer known: the application decides and
    // counts a divergence (LedgerMachine.attachStateCertificate checks the digest itself).
    if (digest !== undefined && !sameBytes(digest, cert.stateDigest)) return [];
    this.handedOut.set(cert.seq, cert);
    if (this.handedOut.size > handedOutKeptMax) this.handedOut.delete(this.handedOut.keys().next().value!);
    return [cert];
  }

  /** Certificates handed out for seqs in [fromSeq, toSeq], at most `countMax` (for a lagging member). */
  between(fromSeq: number, toSeq: number, countMax: number): StateCertificate[] {
    const out: StateCertificate[] = [];
    for (let seq = Math.max(1, fromSeq); seq <= toSeq && out.length < countMax; seq++) {
      const cert = this.handedOut.get(seq);
      if (cert !== undefined) out.push(cert);
    }
    return out;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
