import { assert, isSuyuanError } from '@suyuan/shared';
import type {
  ClientRequest,
  CommittedBatch,
  ConsensusMessage,
  PersistRecord,
  ProposeResult,
} from '../consensus/types.ts';
import { certifiedPerMessageMax, type GroupedMessage, heldRecordsMax } from './messages.ts';
import { earlyTopMessagesMax, emptyReady, GroupedNodeBase } from './node-base.ts';
import type { GroupedCore, GroupedReady, GroupedStatus } from './types.ts';

/** Most state digests remembered for re-attesting after a role change (two windows is plenty). */
const digestsKeptMax = 4096;
/** Heartbeats in a row that may defer blame for a top-level view change. */
const deferralsMax = 8;
/** How far above the last certified top view a heartbeat's view hint is believed. */
const topViewHintSlack = 16;

/** Part 2 of the grouped node: the driving contract (same shape as the flat core) and inbound messages. */
export abstract class GroupedNodeInbound extends GroupedNodeBase implements GroupedCore {
  tick(): void {
    this.now++;
    this.groupCore.tick();
    this.topCore?.tick();
    if (this.s.flat) return;
    const period = this.s.retransmitTicks;
    if (this.topCore !== null && this.now % period === 0) {
      const top = this.topCore.status();
      this.sendMembers({
        layer: 'latest',
        seq: this.lastDelivered,
        topView: top.view,
        topViewChange: top.inViewChange,
      });
      this.offerPendingToTop();
    }
    if (this.now % period === 0) this.resendHold();
    if (this.knownTop > this.lastDelivered && this.now % period === Math.floor(period / 2)) this.catchUp();
    this.maybeSuspect();
  }

  step(from: number, message: GroupedMessage): void {
    if (!Number.isInteger(from) || from < 0 || from >= this.s.keys.publicKeys.length || from === this.s.id) {
      this.drop('badSender');
      return;
    }
    try {
      this.dispatch(from, message);
    } catch (error) {
      if (!isSuyuanError(error, 'consensus.malformed')) throw error;
      this.drop('malformed');
    }
  }

  propose(request: ClientRequest): ProposeResult {
    return this.groupCore.propose(request);
  }

  executed(seq: number, stateDigest: Uint8Array): void {
    assert(seq === this.appExecuted + 1, `executed(${seq}) out of order after ${this.appExecuted}`);
    assert(seq <= this.lastDelivered, `executed(${seq}) before it was delivered`);
    this.appExecuted = seq;
    this.appDigests.set(seq, stateDigest);
    this.appDigests.delete(seq - digestsKeptMax);
    if (this.s.flat) this.groupCore.executed(seq, stateDigest);
    else {
      this.feedTop();
      this.out.certified.push(...(this.certs?.executed(seq, stateDigest) ?? []));
    }
  }

  ready(): GroupedReady | null {
    this.pump();
    const rd = this.out;
    if (rd.persist.length + rd.messages.length + rd.committed.length + rd.certified.length === 0) return null;
    this.out = emptyReady();
    return rd;
  }

  advance(_ready: GroupedReady): void {
    // Everything was handed out by ready(); nothing is retained per ready.
  }

  status(): GroupedStatus {
    const st = this.groupCore.status();
    return {
      replica: this.s.id,
      mode: this.s.flat ? 'pbft' : 'gpbft',
      group: this.s.group,
      member: this.s.member,
      view: st.view,
      representative: this.s.members[st.primary]!,
      isRepresentative: this.topCore !== null,
      inViewChange: st.inViewChange,
      groupLastExecuted: this.s.flat ? st.lastExecuted : this.groupExecuted,
      topView: this.topCore?.status().view ?? this.topView,
      topLastDelivered: this.lastDelivered,
      lastExecuted: this.appExecuted,
      pendingDecisions: this.pending.size,
      pendingRequests: st.pendingRequests,
      dropped: { ...st.dropped, ...prefixed('top.', this.topCore?.status().dropped), ...this.dropped },
      ...(this.topCore === null ? {} : { top: this.topCore.status() }),
    };
  }

  // ---- inbound ----

  private dispatch(from: number, message: GroupedMessage): void {
    const local = this.s.members.indexOf(from);
    switch (message.layer) {
      case 'group':
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        if (message.message.type === 'fetchBatches') this.serveGroupFetch(from, local, message.message);
        else this.groupCore.step(local, message.message);
        return;
      case 'top':
        this.onTop(from, message.message, false);
        return;
      case 'relay':
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        this.onTop(message.origin, message.message, true);
        return;
      case 'decisions':
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        if (from === this.representative) this.heard();
        for (const batch of message.batches.slice(0, this.s.decisionsPerMessageMax))
          this.acceptDecision(batch, false);
        return;
      case 'latest':
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        this.knownTop = Math.max(this.knownTop, message.seq);
        if (from === this.representative) this.onHeartbeat(message.topView, message.topViewChange);
        return;
      case 'topHold':
      case 'topHoldAck':
      case 'topHoldQuery':
      case 'topHeld':
        if (local < 0) this.drop('notMember');
        else if (this.hold === null) this.drop('noTopLevel');
        else this.onHoldMessage(from, message);
        return;
      case 'certified':
        if (local < 0) this.drop('notMember');
        else for (const cert of message.certificates) this.takeCertificate(cert, false);
        return;
      case 'fetchDecisions': {
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        const batches = this.decisionsBetween(message.fromSeq, message.toSeq);
        if (batches.length > 0) this.send([from], { layer: 'decisions', batches });
        // Their state certificates too: a member that was down missed them (ledger proofs).
        const to = message.fromSeq + batches.length - 1;
        const certificates = this.certs?.between(message.fromSeq, to, certifiedPerMessageMax) ?? [];
        if (certificates.length > 0) this.send([from], { layer: 'certified', certificates });
        return;
      }
    }
  }

  private onHoldMessage(
    from: number,
    message: Extract<GroupedMessage, { layer: 'topHold' | 'topHoldAck' | 'topHoldQuery' | 'topHeld' }>,
  ): void {
    const hold = this.hold!;
    switch (message.layer) {
      case 'topHold':
        for (const record of message.records) {
          const verdict = this.keepHeld(record);
          if (verdict === 'invalid' || record.kind !== 'prepared') continue;
          const { view, seq } = record.certificate;
          this.send([from], { layer: 'topHoldAck', view, seq });
        }
        return;
      case 'topHoldAck':
        if (this.durableVotes !== null) this.release(this.durableVotes.ack(message.view, message.seq, from));
        return;
      case 'topHoldQuery':
        this.send([from], { layer: 'topHeld', view: this.knownTopView(), records: hold.records() });
        return;
      case 'topHeld':
        if (this.gathering === null) return;
        for (const record of message.records) this.keepHeld(record);
        this.gathering.set(from, message.view);
        return;
    }
  }

  /** Checks a held record from a peer; what is new is persisted as a top record. */
  private keepHeld(record: PersistRecord): 'new' | 'known' | 'invalid' {
    const verdict = this.hold!.accept(record, false);
    if (verdict === 'invalid') this.drop('badHeldRecord');
    if (verdict === 'new') this.out.persist.push({ layer: 'top', record });
    // A newer held checkpoint lets the store drop held certificates under it (as a top core's would).
    if (verdict === 'new' && record.kind === 'stableCheckpoint') {
      this.out.persist.push({ layer: 'top', record: { kind: 'truncateBelow', seq: record.certificate.seq } });
    }
    return verdict;
  }

  /** Re-sends what is still short of a quorum: unacked certificates, an unanswered holdings query. */
  private resendHold(): void {
    if (this.gathering !== null && this.gathering.size < this.s.groupQuorum) {
      this.send(
        this.s.members.filter((m) => m !== this.s.id && !this.gathering!.has(m)),
        { layer: 'topHoldQuery' },
      );
    }
    if (this.durableVotes !== null) this.fetchHeld(this.durableVotes.heldSeqs());
    const unsettled = this.durableVotes?.unsettled() ?? [];
    for (let i = 0; i < unsettled.length; i += heldRecordsMax) {
      this.sendMembers({ layer: 'topHold', records: unsettled.slice(i, i + heldRecordsMax) });
    }
  }

  private onTop(from: number, message: ConsensusMessage, relayed: boolean): void {
    if (this.s.flat) {
      this.drop('noTopLevel');
      return;
    }
    const fromGroup = this.s.layout.groups.findIndex((members) => members.includes(from));
    if (fromGroup < 0 || fromGroup === this.s.group) {
      this.drop('badSender');
      return;
    }
    if (message.type === 'fetchBatches') {
      if (message.replica !== fromGroup) {
        this.drop('badSender');
        return;
      }
      const batches = this.decisionsBetween(message.fromSeq, message.toSeq);
      this.send([from], { layer: 'top', message: { type: 'batches', batches, replica: this.s.group } });
      return;
    }
    if (message.type === 'batches' && this.durableVotes !== null) this.takeFetched(message.batches);
    if (this.topCore === null && this.groupCore.status().primary === this.s.member) {
      // Our top core is about to start: keep the message for it (bounded; the oldest goes first).
      if (this.earlyTop.length >= earlyTopMessagesMax) this.earlyTop.shift();
      this.earlyTop.push({ group: fromGroup, message });
      return;
    }
    if (this.topCore === null) {
      const to = this.representative;
      if (!relayed && to >= 0 && to !== this.s.id) this.send([to], { layer: 'relay', origin: from, message });
      this.drop('notRepresentative');
      return;
    }
    this.topCore.step(fromGroup, message);
  }

  private serveGroupFetch(
    from: number,
    local: number,
    m: Extract<ConsensusMessage, { type: 'fetchBatches' }>,
  ): void {
    if (m.replica !== local) {
      this.drop('badSender');
      return;
    }
    const batches: CommittedBatch[] = [];
    const log = this.s.flat ? this.decisions : this.groupLog;
    for (let seq = Math.max(1, m.fromSeq); seq <= m.toSeq && batches.length < this.s.fetchBatchesMax; seq++) {
      const batch = log.get(seq);
      if (batch === undefined) break;
      batches.push(batch);
    }
    this.send([from], { layer: 'group', message: { type: 'batches', batches, replica: this.s.member } });
  }

  private decisionsBetween(fromSeq: number, toSeq: number): CommittedBatch[] {
    const out: CommittedBatch[] = [];
    for (let seq = Math.max(1, fromSeq); seq <= toSeq && out.length < this.s.decisionsPerMessageMax; seq++) {
      const batch = this.decisions.get(seq);
      if (batch === undefined) break;
      out.push(batch);
    }
    return out;
  }

  /**
   * The representative is alive. While it reports a top-level view change, pending decisions are not
   * its fault: their timers restart, at most `deferralsMax` heartbeats in a row (a lying
   * representative can delay its own group's decisions by that much, no more). Its top view (capped
   * above the last certified one) is where a successor starts its top core.
   */
  private onHeartbeat(topView: number, topViewChange: boolean): void {
    this.heard();
    this.hintedTopView = Math.min(topView, this.topView + topViewHintSlack);
    if (!topViewChange || this.deferrals >= deferralsMax) {
      if (!topViewChange) this.deferrals = 0;
      return;
    }
    this.deferrals++;
    for (const entry of this.pending.values()) entry.since = this.now;
  }

  /**
   * A sign of life from the representative. It does not reset the suspicion backoff: a live
   * representative whose decisions stall is exactly what suspicion is for, and the backoff must grow
   * past the top level's view-change time or groups replace representatives faster than the top
   * can change view (livelock, sim seed 51). Progress (a decision of ours delivered) resets it.
   */
}

function prefixed(prefix: string, record: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(record ?? {})) out[`${prefix}${key}`] = value;
  return out;
}
