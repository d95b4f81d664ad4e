import { assert, isSuyuanError, sha256 } from '@suyuan/shared';
import { createReplicaCore } from '../consensus/core.ts';
import type {
  ClientRequest,
  CommittedBatch,
  ConsensusMessage,
  PersistRecord,
  ProposeResult,
  ReplicaCore,
} from '../consensus/types.ts';
import { decodeGroupDecision, flattenTopBatch, topRequestOf } from './decision.ts';
import type { GroupedMessage } from './messages.ts';
import type { NodeSetup } from './node-layers.ts';
import type {
  GroupedCommittedBatch,
  GroupedCore,
  GroupedReady,
  GroupedRestoredState,
  GroupedStatus,
} from './types.ts';

const emptyReady = (): GroupedReady => ({ persist: [], messages: [], committed: [], certified: [] });
/** Most state digests remembered for re-attesting after a role change (two windows is plenty). */
const digestsKeptMax = 4096;
/** Heartbeats in a row that may defer blame for a top-level view change. */
const deferralsMax = 8;
/** How far above the last certified top view a heartbeat's view hint is believed. */
const topViewHintSlack = 16;

/**
 * One grouped-PBFT replica (state and inbound half; the flow is in node.ts): its group's flat PBFT core (always) and, while it is its group's
 * representative (= the group's primary), a flat PBFT core at the top over g virtual replicas.
 * Group commits become top-level requests; top commits (the final order) flow back to the members
 * as self-verifying decisions. See docs/consensus.md "Grouped PBFT".
 */
export abstract class GroupedNodeBase implements GroupedCore {
  protected readonly s: NodeSetup;
  protected groupCore: ReplicaCore;
  protected topCore: ReplicaCore | null = null;
  protected now = 0;
  protected out = emptyReady();
  protected readonly dropped: Record<string, number> = {};
  /** Group layer: flat records (to rebuild the core on a suspicion), committed group batches. */
  protected readonly groupRecords: PersistRecord[] = [];
  protected readonly topRecords: PersistRecord[] = [];
  protected readonly groupLog = new Map<number, CommittedBatch>();
  protected groupExecuted = 0;
  protected groupState: Uint8Array = new Uint8Array(32);
  protected readonly groupStates = new Map<number, Uint8Array>();
  /** Top layer, as every member sees it: verified decisions (top form) by seq. */
  protected readonly decisions = new Map<number, CommittedBatch>();
  protected lastDelivered = 0;
  protected appExecuted = 0;
  protected readonly appDigests = new Map<number, Uint8Array>();
  protected topDelivered = 0;
  protected topFed = 0;
  protected topView = 0;
  protected knownTop = 0;
  /** This group's decisions not yet seen in a top decision: groupSeq → since tick. */
  protected readonly pending = new Map<number, { batch: CommittedBatch; since: number }>();
  protected readonly covered = new Set<number>();
  protected lastHeard = 0;
  protected suspicions = 0;
  protected representative = -1;
  protected fetchTurn = 0;
  protected hintedTopView = 0;
  protected deferrals = 0;

  constructor(setup: NodeSetup, restored?: GroupedRestoredState) {
    this.s = setup;
    this.groupCore = this.newGroupCore([], 0);
    if (restored !== undefined) this.restore(restored);
  }

  protected rebuildGroupCore(): ReplicaCore {
    return this.newGroupCore([], this.s.flat ? this.appExecuted : this.groupExecuted);
  }

  private newGroupCore(extra: PersistRecord[], lastExecuted: number): ReplicaCore {
    const restored =
      this.groupRecords.length + extra.length === 0 && lastExecuted === 0
        ? undefined
        : {
            records: [...this.groupRecords, ...extra],
            lastExecuted,
            stateDigestAt: (seq: number) =>
              this.s.flat ? this.appDigests.get(seq) : this.groupStates.get(seq),
          };
    return createReplicaCore({
      id: this.s.member,
      config: this.s.groupConfig,
      crypto: this.s.groupCrypto,
      ...(restored === undefined ? {} : { restored }),
    });
  }

  private restore(restored: GroupedRestoredState): void {
    this.appExecuted = restored.lastExecuted;
    this.lastDelivered = restored.lastExecuted;
    this.topFed = this.topDelivered = restored.lastExecuted;
    for (const record of restored.records) {
      if (record.layer === 'group') this.groupRecords.push(record.record);
      else if (record.layer === 'top') this.topRecords.push(record.record);
      else if (record.layer === 'groupBatch') this.noteGroupBatch(record.batch);
      else this.decisions.set(record.batch.seq, record.batch);
    }
    if (restored.stateDigestAt !== undefined) {
      const digest = restored.stateDigestAt(restored.lastExecuted);
      if (digest !== undefined) this.appDigests.set(restored.lastExecuted, digest);
    }
    for (const seq of this.decisions.keys()) if (seq <= this.lastDelivered) this.markCovered(seq);
    const groupExecuted = this.s.flat ? restored.lastExecuted : this.groupExecuted;
    this.groupCore = this.newGroupCore([], groupExecuted);
    this.deliver();
    this.lastHeard = this.now;
  }

  private noteGroupBatch(batch: CommittedBatch): void {
    if (batch.seq !== this.groupExecuted + 1) return;
    this.groupLog.set(batch.seq, batch);
    this.groupExecuted = batch.seq;
    this.groupState = sha256(this.groupState, batch.certificate.batchDigest);
    this.groupStates.set(batch.seq, this.groupState);
    if (batch.requests.length > 0 && !this.covered.has(batch.seq)) {
      this.pending.set(batch.seq, { batch, since: this.now });
    }
  }

  protected markCovered(topSeq: number): void {
    const batch = this.decisions.get(topSeq);
    if (batch === undefined) return;
    for (const request of batch.requests) {
      const decision = decodeGroupDecision(request);
      if (decision.group !== this.s.group) continue;
      this.pending.delete(decision.groupSeq);
      this.covered.add(decision.groupSeq);
    }
    this.topView = Math.max(this.topView, batch.certificate.view);
  }

  // ---- driving contract ----

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
    }
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
    else this.feedTop();
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
        this.onTop(from, message.message);
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
      case 'fetchDecisions': {
        if (local < 0) {
          this.drop('notMember');
          return;
        }
        const batches = this.decisionsBetween(message.fromSeq, message.toSeq);
        if (batches.length > 0) this.send([from], { layer: 'decisions', batches });
        return;
      }
    }
  }

  private onTop(from: number, message: ConsensusMessage): void {
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
    if (this.topCore === null) {
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

  // ---- implemented by GroupedNode (node.ts): the flow between the layers ----
  protected abstract pump(): void;
  protected abstract feedTop(): void;
  protected abstract maybeSuspect(): void;
  protected abstract catchUp(): void;
  protected abstract acceptDecision(batch: CommittedBatch, trusted: boolean): void;
  protected abstract deliver(): void;

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

  protected heard(): void {
    this.lastHeard = this.now;
    this.suspicions = 0;
  }

  protected send(to: number[], message: GroupedMessage): void {
    if (to.length > 0) this.out.messages.push({ to, message });
  }

  protected sendMembers(message: GroupedMessage): void {
    this.send(
      this.s.members.filter((m) => m !== this.s.id),
      message,
    );
  }

  protected drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  protected noteGroupCommitted(batch: CommittedBatch): void {
    this.noteGroupBatch(batch);
    const entry = this.pending.get(batch.seq);
    if (entry !== undefined && this.topCore !== null) this.topCore.propose(topRequestOf(this.s.group, batch));
  }

  protected flatten(batch: CommittedBatch): GroupedCommittedBatch {
    return {
      seq: batch.seq,
      view: batch.view,
      requests: flattenTopBatch(batch.requests),
      certificate: batch.certificate,
      topRequests: batch.requests,
    };
  }
}

function prefixed(prefix: string, record: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(record ?? {})) out[`${prefix}${key}`] = value;
  return out;
}
