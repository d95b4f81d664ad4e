import { primaryOf } from './config.ts';
import { type StoredViewChange, sameBytes } from './core-base.ts';
import { Checkpointing } from './core-checkpoint.ts';
import {
  decodeNewViewPayload,
  decodeViewChangePayload,
  encodeNewViewPayload,
  encodeViewChangePayload,
  type NewViewOrder,
  type ViewChangePayload,
} from './payload.ts';
import { newViewBytes, prePrepareBytes, requestKey, viewChangeBytes } from './statements.ts';
import type { ClientRequest, ConsensusMessage, PreparedProof, ReplicaId } from './types.ts';
import { computeNewViewPlan, type NewViewPlan, viewChangeInvalidReason } from './viewchange.ts';

type Msg<T extends ConsensusMessage['type']> = Extract<ConsensusMessage, { type: T }>;

/**
 * View change (TOCS'02 §4.4): timeouts with exponential backoff, VIEW-CHANGE with the stable
 * checkpoint and prepared certificates, NEW-VIEW with the O set, and the f+1 join rule.
 */
export abstract class ViewChanging extends Checkpointing {
  /** Each replica's latest verified view change (this replica's own included). */
  viewChanges = new Map<ReplicaId, StoredViewChange>();
  /** Verified evidence that a replica is in a view above ours. */
  higherViews = new Map<ReplicaId, number>();
  /** The NEW-VIEW that started the current view (re-sent to replicas stuck in older views). */
  currentNewView: Msg<'newView'> | null = null;
  myViewChange: Msg<'viewChange'> | null = null;
  /** Consecutive view changes without progress: the timeout doubles with each. */
  vcAttempts = 0;
  timerStart: number | null = null;

  timeoutTicks(): number {
    const { viewChangeTimeoutTicks: base, viewChangeTimeoutTicksMax: max } = this.config;
    return Math.min(base * 2 ** Math.min(this.vcAttempts, 30), max);
  }

  onProgress(): void {
    this.vcAttempts = 0;
    this.timerStart = this.queue.size + this.inflight.size > 0 ? this.now : null;
    if (this.knownCommitted > this.lastDelivered) this.behindSince = this.now;
  }

  /**
   * Replicas time out on requests that do not commit, the primary too (it may be the one left
   * behind in an old view); a view change times out on its new view.
   */
  tickTimers(): void {
    if (this.active && this.queue.size + this.inflight.size === 0) {
      this.timerStart = null;
      return;
    }
    // In a view change the timer only runs once a quorum is in this view too (TOCS'02 §4.5.2):
    // a replica never escalates alone, so honest replicas cannot drift apart view by view.
    if (!this.active && this.viewChangesAtLeast(this.view) < this.config.quorum) {
      this.timerStart = null;
      return;
    }
    if (this.timerStart === null) {
      this.timerStart = this.now;
      return;
    }
    if (this.now - this.timerStart >= this.timeoutTicks()) this.startViewChange(this.view + 1);
  }

  /** Replicas whose latest view change is for `view` or later (later ones passed through it). */
  private viewChangesAtLeast(view: number): number {
    let count = 0;
    for (const vc of this.viewChanges.values()) if (vc.view >= view) count++;
    return count;
  }

  startViewChange(newView: number): void {
    if (newView <= this.view) return;
    this.view = newView;
    this.active = false;
    this.vcAttempts++;
    this.timerStart = null;
    this.persist({ kind: 'view', view: newView });
    this.requeue([...this.inflight.values()].map((e) => e.request));
    this.awaitingBodies.clear();
    const prepared: PreparedProof[] = [];
    for (const slot of [...this.slots.values()].sort((a, b) => a.seq - b.seq)) {
      const cert = slot.preparedCertificate;
      if (slot.seq > this.lowWatermark && cert !== null) {
        const { view, seq, batchDigest, prePrepareSignature, prepares } = cert;
        prepared.push({ view, seq, batchDigest, prePrepareSignature, prepares });
      }
    }
    const decoded: ViewChangePayload = { checkpoint: this.stableCheckpoint, prepared };
    const payload = encodeViewChangePayload(decoded);
    const signature = this.crypto.sign(viewChangeBytes(newView, this.id, payload));
    this.viewChanges.set(this.id, { view: newView, payload, signature, decoded });
    this.myViewChange = { type: 'viewChange', newView, replica: this.id, payload, signature };
    this.send('all', this.myViewChange);
    for (const [replica, view] of this.higherViews) if (view <= newView) this.higherViews.delete(replica);
    this.tryNewView();
  }

  onViewChange(from: ReplicaId, m: Msg<'viewChange'>): void {
    if (m.replica !== from || from === this.id) {
      this.drop('senderMismatch');
      return;
    }
    if (m.newView < this.view || (m.newView === this.view && this.active)) {
      // The sender is behind: the NEW-VIEW of our view proves where everyone went.
      if (this.active && this.currentNewView !== null) this.send(from, this.currentNewView);
      this.drop('staleView');
      return;
    }
    const stored = this.viewChanges.get(from);
    if (stored !== undefined && stored.view >= m.newView) {
      this.drop(sameBytes(stored.signature, m.signature) ? 'duplicate' : 'staleView');
      return;
    }
    const decoded = this.verifyViewChange(from, m.newView, m.payload, m.signature);
    if (decoded === null) return;
    this.viewChanges.set(from, { view: m.newView, payload: m.payload, signature: m.signature, decoded });
    this.noteHigherView(from, m.newView);
    this.tryNewView();
  }

  /** Signature, encoding and content of one view change; null (and counted) when invalid. */
  private verifyViewChange(
    replica: ReplicaId,
    view: number,
    payload: Uint8Array,
    signature: Uint8Array,
  ): ViewChangePayload | null {
    if (!this.crypto.verifyReplica(replica, viewChangeBytes(view, replica, payload), signature)) {
      this.drop('badSignature');
      return null;
    }
    const decoded = decodeViewChangePayload(payload);
    const reason = viewChangeInvalidReason(this, view, decoded);
    if (reason !== null) {
      this.drop(reason);
      return null;
    }
    return decoded;
  }

  /** f+1 replicas in higher views include an honest one: join the highest view f+1 support. */
  noteHigherView(replica: ReplicaId, view: number): void {
    if (view <= this.view) return;
    if ((this.higherViews.get(replica) ?? -1) < view) this.higherViews.set(replica, view);
    const views = [...this.higherViews.values()].filter((v) => v > this.view).sort((a, b) => b - a);
    const target = views[this.config.f];
    if (target !== undefined) this.startViewChange(target);
  }

  private tryNewView(): void {
    if (this.active || !this.isPrimary) return;
    // Slots logged in this view mean we already sent its NEW-VIEW before a restart: a second,
    // different one would be equivocation. Peers forward the first one back to us instead.
    for (const slot of this.slots.values()) if (slot.view === this.view && slot.batchDigest !== null) return;
    const candidates = [...this.viewChanges.entries()]
      .filter(([, vc]) => vc.view === this.view)
      .sort(([a], [b]) => (a === this.id ? -1 : b === this.id ? 1 : a - b))
      .slice(0, this.config.quorum);
    if (candidates.length < this.config.quorum) return;
    const plan = computeNewViewPlan(
      this,
      candidates.map(([, vc]) => vc.decoded),
    );
    const orders: NewViewOrder[] = plan.entries.map((e) => ({
      seq: e.seq,
      batchDigest: e.batchDigest,
      signature: this.crypto.sign(prePrepareBytes(this.view, e.seq, e.batchDigest)),
    }));
    const viewChanges = candidates.map(([replica, vc]) => ({
      replica,
      payload: vc.payload,
      signature: vc.signature,
    }));
    const payload = encodeNewViewPayload({ viewChanges, orders });
    const signature = this.crypto.sign(newViewBytes(this.view, this.id, payload));
    const message: Msg<'newView'> = {
      type: 'newView',
      view: this.view,
      replica: this.id,
      payload,
      signature,
    };
    this.send('all', message);
    this.installNewView(message, plan, orders);
  }

  onNewView(from: ReplicaId, m: Msg<'newView'>): void {
    // Any replica may forward a NEW-VIEW (to one stuck in an older view); the primary's signature counts.
    if (m.replica !== primaryOf(m.view, this.config.n)) {
      this.drop('senderMismatch');
      return;
    }
    if (m.replica === this.id && from !== this.id && m.view === this.view && this.active) return;
    if (m.view < this.view || (m.view === this.view && this.active)) {
      this.drop('staleView');
      return;
    }
    if (!this.crypto.verifyReplica(m.replica, newViewBytes(m.view, m.replica, m.payload), m.signature)) {
      this.drop('badSignature');
      return;
    }
    const payload = decodeNewViewPayload(m.payload);
    const seen = new Set<ReplicaId>();
    const decoded: ViewChangePayload[] = [];
    for (const vc of payload.viewChanges) {
      if (seen.has(vc.replica) || vc.replica >= this.config.n) {
        this.drop('badNewView');
        return;
      }
      seen.add(vc.replica);
      const stored = this.viewChanges.get(vc.replica);
      if (stored !== undefined && stored.view === m.view && sameBytes(stored.signature, vc.signature)) {
        decoded.push(stored.decoded);
        continue;
      }
      const checked = this.verifyViewChange(vc.replica, m.view, vc.payload, vc.signature);
      if (checked === null) {
        this.drop('badNewView');
        return;
      }
      decoded.push(checked);
    }
    if (decoded.length < this.config.quorum) {
      this.drop('badNewView');
      return;
    }
    const plan = computeNewViewPlan(this, decoded);
    if (!this.ordersMatch(m.view, plan, payload.orders)) {
      this.drop('badNewView');
      return;
    }
    for (const entry of plan.entries) {
      const slot = this.slots.get(entry.seq);
      const logged = slot?.view === m.view ? slot.batchDigest : null;
      if (logged != null && !sameBytes(logged, entry.batchDigest)) {
        this.drop('conflictsWithLog');
        return;
      }
    }
    if (m.view > this.view) {
      this.view = m.view;
      this.persist({ kind: 'view', view: m.view });
    }
    this.installNewView(m, plan, payload.orders);
  }

  private ordersMatch(view: number, plan: NewViewPlan, orders: NewViewOrder[]): boolean {
    if (orders.length !== plan.entries.length) return false;
    const primary = primaryOf(view, this.config.n);
    return plan.entries.every((entry, i) => {
      const order = orders[i]!;
      if (order.seq !== entry.seq || !sameBytes(order.batchDigest, entry.batchDigest)) return false;
      return this.crypto.verifyReplica(
        primary,
        prePrepareBytes(view, order.seq, order.batchDigest),
        order.signature,
      );
    });
  }

  /** Enter the view: every O entry becomes an accepted pre-prepare; backups prepare them. */
  private installNewView(m: Msg<'newView'>, plan: NewViewPlan, orders: NewViewOrder[]): void {
    this.active = true;
    this.currentNewView = m;
    this.myViewChange = null;
    this.timerStart = this.queue.size + this.inflight.size > 0 ? this.now : null;
    for (const [replica, vc] of this.viewChanges) if (vc.view <= this.view) this.viewChanges.delete(replica);
    for (const [replica, view] of this.higherViews) if (view <= this.view) this.higherViews.delete(replica);
    this.requeue([...this.inflight.values()].map((e) => e.request));
    this.awaitingBodies.clear();
    const touched = [];
    for (const [i, entry] of plan.entries.entries()) {
      if (entry.seq <= this.lowWatermark) continue;
      const signature = orders[i]!.signature;
      const requests = entry.requests ?? this.knownBody(entry.seq, entry.batchDigest);
      if (requests === null) {
        // The slot enters this view now (as one whose body is known does), not with the body: an
        // earlier view's digest, votes and flags must not linger in it while the body is fetched.
        this.slotFor(entry.seq);
        this.awaitBody(entry.seq, entry.batchDigest, signature);
        continue;
      }
      touched.push(this.enterOrder(entry.seq, entry.batchDigest, requests, signature));
    }
    if (plan.checkpoint !== null) this.noteCheckpoint(plan.checkpoint);
    // Seqs this primary already assigned in this view (before a restart) are never reassigned.
    let assigned = plan.maxSeq;
    for (const slot of this.slots.values()) {
      if (slot.view === this.view && slot.batchDigest !== null) assigned = Math.max(assigned, slot.seq);
    }
    this.nextSeq = Math.max(assigned, this.lastDelivered, this.lowWatermark) + 1;
    if (!this.isPrimary) {
      for (const entry of this.queue.values())
        this.send(this.primary, { type: 'request', request: entry.request });
    }
    for (const slot of touched) this.checkSlot(slot);
    this.deliverReady();
    this.tryPropose();
    this.maybeFetch();
  }

  /** One O entry whose body is known: an accepted pre-prepare of this view; backups prepare it. */
  enterOrder(seq: number, digest: Uint8Array, requests: ClientRequest[], signature: Uint8Array) {
    const slot = this.slotFor(seq);
    if (slot.batchDigest === null) this.acceptPrePrepare(slot, digest, requests, signature);
    else slot.prePrepareSignature ??= signature;
    if (slot.committedDigest !== null && !sameBytes(slot.committedDigest, digest)) {
      this.drop('newViewConflict');
    }
    if (this.isPrimary) this.claimRequests(requests);
    else if (!slot.sentPrepare) this.sendPrepare(slot);
    return slot;
  }

  abstract awaitingBodies: Map<number, unknown>;
  abstract knownBody(seq: number, digest: Uint8Array): ClientRequest[] | null;
  abstract awaitBody(seq: number, digest: Uint8Array, signature: Uint8Array): void;

  /** New primary: requests already ordered by O must not be proposed again. */
  private claimRequests(requests: readonly { submitter: string; seq: number; body: Uint8Array }[]): void {
    for (const request of requests) {
      const key = requestKey(request);
      const entry = this.queue.get(key);
      if (entry === undefined) continue;
      this.queue.delete(key);
      this.inflight.set(key, entry);
    }
  }
}
