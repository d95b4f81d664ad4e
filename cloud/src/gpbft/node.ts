import { createReplicaCore } from '../consensus/core.ts';
import type {
  CommittedBatch,
  PersistRecord,
  Ready,
  ReplicaCore,
  StateCertificate,
} from '../consensus/types.ts';
import { flattenTopBatch, topRequestOf } from './decision.ts';
import type { LayerKeys } from './layer-crypto.ts';
import type { GroupedMessage } from './messages.ts';
import { GroupedNodeInbound } from './node-inbound.ts';
import { setupNode } from './node-layers.ts';
import { DurableVotes } from './top-hold.ts';
import type { GpbftConfig, GroupedCore, GroupedOutbound, GroupedRestoredState } from './types.ts';

/** Most decisions / group batches kept in memory to serve catch-up (older ones: see docs). */
const logKeptMax = 65_536;
/** Inner ready() rounds per outer ready(): a bound on one pump, far above any real round count. */
const pumpRoundsMax = 10_000;

/** The flow between the layers: group commits → top requests → decisions → members. */
class GroupedNode extends GroupedNodeInbound {
  protected pump(): void {
    for (let round = 0; round < pumpRoundsMax; round++) {
      let progress = false;
      const group = this.groupCore;
      const rdGroup = group.ready();
      if (rdGroup !== null) {
        this.onGroupReady(group, rdGroup);
        progress = true;
      }
      const top = this.topCore;
      const rdTop = top?.ready() ?? null;
      if (top !== null && rdTop !== null) {
        this.onTopReady(top, rdTop);
        progress = true;
      }
      if (this.checkRole()) progress = true;
      if (!progress) return;
    }
  }

  private onGroupReady(core: ReplicaCore, rd: Ready): void {
    const { members, member } = this.s;
    for (const record of rd.persist) {
      this.groupRecords.push(record);
      this.out.persist.push({ layer: 'group', record });
    }
    for (const o of rd.messages) {
      const to = o.to === 'all' ? members.filter((m) => m !== this.s.id) : [members[o.to]!];
      this.send(to, { layer: 'group', message: o.message });
    }
    for (const batch of rd.committed) {
      if (this.s.flat) {
        this.acceptDecision(batch, true);
        continue;
      }
      if (batch.seq !== this.groupExecuted + 1) continue;
      this.out.persist.push({ layer: 'groupBatch', batch });
      this.noteGroupCommitted(batch);
      core.executed(batch.seq, this.groupState);
      this.groupLog.delete(batch.seq - logKeptMax);
    }
    if (this.s.flat) this.out.certified.push(...rd.certified);
    for (const f of rd.fetches) {
      const message = { type: 'fetchBatches' as const, fromSeq: f.fromSeq, toSeq: f.toSeq, replica: member };
      this.send([members[f.from]!], { layer: 'group', message });
    }
    core.advance(rd);
  }

  private onTopReady(core: ReplicaCore, rd: Ready): void {
    const hints = this.s.hints.hint;
    for (const record of rd.persist) {
      this.topRecords.push(record);
      this.out.persist.push({ layer: 'top', record });
      this.holdOwn(record);
    }
    for (const o of rd.messages) {
      const to = o.to === 'all' ? hints.filter((_, j) => j !== this.s.group) : [hints[o.to]!];
      const message: GroupedMessage = { layer: 'top', message: o.message };
      const m = o.message;
      if (m.type === 'commit' && this.durableVotes?.holdVote(m.view, m.seq, { to, message })) continue;
      this.send(to, message);
    }
    for (const batch of rd.committed) {
      if (!this.durableVotes?.holdBatch(batch)) this.onTopCommitted(batch);
      else this.fetchHeld([batch.seq]);
    }
    this.certifyForMembers(rd.certified);
    for (const f of rd.fetches) {
      const message = {
        type: 'fetchBatches' as const,
        fromSeq: f.fromSeq,
        toSeq: f.toSeq,
        replica: this.s.group,
      };
      this.send([hints[f.from]!], { layer: 'top', message });
    }
    core.advance(rd);
    this.durableVotes?.prune(this.lastDelivered);
    this.feedTop();
  }

  /** Our top core's state certificates, signers resolved to global ids: ours, and to our members. */
  private certifyForMembers(certified: readonly StateCertificate[]): void {
    const resolved: StateCertificate[] = [];
    for (const cert of certified) {
      const global = this.certs?.resolve(cert) ?? null;
      if (global !== null) resolved.push(global);
    }
    if (resolved.length === 0) return;
    this.sendMembers({ layer: 'certified', certificates: resolved });
    for (const cert of resolved) this.takeCertificate(cert, true);
  }

  private onTopCommitted(batch: CommittedBatch): void {
    this.topDelivered = Math.max(this.topDelivered, batch.seq);
    if (batch.seq <= this.lastDelivered || this.decisions.has(batch.seq)) return;
    this.acceptDecision(batch, true);
    this.sendMembers({ layer: 'decisions', batches: [batch] });
  }

  /** Our top core's prepared certificates and stable checkpoints go to every member to hold. */
  private holdOwn(record: PersistRecord): void {
    if (this.hold === null || (record.kind !== 'prepared' && record.kind !== 'stableCheckpoint')) return;
    this.hold.accept(record, true);
    if (record.kind === 'prepared') this.durableVotes?.track(record, this.s.id);
    this.sendMembers({ layer: 'topHold', records: [record] });
  }

  /**
   * A decision whose certificate carries our commit cannot go out before our group holds the
   * prepared certificate; the other representatives commit it without us, so ask them for it.
   */
  protected fetchHeld(seqs: number[]): void {
    const others = this.s.hints.hint.filter((_, j) => j !== this.s.group);
    for (const seq of seqs) {
      const message = { type: 'fetchBatches' as const, fromSeq: seq, toSeq: seq, replica: this.s.group };
      this.send(others, { layer: 'top', message });
    }
  }

  /** Held decisions another representative sent us: certified without our vote, so they can go out. */
  protected takeFetched(batches: readonly CommittedBatch[]): void {
    for (const batch of batches) {
      if (batch.certificate.seq !== batch.seq || !this.s.verifyTop(batch)) continue;
      if (this.durableVotes?.take(batch.seq)) this.onTopCommitted(batch);
    }
    this.feedTop();
  }

  protected release(released: { votes: GroupedOutbound[]; batches: CommittedBatch[] }): void {
    for (const vote of released.votes) this.send(vote.to, vote.message);
    for (const batch of released.batches) this.onTopCommitted(batch);
    this.feedTop();
  }

  /** Follows the group view: its primary is the representative and runs the top core. */
  private checkRole(): boolean {
    if (this.s.flat) return false;
    const st = this.groupCore.status();
    const representative = this.s.members[st.primary]!;
    if (representative !== this.representative) {
      this.representative = representative;
      this.lastHeard = this.now;
      for (const entry of this.pending.values()) entry.since = this.now;
    }
    const me = st.primary === this.s.member;
    if (!me) {
      this.gathering = null;
      this.earlyTop.length = 0;
    }
    if (me && !st.inViewChange && this.topCore === null) {
      // First collect what 2f_g+1 members hold of the group's top state (ourselves included).
      if (this.gathering === null) {
        this.gathering = new Map([[this.s.id, this.knownTopView()]]);
        this.sendMembers({ layer: 'topHoldQuery' });
        return true;
      }
      if (this.gathering.size < this.s.groupQuorum) return false;
      this.becomeRepresentative();
      return true;
    }
    if (!me && this.topCore !== null) {
      this.topCore = null;
      this.durableVotes = null;
      return true;
    }
    return false;
  }

  /**
   * Starts the top core as virtual replica `group`: from what this member executed, its own earlier
   * top records (if it represented the group before), the prepared certificates and checkpoint that
   * 2f_g+1 members hold (so its top view change reports what its predecessor prepared), above every
   * top view they know; it catches up by state transfer.
   */
  private becomeRepresentative(): void {
    const records = [...this.topRecords, ...(this.hold?.records() ?? [])];
    let recordedView = this.knownTopView();
    for (const view of this.gathering?.values() ?? []) recordedView = Math.max(recordedView, view);
    this.gathering = null;
    this.durableVotes = new DurableVotes(this.s.groupQuorum);
    // One view above any top view this group is known to have used: the previous representative
    // may have signed in that view, and a second, different vote of "group j" in the same view
    // would be an equivocation by an honest group (sim seed 474: two digests at top seq 1).
    // Restored in a view > 0, the core re-announces its view change and joins when the top does.
    const record: PersistRecord = { kind: 'view', view: recordedView + 1 };
    records.push(record);
    this.topRecords.push(record);
    this.out.persist.push({ layer: 'top', record });
    this.topCore = createReplicaCore({
      id: this.s.group,
      config: this.s.topConfig!,
      crypto: this.s.topCrypto!,
      restored: { records, lastExecuted: this.appExecuted, stateDigestAt: (seq) => this.appDigests.get(seq) },
    });
    this.topFed = this.appExecuted;
    this.topDelivered = this.appExecuted;
    const pending = [...this.pending.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, entry] of pending) this.topCore.propose(topRequestOf(this.s.group, entry.batch));
    for (const early of this.earlyTop.splice(0)) this.topCore.step(early.group, early.message);
  }

  /**
   * A new representative starts its top core above the top's current view (see above), so it cannot
   * forward its group's decisions to the top primary, and the other representatives, with nothing
   * pending, never time out into that view: the top stalled with this group's decisions pending (real
   * N = 16 cluster, one representative killed while the other groups were idle). Like a PBFT client
   * that times out, it sends them to every other representative: the current primary orders them, or
   * the others' timers run and the top changes view to where we wait. At most a batch per call.
   */
  protected offerPendingToTop(): void {
    const core = this.topCore;
    if (core === null || this.pending.size === 0 || !core.status().inViewChange) return;
    const to = this.s.hints.hint.filter((_, j) => j !== this.s.group);
    const pending = [...this.pending.entries()].sort((a, b) => a[0] - b[0]).slice(0, this.s.batchRequestsMax);
    for (const [, entry] of pending) {
      this.send(to, {
        layer: 'top',
        message: { type: 'request', request: topRequestOf(this.s.group, entry.batch) },
      });
    }
  }

  protected feedTop(): void {
    const core = this.topCore;
    if (core === null) return;
    while (this.topFed < this.topDelivered && this.topFed < this.appExecuted) {
      const digest = this.appDigests.get(this.topFed + 1);
      if (digest === undefined) break;
      core.executed(this.topFed + 1, digest);
      this.topFed++;
    }
  }

  protected acceptDecision(batch: CommittedBatch, trusted: boolean): void {
    if (batch.seq <= this.lastDelivered || this.decisions.has(batch.seq)) return;
    if (!trusted) {
      if (batch.certificate.seq !== batch.seq || !this.s.verifyTop(batch)) {
        this.drop('badDecision');
        return;
      }
      try {
        flattenTopBatch(batch.requests);
      } catch {
        this.drop('badDecision');
        return;
      }
    }
    this.decisions.set(batch.seq, batch);
    this.decisions.delete(batch.seq - logKeptMax);
    this.out.persist.push({ layer: 'decision', batch });
    this.knownTop = Math.max(this.knownTop, batch.seq);
    this.deliver();
  }

  protected deliver(): void {
    for (;;) {
      const batch = this.decisions.get(this.lastDelivered + 1);
      if (batch === undefined) return;
      this.lastDelivered = batch.seq;
      if (this.s.flat) {
        this.out.committed.push({ ...batch, topRequests: batch.requests });
        continue;
      }
      this.markCovered(batch.seq);
      this.out.committed.push(this.flatten(batch));
    }
  }

  protected catchUp(): void {
    const others = this.s.members.filter((m) => m !== this.s.id);
    const peer = others[this.fetchTurn++ % others.length]!;
    const toSeq = Math.min(this.knownTop, this.lastDelivered + this.s.decisionsPerMessageMax);
    this.send([peer], { layer: 'fetchDecisions', fromSeq: this.lastDelivered + 1, toSeq });
  }

  /**
   * A member votes its representative out (group view change) when a group-committed batch has not
   * appeared in a top decision, or the representative has been silent, for the timeout (doubling per
   * consecutive attempt). The flat core has no "suspect" input, so the member rebuilds its group core
   * from its own records plus a higher view — exactly what a restart in that view does.
   */
  protected maybeSuspect(): void {
    if (this.topCore !== null || this.representative < 0) return;
    const st = this.groupCore.status();
    if (st.inViewChange) return;
    const timeout = this.s.representativeTimeoutTicks * 2 ** Math.min(this.suspicions, 4);
    let oldest = this.now;
    for (const entry of this.pending.values()) oldest = Math.min(oldest, entry.since);
    if (this.now - oldest <= timeout && this.now - this.lastHeard <= timeout) return;
    this.suspicions++;
    this.lastHeard = this.now;
    for (const entry of this.pending.values()) entry.since = this.now;
    const record: PersistRecord = { kind: 'view', view: st.view + 1 };
    this.groupRecords.push(record);
    this.out.persist.push({ layer: 'group', record });
    this.groupCore = this.rebuildGroupCore();
    this.drop('suspectedRepresentative');
  }
}

export function createGroupedCore(options: {
  id: number;
  config: GpbftConfig;
  sign: LayerKeys['sign'];
  verifyGlobal: LayerKeys['verifyGlobal'];
  verifyClientRequest: (request: import('../consensus/types.ts').ClientRequest) => boolean;
  restored?: GroupedRestoredState;
}): GroupedCore {
  return new GroupedNode(setupNode(options), options.restored);
}
