import { commitVoteBytes, isSuyuanError } from '@suyuan/shared';
import { resolveConfig } from './config.ts';
import { newSlot, resetSlotView } from './core-base.ts';
import { BodyFetching } from './core-bodies.ts';
import { shapeProblem } from './shape.ts';
import { prePrepareBytes, prepareBytes } from './statements.ts';
import type {
  ConsensusConfig,
  ConsensusCrypto,
  ConsensusMessage,
  ConsensusStatus,
  ReplicaCore,
  ReplicaId,
  RestoredState,
} from './types.ts';

/** The PBFT replica: a pure state machine driven by tick/step/propose/executed and ready/advance. */
class PbftReplica extends BodyFetching implements ReplicaCore {
  tick(): void {
    this.now++;
    this.tickTimers();
    this.maybeFetch();
    if (this.now % this.config.retransmitTicks === 0) {
      this.retransmit();
      this.refetchBodies();
    }
    this.tryPropose();
  }

  step(from: ReplicaId, message: ConsensusMessage): void {
    if (!Number.isInteger(from) || from < 0 || from >= this.config.n || from === this.id) {
      this.drop('badSender');
      return;
    }
    const problem = shapeProblem(message);
    if (problem !== null) {
      this.drop('malformed');
      return;
    }
    try {
      this.dispatch(from, message);
    } catch (error) {
      // Only decoding of nested payloads throws InputError; anything else is our bug and surfaces.
      if (!isSuyuanError(error, 'consensus.malformed')) throw error;
      this.drop('malformed');
    }
  }

  private dispatch(from: ReplicaId, message: ConsensusMessage): void {
    const t = message.type;
    if (t === 'request') this.onRequest(message);
    else if (t === 'prePrepare') {
      if (!this.refusesConflictWithAwaited(message)) this.onPrePrepare(from, message);
    } else if (t === 'prepare' || t === 'commit') this.onVote(from, message);
    else if (t === 'attest') this.onAttest(from, message);
    else if (t === 'viewChange') this.onViewChange(from, message);
    else if (t === 'newView') this.onNewView(from, message);
    else if (t === 'batches') this.onBatches(from, message);
    else if (t === 'fetchBody') this.onFetchBody(from, message);
    else if (t === 'body') this.onBody(from, message);
    // fetchBatches is served by the application from its store of committed batches, not the core.
    else this.drop('appMessage');
  }

  /** Re-sends what peers may have lost: the network can drop anything. */
  private retransmit(): void {
    if (!this.active) {
      if (this.myViewChange !== null) this.send('all', this.myViewChange);
    } else {
      this.retransmitVotes();
      if (!this.isPrimary) this.retransmitRequests();
    }
    const latest = this.myAttests.get(this.lastExecuted);
    if (latest !== undefined) this.sendAttest(this.lastExecuted, latest);
    const checkpointSeq = this.lastExecuted - (this.lastExecuted % this.config.checkpointInterval);
    const checkpoint = this.myAttests.get(checkpointSeq);
    if (checkpointSeq !== this.lastExecuted && checkpoint !== undefined)
      this.sendAttest(checkpointSeq, checkpoint);
  }

  /**
   * Backup: re-sends the oldest queued requests to the primary. A request a client gave us that has
   * not executed within a whole retransmit period goes to every replica instead (TOCS'02 §4.4 has
   * the client broadcast after its timeout; our clients, the gateways, talk to one replica at a
   * time). Without it, a silent primary is suspected by the entry backup alone, which waits in the
   * next view for f+1 that never come, because the other backups hold nothing to time out on.
   * Those replicas queue it as from a peer (they do not relay it again), so it costs at most n - 1
   * copies per retransmit while the request is late, and nothing while the primary keeps up.
   */
  private retransmitRequests(): void {
    let count = 0;
    for (const entry of this.queue.values()) {
      if (count++ >= this.config.batchRequestsMax) break;
      const stale = entry.fromClient && this.now - entry.arrivedTick >= this.config.retransmitTicks;
      this.send(stale ? 'all' : this.primary, { type: 'request', request: entry.request });
    }
  }

  private sendAttest(seq: number, vote: { digest: Uint8Array; signature: Uint8Array }): void {
    const { digest: stateDigest, signature } = vote;
    this.send('all', { type: 'attest', seq, stateDigest, replica: this.id, signature });
  }

  /** Own votes for the current view's slots, to each peer that has not executed them yet. */
  private retransmitVotes(): void {
    const slots = [...this.slots.values()]
      .filter((s) => s.view === this.view && s.batchDigest !== null)
      .sort((a, b) => a.seq - b.seq);
    for (let peer = 0; peer < this.config.n; peer++) {
      if (peer === this.id) continue;
      const executed = Math.max(this.latestAttest.get(peer)?.seq ?? 0, this.lowWatermark);
      for (const slot of slots) {
        if (slot.seq <= executed) continue;
        const { view, seq } = slot;
        const batchDigest = slot.batchDigest!;
        if (this.isPrimary && slot.prePrepareSignature !== null) {
          const requests = slot.requests ?? [];
          const signature = slot.prePrepareSignature;
          this.send(peer, { type: 'prePrepare', view, seq, batchDigest, requests, signature });
        }
        const prepare = slot.prepares.get(this.id);
        if (slot.sentPrepare && prepare !== undefined) {
          this.send(peer, {
            type: 'prepare',
            view,
            seq,
            batchDigest,
            replica: this.id,
            signature: prepare.signature,
          });
        }
        const commit = slot.commits.get(this.id);
        if (slot.sentCommit && commit !== undefined) {
          this.send(peer, {
            type: 'commit',
            view,
            seq,
            batchDigest,
            replica: this.id,
            signature: commit.signature,
          });
        }
      }
    }
  }

  status(): ConsensusStatus {
    return {
      replica: this.id,
      view: this.view,
      primary: this.primary,
      lastExecuted: this.lastExecuted,
      lastStableCheckpoint: this.lowWatermark,
      lowWatermark: this.lowWatermark,
      highWatermark: this.highWatermark,
      pendingRequests: this.queue.size + this.inflight.size,
      inViewChange: !this.active,
      dropped: { ...this.dropped },
    };
  }

  /** Rebuilds state from persisted records; votes are re-signed (Ed25519 is deterministic). */
  restore(restored: RestoredState): void {
    for (const record of restored.records) {
      switch (record.kind) {
        case 'view':
          if (record.view > this.view) this.view = record.view;
          break;
        case 'log': {
          const slot = this.slots.get(record.seq) ?? newSlot(record.seq, record.view);
          if (record.view >= slot.view) {
            resetSlotView(slot, record.view);
            slot.batchDigest = record.batchDigest;
            slot.requests = record.requests;
          }
          this.slots.set(record.seq, slot);
          break;
        }
        case 'prepared': {
          const cert = record.certificate;
          const slot = this.slots.get(cert.seq) ?? newSlot(cert.seq, cert.view);
          if (slot.preparedCertificate === null || cert.view >= slot.preparedCertificate.view) {
            slot.preparedCertificate = cert;
          }
          this.slots.set(cert.seq, slot);
          break;
        }
        case 'stableCheckpoint':
          if (record.certificate.seq > this.lowWatermark) {
            this.stableCheckpoint = record.certificate;
            this.lowWatermark = record.certificate.seq;
          }
          break;
        case 'truncateBelow':
          for (const seq of this.slots.keys()) if (seq < record.seq) this.slots.delete(seq);
          break;
      }
    }
    this.lastExecuted = restored.lastExecuted;
    this.lastDelivered = restored.lastExecuted;
    this.knownCommitted = Math.max(this.lowWatermark, restored.lastExecuted);
    this.resumeSlots();
    this.reattest(restored);
    if (this.view > 0) {
      // We may have missed the NEW-VIEW of this view: ask for it by re-announcing the view change.
      this.active = false;
      this.startViewChangeAfterRestart();
    }
    this.requestBatches();
  }

  private resumeSlots(): void {
    for (const slot of this.slots.values()) {
      if (slot.seq <= this.lowWatermark) {
        this.slots.delete(slot.seq);
        continue;
      }
      if (slot.view !== this.view || slot.batchDigest === null) continue;
      const { view, seq, batchDigest } = slot;
      if (this.isPrimary) {
        slot.prePrepareSignature = this.crypto.sign(prePrepareBytes(view, seq, batchDigest));
        this.nextSeq = Math.max(this.nextSeq, seq + 1);
      } else {
        slot.prepares.set(this.id, {
          digest: batchDigest,
          signature: this.crypto.sign(prepareBytes(view, seq, batchDigest)),
        });
        slot.sentPrepare = true;
      }
      const cert = slot.preparedCertificate;
      if (cert !== null && cert.view === view) {
        slot.prePrepareSignature = cert.prePrepareSignature;
        slot.prepared = true;
        for (const p of cert.prepares)
          slot.prepares.set(p.replica, { digest: batchDigest, signature: p.signature });
        slot.commits.set(this.id, {
          digest: batchDigest,
          signature: this.crypto.sign(commitVoteBytes(view, seq, batchDigest)),
        });
        slot.sentCommit = true;
      }
    }
    this.nextSeq = Math.max(this.nextSeq, this.lastDelivered + 1, this.lowWatermark + 1);
  }

  /** Re-signs attests for checkpoints above the stable one and for lastExecuted (deterministic). */
  private reattest(restored: RestoredState): void {
    const digestAt = restored.stateDigestAt;
    if (digestAt === undefined) return;
    const k = this.config.checkpointInterval;
    const seqs = new Set<number>();
    for (let seq = this.lowWatermark + k; seq <= this.lastExecuted; seq += k) seqs.add(seq);
    if (this.lastExecuted > this.lowWatermark) seqs.add(this.lastExecuted);
    for (const seq of [...seqs].sort((a, b) => a - b)) {
      const digest = digestAt(seq);
      if (digest instanceof Uint8Array && digest.length === 32) this.attest(seq, digest);
    }
  }

  private startViewChangeAfterRestart(): void {
    const view = this.view;
    this.view = view - 1;
    this.vcAttempts = 0;
    this.startViewChange(view);
  }
}

export function createReplicaCore(options: {
  id: ReplicaId;
  config: ConsensusConfig;
  crypto: ConsensusCrypto;
  restored?: RestoredState;
}): ReplicaCore {
  const config = resolveConfig(options.config);
  const replica = new PbftReplica(options.id, config, options.crypto);
  if (!Number.isInteger(options.id) || options.id < 0 || options.id >= config.n) {
    throw new RangeError(`replica id ${options.id} is not in [0, ${config.n})`);
  }
  if (options.restored !== undefined) replica.restore(options.restored);
  return replica;
}
