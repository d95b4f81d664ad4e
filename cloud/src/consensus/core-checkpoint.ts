import { assert, attestationBytes, commitVoteBytes } from '@suyuan/shared';
import { sameBytes, type Vote } from './core-base.ts';
import { NormalCase } from './core-normal.ts';
import { countValidSignatures } from './quorum.ts';
import { batchDigestOf } from './statements.ts';
import type { CommittedBatch, ConsensusMessage, ReplicaId, StateCertificate } from './types.ts';

type Msg<T extends ConsensusMessage['type']> = Extract<ConsensusMessage, { type: T }>;

interface LatestAttest extends Vote {
  seq: number;
}

/**
 * Attestations, stable checkpoints, watermarks and log truncation, and state transfer for a replica
 * that fell behind (by certified replay of committed batches the application serves).
 */
export abstract class Checkpointing extends NormalCase {
  /** Attests per seq, kept for seqs in (low, low + 2 * window]. */
  attests = new Map<number, Map<ReplicaId, Vote>>();
  /** Each replica's highest verified attest: what it has executed (drives catch-up and resends). */
  latestAttest = new Map<ReplicaId, LatestAttest>();
  /** This replica's own state digests and signed attests above the low watermark. */
  myAttests = new Map<number, Vote>();
  certifiedSeqs = new Set<number>();
  /** A verified checkpoint certificate above the low watermark, adopted once we execute that far. */
  knownCheckpoint: StateCertificate | null = null;
  /** Highest seq known to be committed by an honest replica (f+1 attests, a quorum, a checkpoint). */
  knownCommitted = 0;
  behindSince: number | null = null;
  fetchOutstanding: { peer: ReplicaId; sentTick: number } | null = null;
  fetchAttempts = 0;

  executed(seq: number, stateDigest: Uint8Array): void {
    assert(seq === this.lastExecuted + 1, `executed(${seq}) out of order after ${this.lastExecuted}`);
    assert(seq <= this.lastDelivered, `executed(${seq}) before it was delivered`);
    this.lastExecuted = seq;
    this.attest(seq, stateDigest);
  }

  /** Signs and multicasts this replica's attest for `seq` (also re-done after a restart). */
  attest(seq: number, stateDigest: Uint8Array): void {
    const signature = this.crypto.sign(attestationBytes(seq, stateDigest));
    this.myAttests.set(seq, { digest: stateDigest, signature });
    this.send('all', { type: 'attest', seq, stateDigest, replica: this.id, signature });
    this.storeAttest(this.id, seq, { digest: stateDigest, signature });
    this.checkAttestQuorum(seq);
    const known = this.knownCheckpoint;
    if (known !== null && known.seq === seq) this.adoptCheckpoint(known);
  }

  onAttest(from: ReplicaId, m: Msg<'attest'>): void {
    if (m.replica !== from || from === this.id) {
      this.drop('senderMismatch');
      return;
    }
    const latest = this.latestAttest.get(from);
    const stored = this.attests.get(m.seq)?.get(from);
    const known = stored ?? (latest?.seq === m.seq ? latest : undefined);
    if (known !== undefined) {
      this.drop(sameBytes(known.signature, m.signature) ? 'duplicate' : 'conflictingVote');
      return;
    }
    if (!this.crypto.verifyReplica(from, attestationBytes(m.seq, m.stateDigest), m.signature)) {
      this.drop('badSignature');
      return;
    }
    const vote = { digest: m.stateDigest, signature: m.signature };
    if (latest === undefined || m.seq > latest.seq) {
      this.latestAttest.set(from, { seq: m.seq, ...vote });
      this.updateKnownCommitted();
    }
    if (m.seq <= this.lowWatermark || m.seq > this.lowWatermark + 2 * this.config.watermarkWindow) {
      this.drop('outOfWindow');
      return;
    }
    this.storeAttest(from, m.seq, vote);
    this.checkAttestQuorum(m.seq);
  }

  private storeAttest(replica: ReplicaId, seq: number, vote: Vote): void {
    let votes = this.attests.get(seq);
    if (votes === undefined) {
      votes = new Map();
      this.attests.set(seq, votes);
    }
    votes.set(replica, vote);
  }

  /** f+1 replicas attest to having executed at least X: at least one honest one did. */
  private updateKnownCommitted(): void {
    const seqs = [...this.latestAttest.entries()]
      .filter(([replica]) => replica !== this.id)
      .map(([, a]) => a.seq)
      .sort((a, b) => b - a);
    const seq = seqs[this.config.f];
    if (seq !== undefined && seq > this.knownCommitted) this.knownCommitted = seq;
  }

  private checkAttestQuorum(seq: number): void {
    const votes = this.attests.get(seq);
    if (votes === undefined || votes.size < this.config.quorum) return;
    const mine = this.myAttests.get(seq);
    for (const [, candidate] of votes) {
      const signers = [...votes.entries()]
        .filter(([, v]) => sameBytes(v.digest, candidate.digest))
        .sort(([a], [b]) => a - b);
      if (signers.length < this.config.quorum) continue;
      if (seq > this.knownCommitted) this.knownCommitted = seq;
      if (mine === undefined) return; // not executed yet: catch-up or the normal case will get there
      if (!sameBytes(mine.digest, candidate.digest)) {
        this.drop('stateDivergence');
        return;
      }
      const signatures = signers
        .slice(0, this.config.quorum)
        .map(([replica, v]) => ({ replica, signature: v.signature }));
      this.adoptCheckpoint({ seq, stateDigest: candidate.digest, signatures });
      return;
    }
  }

  /** A quorum-certified state this replica has also reached: publish it; every K-th is stable. */
  adoptCheckpoint(cert: StateCertificate): void {
    const mine = this.myAttests.get(cert.seq);
    if (mine === undefined || !sameBytes(mine.digest, cert.stateDigest)) return;
    if (!this.certifiedSeqs.has(cert.seq) && cert.seq > this.lowWatermark) {
      this.certifiedSeqs.add(cert.seq);
      this.emitCertified(cert);
    }
    if (cert.seq % this.config.checkpointInterval === 0 && cert.seq > this.lowWatermark) {
      this.makeStable(cert);
    }
  }

  private makeStable(cert: StateCertificate): void {
    this.stableCheckpoint = cert;
    this.lowWatermark = cert.seq;
    this.persist({ kind: 'stableCheckpoint', certificate: cert });
    this.persist({ kind: 'truncateBelow', seq: cert.seq + 1 });
    for (const seq of this.slots.keys()) if (seq <= cert.seq) this.slots.delete(seq);
    for (const seq of this.attests.keys()) if (seq <= cert.seq) this.attests.delete(seq);
    for (const seq of this.myAttests.keys()) if (seq < cert.seq) this.myAttests.delete(seq);
    for (const seq of this.certifiedSeqs) if (seq <= cert.seq) this.certifiedSeqs.delete(seq);
    if (this.knownCheckpoint !== null && this.knownCheckpoint.seq <= cert.seq) this.knownCheckpoint = null;
    this.tryPropose();
  }

  /** A verified checkpoint certificate learned from a view change. */
  noteCheckpoint(cert: StateCertificate): void {
    if (cert.seq <= this.lowWatermark) return;
    if (cert.seq > this.knownCommitted) this.knownCommitted = cert.seq;
    if (this.myAttests.has(cert.seq)) this.adoptCheckpoint(cert);
    else if (this.knownCheckpoint === null || cert.seq > this.knownCheckpoint.seq)
      this.knownCheckpoint = cert;
  }

  /** Asks a peer for committed batches when this replica is known to be behind. */
  maybeFetch(): void {
    // One replica's word (its attest) is enough to ask it, after a longer wait: a lie costs one
    // fetch whose answer fails verification. With f+1 words at least one is honest.
    const claimed = this.highestClaimedByOthers();
    if (this.knownCommitted <= this.lastDelivered && claimed <= this.lastDelivered) {
      this.behindSince = null;
      this.fetchOutstanding = null;
      return;
    }
    if (this.behindSince === null) this.behindSince = this.now;
    const outstanding = this.fetchOutstanding;
    if (outstanding !== null && this.now - outstanding.sentTick < this.config.fetchTimeoutTicks) return;
    const waited = this.now - this.behindSince;
    const known = this.knownCommitted > this.lastDelivered;
    // Out of the window or not in a working view: the normal case cannot get there; fetch now.
    const urgent = known && (this.knownCommitted > this.highWatermark || !this.active);
    const patience = known ? this.config.fetchTimeoutTicks : 2 * this.config.fetchTimeoutTicks;
    if (!urgent && outstanding === null && waited < patience) return;
    this.requestBatches();
  }

  private highestClaimedByOthers(): number {
    let highest = 0;
    for (const [replica, a] of this.latestAttest) if (replica !== this.id && a.seq > highest) highest = a.seq;
    return highest;
  }

  requestBatches(): void {
    const ahead = [...this.latestAttest.entries()]
      .filter(([replica, a]) => replica !== this.id && a.seq > this.lastDelivered)
      .map(([replica]) => replica)
      .sort((a, b) => a - b);
    const others = [...Array(this.config.n).keys()].filter((r) => r !== this.id);
    const peers = ahead.length > 0 ? ahead : others;
    const peer = peers[this.fetchAttempts % peers.length]!;
    this.fetchAttempts++;
    const fromSeq = this.lastDelivered + 1;
    const target = Math.max(this.knownCommitted, this.highestClaimedByOthers(), fromSeq);
    const toSeq = Math.min(target, this.lastDelivered + this.config.fetchBatchesMax);
    this.emitFetch({ from: peer, fromSeq, toSeq });
    this.fetchOutstanding = { peer, sentTick: this.now };
  }

  onBatches(from: ReplicaId, m: Msg<'batches'>): void {
    if (m.replica !== from) {
      this.drop('senderMismatch');
      return;
    }
    let progressed = false;
    for (const batch of m.batches) {
      if (batch.seq <= this.lastDelivered) continue;
      if (batch.seq !== this.lastDelivered + 1) {
        this.drop('batchGap');
        break;
      }
      if (!this.batchValid(batch)) {
        this.drop('badBatch');
        break;
      }
      this.deliverBatch(batch);
      progressed = true;
    }
    if (!progressed) return;
    this.fetchOutstanding = null;
    if (Math.max(this.knownCommitted, this.highestClaimedByOthers()) > this.lastDelivered)
      this.requestBatches();
    this.deliverReady();
  }

  /** A fetched batch must carry a quorum commit certificate for exactly its digest. */
  batchValid(batch: CommittedBatch): boolean {
    const cert = batch.certificate;
    if (cert.seq !== batch.seq || cert.view !== batch.view) return false;
    if (batch.requests.length > this.config.batchRequestsMax) return false;
    if (!sameBytes(batchDigestOf(this.crypto, batch.requests), cert.batchDigest)) return false;
    const message = commitVoteBytes(cert.view, cert.seq, cert.batchDigest);
    const verify = this.crypto.verifyReplica.bind(this.crypto);
    const options = { n: this.config.n, needed: this.config.quorum };
    return countValidSignatures(cert.signatures, message, verify, options) >= this.config.quorum;
  }
}
