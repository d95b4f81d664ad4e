import {
  attestationBytes,
  type CertificateSignature,
  commitVoteBytes,
  quorumSize,
  sha256,
  toHex,
} from '@suyuan/shared';
import { batchDigestOf } from '../consensus/statements.ts';
import type {
  CommittedBatch,
  ConsensusCrypto,
  ConsensusMessage,
  StateCertificate,
} from '../consensus/types.ts';
import { memoVerify } from './keys.ts';

/**
 * Safety invariants, checked as things happen (after every step of every honest replica):
 * - at most one batch digest commits per seq, so committed prefixes agree;
 * - every commit certificate and state certificate verifies (real Ed25519, shared verifier);
 * - batches execute in order, each seq once, each request's effect at most once;
 * - honest replicas reach the same state digest per seq;
 * - views never decrease per replica (also across restarts);
 * - an honest replica never signs two different digests for one (kind, view, seq), even after
 *   a restart (what persist-before-send must guarantee).
 */
export class SafetyChecker {
  readonly violations: string[] = [];
  private readonly committed = new Map<number, string>();
  private readonly stateDigests = new Map<number, string>();
  private readonly signed = new Map<string, string>();
  private readonly views = new Map<number, number>();
  private readonly verifiedCerts = new Set<string>();
  private readonly publicKeys: readonly Uint8Array[];
  private readonly crypto: ConsensusCrypto;

  constructor(publicKeys: readonly Uint8Array[], crypto: ConsensusCrypto) {
    this.publicKeys = publicKeys;
    this.crypto = crypto;
  }

  /** Records a violation (the first 20 of a run). */
  fail(tick: number, message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${tick} ${message}`);
  }

  onCommitted(tick: number, replica: number, batch: CommittedBatch, appliedBefore: number): void {
    const digest = toHex(batch.certificate.batchDigest);
    if (batch.seq !== appliedBefore + 1)
      this.fail(tick, `replica ${replica} got seq ${batch.seq} after ${appliedBefore}`);
    const previous = this.committed.get(batch.seq);
    if (previous === undefined) this.committed.set(batch.seq, digest);
    else if (previous !== digest)
      this.fail(tick, `seq ${batch.seq} committed ${previous.slice(0, 8)} and ${digest.slice(0, 8)}`);
    if (toHex(batchDigestOf(this.crypto, batch.requests)) !== digest) {
      this.fail(tick, `replica ${replica} seq ${batch.seq}: requests do not match the certified digest`);
    }
    const c = batch.certificate;
    const key = `c:${c.view}:${c.seq}:${digest}:${c.signatures.map((s) => `${s.replica}${toHex(s.signature)}`).join()}`;
    if (!this.verifiedCerts.has(key)) {
      if (
        c.seq !== batch.seq ||
        !this.quorumSigned(commitVoteBytes(c.view, c.seq, c.batchDigest), c.signatures)
      ) {
        this.fail(tick, `replica ${replica} seq ${batch.seq}: commit certificate does not verify`);
      } else this.verifiedCerts.add(key);
    }
  }

  onExecuted(
    tick: number,
    replica: number,
    seq: number,
    stateDigest: Uint8Array,
    effects: Map<string, number>,
  ): void {
    const digest = toHex(stateDigest);
    const previous = this.stateDigests.get(seq);
    if (previous === undefined) this.stateDigests.set(seq, digest);
    else if (previous !== digest) this.fail(tick, `replica ${replica} diverged at seq ${seq}`);
    for (const [key, count] of effects)
      if (count > 1) this.fail(tick, `replica ${replica} executed ${key} twice`);
  }

  onCertified(tick: number, replica: number, cert: StateCertificate): void {
    const digest = toHex(cert.stateDigest);
    const key = `s:${cert.seq}:${digest}:${cert.signatures.map((s) => `${s.replica}${toHex(s.signature)}`).join()}`;
    if (!this.verifiedCerts.has(key)) {
      if (!this.quorumSigned(attestationBytes(cert.seq, cert.stateDigest), cert.signatures)) {
        this.fail(tick, `replica ${replica} seq ${cert.seq}: state certificate does not verify`);
      } else this.verifiedCerts.add(key);
    }
    const known = this.stateDigests.get(cert.seq);
    if (known !== undefined && known !== digest)
      this.fail(tick, `state certificate for seq ${cert.seq} disagrees`);
  }

  /**
   * Exactly shared's verifyCommitCertificate / verifyStateCertificate (2f+1 distinct known signers,
   * strict Ed25519), with each distinct signature verified once per process (memoVerify).
   */
  private quorumSigned(message: Uint8Array, signatures: readonly CertificateSignature[]): boolean {
    const counted = new Set<number>();
    for (const { replica, signature } of signatures) {
      const key = this.publicKeys[replica];
      if (counted.has(replica) || key === undefined) continue;
      if (memoVerify(key, replica, message, signature)) counted.add(replica);
    }
    return counted.size >= quorumSize(this.publicKeys.length);
  }

  /** The state digest honest replicas reached at `seq` (hex), once one executed it. */
  stateDigestAt(seq: number): string | undefined {
    return this.stateDigests.get(seq);
  }

  onView(tick: number, replica: number, view: number): void {
    const previous = this.views.get(replica) ?? 0;
    if (view < previous) this.fail(tick, `replica ${replica} view went from ${previous} to ${view}`);
    else this.views.set(replica, view);
  }

  onSent(tick: number, replica: number, m: ConsensusMessage): void {
    let key: string | null = null;
    let digest = '';
    if (m.type === 'prePrepare' || m.type === 'prepare' || m.type === 'commit') {
      key = `${replica}:${m.type}:${m.view}:${m.seq}`;
      digest = toHex(m.batchDigest);
    } else if (m.type === 'newView') {
      key = `${replica}:newView:${m.view}`;
      digest = toHex(sha256(m.payload));
    } else if (m.type === 'attest') {
      key = `${replica}:attest:${m.seq}`;
      digest = toHex(m.stateDigest);
    }
    if (key === null) return;
    const previous = this.signed.get(key);
    if (previous === undefined) this.signed.set(key, digest);
    else if (previous !== digest) this.fail(tick, `honest replica ${replica} equivocated: ${key}`);
  }
}
