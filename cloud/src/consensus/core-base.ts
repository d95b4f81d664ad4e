import type { ResolvedConfig } from './config.ts';
import { primaryOf } from './config.ts';
import type {
  ClientRequest,
  CommitCertificate,
  CommittedBatch,
  ConsensusCrypto,
  ConsensusMessage,
  FetchRequest,
  Outbound,
  PersistRecord,
  PreparedCertificate,
  Ready,
  ReplicaId,
  StateCertificate,
} from './types.ts';

/** A vote (prepare, commit or attest) as received: its digest and the signature bytes. */
export interface Vote {
  digest: Uint8Array;
  signature: Uint8Array;
}

/** Everything the replica knows about one sequence number. */
export interface Slot {
  seq: number;
  /** The view the fields below belong to; reset when the replica enters a later view. */
  view: number;
  batchDigest: Uint8Array | null;
  requests: ClientRequest[] | null;
  /** The primary's signature (null after a restart until the primary re-sends it). */
  prePrepareSignature: Uint8Array | null;
  prepares: Map<ReplicaId, Vote>;
  commits: Map<ReplicaId, Vote>;
  sentPrepare: boolean;
  sentCommit: boolean;
  prepared: boolean;
  committedLocal: boolean;
  /** The highest-view prepared certificate this replica holds (survives view changes). */
  preparedCertificate: PreparedCertificate | null;
  /** Digest this seq committed with (set once delivered, by either path). */
  committedDigest: Uint8Array | null;
  /** The body this seq had in an earlier view, kept so a NEW-VIEW that re-orders it needs no fetch. */
  previousBody: { digest: Uint8Array; requests: ClientRequest[] } | null;
}

export interface PendingRequest {
  request: ClientRequest;
  key: string;
  bytes: number;
  arrivedTick: number;
  /**
   * A client handed it to us (propose), not a peer. A backup relays such a request to every
   * replica when it is late (core.ts retransmitRequests), so each starts its own view-change timer.
   */
  fromClient: boolean;
}

/** A verified view change from one replica (its latest). */
export interface StoredViewChange {
  view: number;
  payload: Uint8Array;
  signature: Uint8Array;
  decoded: import('./payload.ts').ViewChangePayload;
}

/**
 * The replica's state and its outbox. The protocol phases extend this class (normal case,
 * checkpoints and state transfer, view change) so each lives in its own file.
 */
export abstract class CoreBase {
  readonly id: ReplicaId;
  readonly config: ResolvedConfig;
  readonly crypto: ConsensusCrypto;

  now = 0;
  view = 0;
  /** False between sending a view change for `view` and accepting its new-view. */
  active = true;
  lastExecuted = 0;
  /** Highest seq handed out in Ready.committed. */
  lastDelivered = 0;
  lowWatermark = 0;
  stableCheckpoint: StateCertificate | null = null;
  slots = new Map<number, Slot>();
  /** Primary: next seq to assign. */
  nextSeq = 1;
  /** Requests waiting to be ordered (at a backup: waiting to see them commit). */
  queue = new Map<string, PendingRequest>();
  /** Primary: requests assigned to an undelivered seq in the current view. */
  inflight = new Map<string, PendingRequest>();
  /** Keys of recently delivered requests (bounded), so retries are recognised as duplicates. */
  recentlyDelivered = new Set<string>();
  dropped: Record<string, number> = {};

  private outPersist: PersistRecord[] = [];
  private outMessages: Outbound[] = [];
  private outCommitted: CommittedBatch[] = [];
  private outCertified: StateCertificate[] = [];
  private outFetches: FetchRequest[] = [];

  constructor(id: ReplicaId, config: ResolvedConfig, crypto: ConsensusCrypto) {
    this.id = id;
    this.config = config;
    this.crypto = crypto;
  }

  get primary(): ReplicaId {
    return primaryOf(this.view, this.config.n);
  }

  get isPrimary(): boolean {
    return this.primary === this.id;
  }

  get highWatermark(): number {
    return this.lowWatermark + this.config.watermarkWindow;
  }

  inWindow(seq: number): boolean {
    return seq > this.lowWatermark && seq <= this.highWatermark;
  }

  drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  persist(record: PersistRecord): void {
    this.outPersist.push(record);
  }

  send(to: ReplicaId | 'all', message: ConsensusMessage): void {
    if (to === this.id) return;
    this.outMessages.push({ to, message });
  }

  emitCommitted(batch: CommittedBatch): void {
    this.outCommitted.push(batch);
  }

  emitCertified(certificate: StateCertificate): void {
    this.outCertified.push(certificate);
  }

  emitFetch(fetch: FetchRequest): void {
    this.outFetches.push(fetch);
  }

  ready(): Ready | null {
    if (
      this.outPersist.length === 0 &&
      this.outMessages.length === 0 &&
      this.outCommitted.length === 0 &&
      this.outCertified.length === 0 &&
      this.outFetches.length === 0
    ) {
      return null;
    }
    return {
      persist: this.outPersist.slice(),
      messages: this.outMessages.slice(),
      committed: this.outCommitted.slice(),
      certified: this.outCertified.slice(),
      fetches: this.outFetches.slice(),
    };
  }

  /** Removes what `rd` handed out; anything added since (e.g. attests from executed()) stays. */
  advance(rd: Ready): void {
    this.outPersist.splice(0, rd.persist.length);
    this.outMessages.splice(0, rd.messages.length);
    this.outCommitted.splice(0, rd.committed.length);
    this.outCertified.splice(0, rd.certified.length);
    this.outFetches.splice(0, rd.fetches.length);
  }

  /** The slot for `seq`, with its per-view fields reset if they belong to an earlier view. */
  slotFor(seq: number): Slot {
    let slot = this.slots.get(seq);
    if (slot === undefined) {
      slot = newSlot(seq, this.view);
      this.slots.set(seq, slot);
    } else if (slot.view < this.view) {
      resetSlotView(slot, this.view);
    }
    return slot;
  }

  commitCertificateOf(slot: Slot, digest: Uint8Array): CommitCertificate {
    const signatures = [...slot.commits.entries()]
      .filter(([, vote]) => sameBytes(vote.digest, digest))
      .sort(([a], [b]) => a - b)
      .slice(0, this.config.commitQuorum)
      .map(([replica, vote]) => ({ replica, signature: vote.signature }));
    return { view: slot.view, seq: slot.seq, batchDigest: digest, signatures };
  }

  abstract startViewChange(newView: number): void;
  abstract deliverBatch(batch: CommittedBatch): void;
}

export function newSlot(seq: number, view: number): Slot {
  return {
    seq,
    view,
    batchDigest: null,
    requests: null,
    prePrepareSignature: null,
    prepares: new Map(),
    commits: new Map(),
    sentPrepare: false,
    sentCommit: false,
    prepared: false,
    committedLocal: false,
    preparedCertificate: null,
    committedDigest: null,
    previousBody: null,
  };
}

export function resetSlotView(slot: Slot, view: number): void {
  if (slot.batchDigest !== null && slot.requests !== null) {
    slot.previousBody = { digest: slot.batchDigest, requests: slot.requests };
  }
  slot.view = view;
  slot.batchDigest = null;
  slot.requests = null;
  slot.prePrepareSignature = null;
  slot.prepares = new Map();
  slot.commits = new Map();
  slot.sentPrepare = false;
  slot.sentCommit = false;
  slot.prepared = false;
  slot.committedLocal = false;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
