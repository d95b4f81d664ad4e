import { sha256 } from '@suyuan/shared';
import { createReplicaCore } from '../consensus/core.ts';
import type {
  CommittedBatch,
  ConsensusMessage,
  PersistRecord,
  ReplicaCore,
  StateCertificate,
} from '../consensus/types.ts';
import { decodeGroupDecision, flattenTopBatch, topRequestOf } from './decision.ts';
import type { GroupedMessage } from './messages.ts';
import type { NodeSetup } from './node-layers.ts';
import { MemberCertificates } from './state-certified.ts';
import { type DurableVotes, TopHold } from './top-hold.ts';
import type { GroupedCommittedBatch, GroupedOutbound, GroupedReady, GroupedRestoredState } from './types.ts';

export const emptyReady = (): GroupedReady => ({ persist: [], messages: [], committed: [], certified: [] });

/**
 * One grouped-PBFT replica, part 1 of 3 — its state: its group's flat PBFT core (always) and, while it
 * is its group's representative (= the group's primary), a flat PBFT core at the top over g virtual
 * replicas. Part 2 (node-inbound.ts) is the driving contract and the inbound messages, part 3 (node.ts)
 * the flow between the layers. See docs/consensus.md "Grouped PBFT".
 */
/** Most top messages kept for a top core about to start (a few per other representative). */
export const earlyTopMessagesMax = 256;

export abstract class GroupedNodeBase {
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
  /** The group's copy of its virtual top replica's prepared state (null with g = 1). */
  protected readonly hold: TopHold | null;
  /** Representative only: commits waiting for members to hold their prepared certificates. */
  protected durableVotes: DurableVotes | null = null;
  /** A new representative collecting members' holdings: member → top view it reported. */
  protected gathering: Map<number, number> | null = null;
  /**
   * Top messages that reached us as our group's representative before our top core started (while we
   * gather the group's top state); fed to it once it starts. Dropping them lost, e.g., the other
   * representative's first top VIEW-CHANGE, and a top of g = 2 (quorum 2) then waited for a
   * retransmit or timeout (bench:groups, N = 16, g = 2).
   */
  protected readonly earlyTop: { group: number; message: ConsensusMessage }[] = [];
  /** Top state certificates with global signers, for the application's proofs (null with g = 1). */
  protected readonly certs: MemberCertificates | null;

  constructor(setup: NodeSetup, restored?: GroupedRestoredState) {
    this.s = setup;
    this.hold =
      setup.topConfig === null || setup.topCrypto === null
        ? null
        : new TopHold(setup.topConfig, setup.topCrypto);
    this.certs = setup.flat ? null : new MemberCertificates(setup.keys, setup.hints, setup.certificateQuorum);
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
      else if (record.layer === 'top') this.restoreTopRecord(record.record);
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

  /** Held certificates go to the holding (bounded), the rest to the own top records. */
  private restoreTopRecord(record: PersistRecord): void {
    if (this.hold !== null && (record.kind === 'prepared' || record.kind === 'stableCheckpoint')) {
      this.hold.accept(record, true);
      return;
    }
    this.topRecords.push(record);
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

  /** The highest top view this member knows its group used or saw (a successor starts above it). */
  protected knownTopView(): number {
    let view = Math.max(this.topView, this.hintedTopView, this.hold?.maxView ?? 0);
    for (const r of this.topRecords) if (r.kind === 'view') view = Math.max(view, r.view);
    return view;
  }

  protected markCovered(topSeq: number): void {
    const batch = this.decisions.get(topSeq);
    // g = 1: decisions are the flat batches themselves (client requests, no group decisions).
    if (batch === undefined || this.s.flat) return;
    for (const request of batch.requests) {
      const decision = decodeGroupDecision(request);
      if (decision.group !== this.s.group) continue;
      if (this.pending.delete(decision.groupSeq)) this.suspicions = 0;
      this.covered.add(decision.groupSeq);
    }
    this.topView = Math.max(this.topView, batch.certificate.view);
  }

  // ---- implemented by GroupedNode (node.ts): the flow between the layers ----
  protected abstract pump(): void;
  protected abstract feedTop(): void;
  protected abstract maybeSuspect(): void;
  protected abstract offerPendingToTop(): void;
  protected abstract fetchHeld(seqs: number[]): void;
  protected abstract takeFetched(batches: readonly CommittedBatch[]): void;
  protected abstract release(released: { votes: GroupedOutbound[]; batches: CommittedBatch[] }): void;
  protected abstract catchUp(): void;
  protected abstract acceptDecision(batch: CommittedBatch, trusted: boolean): void;
  protected abstract deliver(): void;

  protected heard(): void {
    this.lastHeard = this.now;
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

  /** A top state certificate (ours, resolved: `verified`; or a member's): to the application once executed. */
  protected takeCertificate(cert: StateCertificate, verified: boolean): void {
    if (this.certs === null) return;
    const out = this.certs.accept(cert, (seq) => this.appDigests.get(seq), this.appExecuted, verified);
    if (out === null) this.drop('badCertificate');
    else this.out.certified.push(...out);
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
