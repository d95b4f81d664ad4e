import { sameBytes } from './core-base.ts';
import { ViewChanging } from './core-viewchange.ts';
import { batchDigestOf } from './statements.ts';
import type { ClientRequest, ConsensusMessage, ReplicaId } from './types.ts';

type Msg<T extends ConsensusMessage['type']> = Extract<ConsensusMessage, { type: T }>;

/** An O entry of the current view whose body this replica does not hold yet. */
interface AwaitedBody {
  batchDigest: Uint8Array;
  /** The new primary's pre-prepare signature from the NEW-VIEW's O set. */
  signature: Uint8Array;
}

/**
 * Batch bodies for NEW-VIEW entries. VIEW-CHANGE and NEW-VIEW carry prepared certificates as
 * digests only (the signatures cover the digest), so they stay far below the frame limit whatever
 * the batch size. A replica entering the view that lacks the body of an O entry asks every peer
 * (FETCH-BODY); any replica that holds a body with that digest answers (BODY), and the receiver
 * accepts it only if it hashes to the digest it asked for, so a faulty peer can delay but not
 * substitute. A prepared batch was prepared by a quorum, so at least f+1 honest replicas hold it
 * (in the slot, its prepared certificate, or the body kept from the earlier view).
 * Until the body arrives the slot neither prepares nor executes; a quorum that commits without this
 * replica still lets it catch up by state transfer.
 */
export abstract class BodyFetching extends ViewChanging {
  /** seq → awaited body; at most one per seq of the window, cleared on every view change. */
  awaitingBodies = new Map<number, AwaitedBody>();

  knownBody(seq: number, digest: Uint8Array): ClientRequest[] | null {
    const slot = this.slots.get(seq);
    if (slot === undefined) return null;
    if (slot.batchDigest !== null && slot.requests !== null && sameBytes(slot.batchDigest, digest)) {
      return slot.requests;
    }
    const cert = slot.preparedCertificate;
    if (cert !== null && sameBytes(cert.batchDigest, digest)) return cert.requests;
    const previous = slot.previousBody;
    if (previous !== null && sameBytes(previous.digest, digest)) return previous.requests;
    return null;
  }

  awaitBody(seq: number, batchDigest: Uint8Array, signature: Uint8Array): void {
    this.awaitingBodies.set(seq, { batchDigest, signature });
    this.send('all', { type: 'fetchBody', seq, batchDigest, replica: this.id });
  }

  onFetchBody(from: ReplicaId, m: Msg<'fetchBody'>): void {
    if (m.replica !== from) {
      this.drop('senderMismatch');
      return;
    }
    const requests = this.knownBody(m.seq, m.batchDigest);
    if (requests === null) {
      this.drop('bodyUnknown');
      return;
    }
    this.send(from, { type: 'body', seq: m.seq, batchDigest: m.batchDigest, requests, replica: this.id });
  }

  onBody(from: ReplicaId, m: Msg<'body'>): void {
    const awaited = this.awaitingBodies.get(m.seq);
    if (m.replica !== from || awaited === undefined || !sameBytes(awaited.batchDigest, m.batchDigest)) {
      this.drop('unaskedBody');
      return;
    }
    if (
      m.requests.length > this.config.batchRequestsMax ||
      !sameBytes(batchDigestOf(this.crypto, m.requests), awaited.batchDigest)
    ) {
      this.drop('badDigest');
      return;
    }
    this.awaitingBodies.delete(m.seq);
    if (!this.active || m.seq <= Math.max(this.lowWatermark, this.lastDelivered)) return;
    const slot = this.enterOrder(m.seq, awaited.batchDigest, m.requests, awaited.signature);
    this.checkSlot(slot);
    this.deliverReady();
    this.tryPropose();
  }

  /**
   * A PRE-PREPARE for a seq whose NEW-VIEW body this replica still awaits. The NEW-VIEW already fixed
   * the digest for (view, seq), so any other digest is refused here: without this an empty slot
   * would accept it, and a primary that forgot its NEW-VIEW (a restarted primary without its log,
   * a replaced gpbft representative) could get two digests prepared for one (view, seq). A
   * pre-prepare with the awaited digest goes the normal way (it verifies the body and brings it).
   * Returns true when the message was handled (refused) here.
   */
  refusesConflictWithAwaited(m: Msg<'prePrepare'>): boolean {
    const awaited = this.awaitingBodies.get(m.seq);
    if (awaited === undefined || m.view !== this.view) return false;
    if (sameBytes(awaited.batchDigest, m.batchDigest)) return false;
    this.drop('conflictsWithNewView');
    return true;
  }

  /** Retransmission: ask again for bodies still missing (the network may lose either message). */
  refetchBodies(): void {
    for (const [seq, awaited] of this.awaitingBodies) {
      const slot = this.slots.get(seq);
      const arrived = slot?.batchDigest != null && sameBytes(slot.batchDigest, awaited.batchDigest);
      if (arrived || seq <= Math.max(this.lowWatermark, this.lastDelivered)) {
        this.awaitingBodies.delete(seq);
        continue;
      }
      this.send('all', { type: 'fetchBody', seq, batchDigest: awaited.batchDigest, replica: this.id });
    }
  }
}
