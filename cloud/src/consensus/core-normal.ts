import { commitVoteBytes } from '@suyuan/shared';
import { wireLimits } from './codec.ts';
import { CoreBase, type PendingRequest, type Slot, sameBytes } from './core-base.ts';
import { batchDigestOf, prePrepareBytes, prepareBytes, requestBytes, requestKey } from './statements.ts';
import type { ClientRequest, CommittedBatch, ConsensusMessage, ProposeResult, ReplicaId } from './types.ts';

type Msg<T extends ConsensusMessage['type']> = Extract<ConsensusMessage, { type: T }>;

/** Normal-case operation: requests, batching, pre-prepare / prepare / commit, in-order delivery. */
export abstract class NormalCase extends CoreBase {
  /** Shape, size and client authentication of a request; counts the reason when it fails. */
  requestAcceptable(request: ClientRequest): boolean {
    const ok =
      typeof request.submitter === 'string' &&
      request.submitter.length > 0 &&
      request.submitter.length <= wireLimits.submitterBytesMax &&
      Number.isSafeInteger(request.seq) &&
      request.seq >= 0 &&
      request.body instanceof Uint8Array &&
      request.body.length <= Math.min(this.config.batchBytesMax, wireLimits.requestBodyBytesMax);
    if (!ok) {
      this.drop('badRequest');
      return false;
    }
    if (!this.crypto.verifyRequest(request)) {
      this.drop('badRequestSignature');
      return false;
    }
    return true;
  }

  propose(request: ClientRequest): ProposeResult {
    if (!this.requestAcceptable(request)) return 'rejected';
    const result = this.enqueue(request, true);
    if (result !== 'accepted') return result;
    if (this.active && this.isPrimary) {
      this.tryPropose();
      return 'accepted';
    }
    if (this.active) this.send(this.primary, { type: 'request', request });
    return 'forwarded';
  }

  enqueue(request: ClientRequest, fromClient: boolean): ProposeResult {
    const key = requestKey(request);
    const queued = this.queue.get(key);
    if (queued !== undefined) {
      // A client retrying here after it reached another replica: we relay it too from now on.
      queued.fromClient ||= fromClient;
      return 'duplicate';
    }
    if (this.inflight.has(key) || this.recentlyDelivered.has(key)) return 'duplicate';
    if (this.queue.size + this.inflight.size >= this.config.pendingRequestsMax) return 'full';
    this.queue.set(key, { request, key, bytes: requestBytes(request), arrivedTick: this.now, fromClient });
    return 'accepted';
  }

  onRequest(message: Msg<'request'>): void {
    if (!this.requestAcceptable(message.request)) return;
    const result = this.enqueue(message.request, false);
    if (result === 'duplicate' || result === 'full') {
      this.drop(result === 'full' ? 'queueFull' : 'duplicate');
      return;
    }
    if (this.active && this.isPrimary) this.tryPropose();
  }

  /** Primary: cut batches while the window, the pipeline and the batching rule allow. */
  tryPropose(): void {
    if (!this.active || !this.isPrimary) return;
    while (this.nextSeq <= this.highWatermark) {
      if (this.nextSeq - 1 - this.lastDelivered >= this.config.inflightBatchesMax) return;
      const batch = this.takeBatch();
      if (batch === null) return;
      this.proposeBatch(batch);
    }
  }

  private takeBatch(): PendingRequest[] | null {
    const first = this.queue.values().next();
    if (first.done) return null;
    let count = 0;
    let bytes = 0;
    for (const entry of this.queue.values()) {
      count++;
      bytes += entry.bytes;
      if (count >= this.config.batchRequestsMax || bytes >= this.config.batchBytesMax) break;
    }
    const full = count >= this.config.batchRequestsMax || bytes >= this.config.batchBytesMax;
    if (!full && this.now - first.value.arrivedTick < this.config.batchDelayTicks) return null;
    const taken: PendingRequest[] = [];
    let takenBytes = 0;
    for (const entry of this.queue.values()) {
      if (taken.length >= this.config.batchRequestsMax) break;
      if (taken.length > 0 && takenBytes + entry.bytes > this.config.batchBytesMax) break;
      taken.push(entry);
      takenBytes += entry.bytes;
    }
    for (const entry of taken) {
      this.queue.delete(entry.key);
      this.inflight.set(entry.key, entry);
    }
    return taken;
  }

  private proposeBatch(entries: PendingRequest[]): void {
    const seq = this.nextSeq++;
    const requests = entries.map((e) => e.request);
    const batchDigest = batchDigestOf(this.crypto, requests);
    const signature = this.crypto.sign(prePrepareBytes(this.view, seq, batchDigest));
    const slot = this.slotFor(seq);
    this.acceptPrePrepare(slot, batchDigest, requests, signature);
    this.send('all', { type: 'prePrepare', view: this.view, seq, batchDigest, requests, signature });
    this.checkSlot(slot);
  }

  /** Records an accepted pre-prepare durably (so this replica never accepts another for it). */
  acceptPrePrepare(slot: Slot, digest: Uint8Array, requests: ClientRequest[], signature: Uint8Array): void {
    slot.batchDigest = digest;
    slot.requests = requests;
    slot.prePrepareSignature = signature;
    this.persist({ kind: 'log', seq: slot.seq, view: slot.view, batchDigest: digest, requests });
  }

  onPrePrepare(from: ReplicaId, m: Msg<'prePrepare'>): void {
    if (!this.checkVoteHeader(m.view, m.seq, from === this.primary && !this.isPrimary, 'notPrimary')) return;
    const slot = this.slotFor(m.seq);
    if (slot.batchDigest !== null) {
      if (sameBytes(slot.batchDigest, m.batchDigest)) {
        // After a restart the primary's signature is unknown; a verified re-send restores it.
        if (slot.prePrepareSignature === null && this.verifyPrePrepare(m))
          slot.prePrepareSignature = m.signature;
        this.drop('duplicate');
      } else {
        this.drop('conflictingPrePrepare');
      }
      return;
    }
    if (m.requests.length > this.config.batchRequestsMax) {
      this.drop('batchTooLarge');
      return;
    }
    if (!sameBytes(batchDigestOf(this.crypto, m.requests), m.batchDigest)) {
      this.drop('badDigest');
      return;
    }
    if (!this.verifyPrePrepare(m)) {
      this.drop('badSignature');
      return;
    }
    for (const request of m.requests) if (!this.requestAcceptable(request)) return;
    this.acceptPrePrepare(slot, m.batchDigest, m.requests, m.signature);
    this.sendPrepare(slot);
    this.checkSlot(slot);
  }

  private verifyPrePrepare(m: Msg<'prePrepare'>): boolean {
    return this.crypto.verifyReplica(
      this.primary,
      prePrepareBytes(m.view, m.seq, m.batchDigest),
      m.signature,
    );
  }

  sendPrepare(slot: Slot): void {
    if (this.isPrimary || slot.batchDigest === null) return;
    const signature = this.crypto.sign(prepareBytes(slot.view, slot.seq, slot.batchDigest));
    slot.prepares.set(this.id, { digest: slot.batchDigest, signature });
    slot.sentPrepare = true;
    const { view, seq, batchDigest } = slot;
    this.send('all', { type: 'prepare', view, seq, batchDigest, replica: this.id, signature });
  }

  /** View, window and sender checks shared by pre-prepare, prepare and commit. */
  checkVoteHeader(view: number, seq: number, senderOk: boolean, senderReason: string): boolean {
    if (view !== this.view) {
      this.drop('wrongView');
      return false;
    }
    if (!senderOk) {
      this.drop(senderReason);
      return false;
    }
    if (!this.active) {
      this.drop('inViewChange');
      return false;
    }
    if (!this.inWindow(seq)) {
      this.drop('outOfWindow');
      return false;
    }
    return true;
  }

  onVote(from: ReplicaId, m: Msg<'prepare'> | Msg<'commit'>): void {
    const isPrepare = m.type === 'prepare';
    const senderOk = m.replica === from && from !== this.id && from >= 0 && from < this.config.n;
    if (!senderOk) {
      this.drop('senderMismatch');
      return;
    }
    if (isPrepare && from === this.primary && m.view === this.view) {
      this.drop('primaryPrepare');
      return;
    }
    if (m.view > this.view) {
      const bytes = isPrepare
        ? prepareBytes(m.view, m.seq, m.batchDigest)
        : commitVoteBytes(m.view, m.seq, m.batchDigest);
      if (this.crypto.verifyReplica(from, bytes, m.signature)) this.noteHigherView(from, m.view);
    }
    if (!this.checkVoteHeader(m.view, m.seq, true, '')) return;
    const slot = this.slotFor(m.seq);
    const votes = isPrepare ? slot.prepares : slot.commits;
    const existing = votes.get(from);
    if (existing !== undefined) {
      this.drop(sameBytes(existing.signature, m.signature) ? 'duplicate' : 'conflictingVote');
      return;
    }
    const bytes = isPrepare
      ? prepareBytes(m.view, m.seq, m.batchDigest)
      : commitVoteBytes(m.view, m.seq, m.batchDigest);
    if (!this.crypto.verifyReplica(from, bytes, m.signature)) {
      this.drop('badSignature');
      return;
    }
    votes.set(from, { digest: m.batchDigest, signature: m.signature });
    this.checkSlot(slot);
  }

  private countMatching(votes: Map<ReplicaId, { digest: Uint8Array }>, digest: Uint8Array): number {
    let count = 0;
    for (const vote of votes.values()) if (sameBytes(vote.digest, digest)) count++;
    return count;
  }

  /** prepared = pre-prepare + quorum-1 matching prepares; committed-local = prepared + quorum commits. */
  checkSlot(slot: Slot): void {
    const digest = slot.batchDigest;
    if (digest === null || slot.view !== this.view || !this.active) return;
    if (!slot.prepared && slot.prePrepareSignature !== null) {
      if (this.countMatching(slot.prepares, digest) >= this.config.quorum - 1) this.onPrepared(slot, digest);
    }
    if (slot.prepared && !slot.committedLocal) {
      if (this.countMatching(slot.commits, digest) >= this.config.commitQuorum) {
        slot.committedLocal = true;
        this.deliverReady();
      }
    }
  }

  private onPrepared(slot: Slot, digest: Uint8Array): void {
    slot.prepared = true;
    const prepares = [...slot.prepares.entries()]
      .filter(([, vote]) => sameBytes(vote.digest, digest))
      .sort(([a], [b]) => a - b)
      .slice(0, this.config.quorum - 1)
      .map(([replica, vote]) => ({ replica, signature: vote.signature }));
    const certificate = {
      view: slot.view,
      seq: slot.seq,
      batchDigest: digest,
      requests: slot.requests ?? [],
      prePrepareSignature: slot.prePrepareSignature!,
      prepares,
    };
    slot.preparedCertificate = certificate;
    this.persist({ kind: 'prepared', certificate });
    this.sendCommit(slot);
  }

  sendCommit(slot: Slot): void {
    if (slot.batchDigest === null) return;
    const signature = this.crypto.sign(commitVoteBytes(slot.view, slot.seq, slot.batchDigest));
    slot.commits.set(this.id, { digest: slot.batchDigest, signature });
    slot.sentCommit = true;
    const { view, seq, batchDigest } = slot;
    this.send('all', { type: 'commit', view, seq, batchDigest, replica: this.id, signature });
  }

  /** Hands out committed slots in seq order. */
  deliverReady(): void {
    for (;;) {
      const slot = this.slots.get(this.lastDelivered + 1);
      if (slot === undefined || !slot.committedLocal || slot.batchDigest === null) return;
      const certificate = this.commitCertificateOf(slot, slot.batchDigest);
      this.deliverBatch({ seq: slot.seq, view: slot.view, requests: slot.requests ?? [], certificate });
    }
  }

  /** Both delivery paths (local commit, state transfer) end here. */
  deliverBatch(batch: CommittedBatch): void {
    this.lastDelivered = batch.seq;
    const slot = this.slots.get(batch.seq);
    if (slot !== undefined) {
      slot.committedDigest = batch.certificate.batchDigest;
      // A different batch committed here (learned by state transfer): ours must be ordered again.
      if (slot.batchDigest !== null && !sameBytes(slot.batchDigest, slot.committedDigest)) {
        this.requeue(slot.requests ?? []);
      }
    }
    for (const request of batch.requests) {
      const key = requestKey(request);
      this.queue.delete(key);
      this.inflight.delete(key);
      this.rememberDelivered(key);
    }
    this.emitCommitted(batch);
    this.onProgress();
  }

  /** Moves requests assigned to an abandoned proposal back to the queue. */
  requeue(requests: readonly ClientRequest[]): void {
    for (const request of requests) {
      const key = requestKey(request);
      const entry = this.inflight.get(key);
      if (entry === undefined) continue;
      this.inflight.delete(key);
      this.queue.set(key, entry);
    }
  }

  private rememberDelivered(key: string): void {
    this.recentlyDelivered.add(key);
    if (this.recentlyDelivered.size > this.config.pendingRequestsMax) {
      const oldest = this.recentlyDelivered.values().next();
      if (!oldest.done) this.recentlyDelivered.delete(oldest.value);
    }
  }

  abstract onProgress(): void;
  abstract noteHigherView(replica: ReplicaId, view: number): void;
}
