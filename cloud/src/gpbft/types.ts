import type {
  ClientRequest,
  CommittedBatch,
  ConsensusConfig,
  ProposeResult,
  ReplicaId,
  StateCertificate,
} from '../consensus/types.ts';
import type { GroupLayout } from './layout.ts';
import type { GroupedMessage } from './messages.ts';
import type { GroupedRecord } from './records.ts';

export type ConsensusMode = 'pbft' | 'gpbft';

export interface GpbftConfig {
  layout: GroupLayout;
  /** All N replica public keys, by global replica id. */
  publicKeys: readonly Uint8Array[];
  /**
   * Flat knobs used by both layers (checkpoints, batching, timeouts, limits). `n`, keys and quorum
   * are set per layer: m and ⌊2m/3⌋+1 inside group of m, g and ⌊2g/3⌋+1 at the top.
   */
  consensus: Partial<ConsensusConfig>;
  /**
   * Ticks a member waits for a group-committed batch to appear in a top decision (or for any sign
   * of life from its representative) before it votes its representative out. Doubles per failed
   * attempt, up to 16×. Default 2 × viewChangeTimeoutTicks.
   */
  representativeTimeoutTicks?: number;
  /** Most decisions sent in one catch-up reply. Default fetchBatchesMax. */
  decisionsPerMessageMax?: number;
  /** TEST ONLY planted bugs: a layer commits on this many votes (the simulator must catch it). */
  unsafeGroupCommitQuorum?: number;
  unsafeTopCommitQuorum?: number;
  /** TEST ONLY planted bug: members accept a top state certificate signed by this many groups. */
  unsafeCertificateQuorum?: number;
}

/** Messages for global replica ids (the node expands its broadcasts itself). */
export interface GroupedOutbound {
  to: ReplicaId[];
  message: GroupedMessage;
}

/**
 * A final committed batch: `requests` are the client requests in order (what the application
 * executes); `topRequests` are the certified group decisions the top certificate covers, so the
 * batch checks from public keys alone (`verifyFinalBatch`). With g = 1 they are the same list.
 */
export interface GroupedCommittedBatch extends CommittedBatch {
  topRequests: ClientRequest[];
}

export interface GroupedReady {
  persist: GroupedRecord[];
  messages: GroupedOutbound[];
  /** The final order: seq = top seq, requests = the group decisions' client requests in order. */
  committed: GroupedCommittedBatch[];
  /**
   * State certificates for the application (ledger proofs). g = 1: the flat ones. g > 1: the top
   * level's, signers as GLOBAL replica ids (state-certified.ts), handed out by every member once it
   * executed that seq with the same digest (representatives form them, members get them).
   */
  certified: StateCertificate[];
}

export interface GroupedStatus {
  replica: ReplicaId;
  mode: ConsensusMode;
  group: number;
  member: number;
  /** Group view and its primary (global id) = this group's representative. */
  view: number;
  representative: ReplicaId;
  isRepresentative: boolean;
  inViewChange: boolean;
  /** Highest group seq this member executed (group decisions, not client batches). */
  groupLastExecuted: number;
  /** Top view of the last top certificate seen. */
  topView: number;
  /** Highest final (top) seq handed to the application / applied by it. */
  topLastDelivered: number;
  lastExecuted: number;
  /** Group decisions of this group not yet seen in a top decision. */
  pendingDecisions: number;
  pendingRequests: number;
  dropped: Record<string, number>;
  /** The top core's own status while this member is the representative (diagnostics). */
  top?: import('../consensus/types.ts').ConsensusStatus;
}

/** The grouped replica: same driving contract as the flat `ReplicaCore`, wrapped messages. */
export interface GroupedCore {
  tick(): void;
  step(from: ReplicaId, message: GroupedMessage): void;
  propose(request: ClientRequest): ProposeResult;
  executed(seq: number, stateDigest: Uint8Array): void;
  ready(): GroupedReady | null;
  advance(ready: GroupedReady): void;
  status(): GroupedStatus;
}

export interface GroupedRestoredState {
  records: GroupedRecord[];
  lastExecuted: number;
  stateDigestAt?: (seq: number) => Uint8Array | undefined;
}
