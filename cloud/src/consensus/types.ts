/**
 * The contract of the PBFT core: what goes in, what comes out. The core is a pure state machine in
 * the shape of etcd raft: no I/O, no clock, no randomness. The replica process (and the simulator)
 * drive it:
 *
 *   loop:
 *     core.tick()                       on every timer tick (fixed period, e.g. 10 ms)
 *     core.step(from, message)          for every message received from a peer
 *     core.propose(request)             for every client request received
 *     core.executed(seq, stateDigest)   after applying a committed batch
 *     while (rd = core.ready()):
 *       persist rd.persist              (durably, BEFORE sending rd.messages)
 *       send rd.messages
 *       apply rd.committed in order     (then call core.executed for each)
 *       publish rd.certified            (block certificates for receipts)
 *       serve/fetch rd.fetches          (state transfer)
 *       core.advance(rd)
 *
 * Signing is injected (`ConsensusCrypto`) and deterministic (Ed25519), so the core stays pure.
 */

export type ReplicaId = number;

/** A client request as ordered by consensus. Opaque to the core except for its identity. */
export interface ClientRequest {
  /** Submitter key id (base64url SHA-256 of its public key). */
  submitter: string;
  /** Submitter's sequence number: (submitter, seq) executes at most once, ever. */
  seq: number;
  /** The request body (the canonical signed submission). */
  body: Uint8Array;
}

export interface ConsensusConfig {
  /** Number of replicas, n = 3f + 1 (n ≥ 4). */
  n: number;
  /** Replica public keys, indexed by replica id. */
  replicaPublicKeys: readonly Uint8Array[];
  /** Checkpoint every K sequence numbers. */
  checkpointInterval: number;
  /** High watermark = low watermark + watermarkWindow (a multiple of checkpointInterval). */
  watermarkWindow: number;
  /** Batch closes at this many requests... */
  batchRequestsMax: number;
  /** ...or this many body bytes... */
  batchBytesMax: number;
  /** ...or when its oldest request has waited this many ticks. */
  batchDelayTicks: number;
  /** Ticks a backup waits for a pending request to commit before starting a view change. */
  viewChangeTimeoutTicks: number;
  /** The view-change timeout doubles per consecutive failed view, up to this cap. */
  viewChangeTimeoutTicksMax: number;
  /** Most requests the primary queues before refusing new ones (backpressure). */
  pendingRequestsMax: number;
  /** Most batches proposed but not yet committed at once (pipeline depth). */
  inflightBatchesMax: number;
  /**
   * Additive (optional) knobs; defaults in `defaultConsensusConfig`:
   * - `quorum`: votes needed for prepared/committed/checkpoints/new-view (default 2f+1 of n); grouped
   *   PBFT runs the same core over a subgroup with its own n, keys and quorum.
   * - `retransmitTicks`: how often a replica re-sends its own votes a peer has not yet executed, its
   *   latest attest, its view-change and forwarded requests (the network may lose anything).
   * - `fetchTimeoutTicks`: state-transfer retry period (then another peer is asked).
   * - `fetchBatchesMax`: most batches asked for in one fetch.
   * - `unsafeCommitQuorum`: TEST ONLY planted bug (commit on fewer votes); the simulator must catch it.
   * - `smallTopLevel`: grouped PBFT's top level over g = 2 or 3 groups may run with n = 2..3 (f = 0,
   *   default quorum 2: any two quorums share a replica, safe while no group is byzantine). Flat
   *   mode never sets it and keeps n >= 4.
   */
  quorum?: number;
  retransmitTicks?: number;
  fetchTimeoutTicks?: number;
  fetchBatchesMax?: number;
  unsafeCommitQuorum?: number;
  smallTopLevel?: boolean;
}

export interface ConsensusCrypto {
  /** Sign with this replica's key. */
  sign(message: Uint8Array): Uint8Array;
  /** Verify a signature by replica `signer` (strict Ed25519 against config.replicaPublicKeys). */
  verifyReplica(signer: ReplicaId, message: Uint8Array, signature: Uint8Array): boolean;
  /** Is this client request authentic? (signature by its submitter; pure, cacheable) */
  verifyRequest(request: ClientRequest): boolean;
  /** Collision-resistant digest of bytes (SHA-256 under a consensus hash domain). */
  digest(bytes: Uint8Array): Uint8Array;
}

/** A signature by one replica over a certified statement. */
export interface ReplicaSignature {
  replica: ReplicaId;
  signature: Uint8Array;
}

/**
 * Proof that a batch committed: 2f+1 signed COMMITs for (view, seq, batchDigest). Anyone holding the
 * replica public keys can check it (see `verifyCommitCertificate`).
 */
export interface CommitCertificate {
  view: number;
  seq: number;
  batchDigest: Uint8Array;
  signatures: ReplicaSignature[];
}

export interface CommittedBatch {
  seq: number;
  view: number;
  /**
   * Requests in order. The core keeps duplicates out of its pending queue and in-flight batches, but
   * after a view change a request can appear in two committed batches; the application's
   * deterministic execution skips any (submitter, seq) it already executed, so every replica skips
   * the same ones and each request takes effect exactly once.
   */
  requests: ClientRequest[];
  certificate: CommitCertificate;
}

/**
 * Proof that 2f+1 replicas reached the same state after executing up to `seq`: the application's
 * digest (for the ledger, the hash of the block headers this batch produced). Every K-th one is
 * also the stable checkpoint.
 */
export interface StateCertificate {
  seq: number;
  stateDigest: Uint8Array;
  signatures: ReplicaSignature[];
}

/**
 * A prepared certificate: the primary's signed pre-prepare and 2f signed prepares for one
 * (view, seq, batch). Carried in view-change messages; persisted so a restarted replica still
 * reports what it prepared (forgetting would let a committed batch be lost in a view change).
 */
export interface PreparedCertificate {
  view: number;
  seq: number;
  batchDigest: Uint8Array;
  requests: ClientRequest[];
  prePrepareSignature: Uint8Array;
  prepares: ReplicaSignature[];
}

/** Additive: a prepared certificate without its body, as VIEW-CHANGE messages carry it. */
export type PreparedProof = Omit<PreparedCertificate, 'requests'>;

export type PersistRecord =
  | { kind: 'view'; view: number }
  /** Additive: a prepared certificate, persisted before the commit vote is sent. */
  | { kind: 'prepared'; certificate: PreparedCertificate }
  | { kind: 'log'; seq: number; view: number; batchDigest: Uint8Array; requests: ClientRequest[] }
  | { kind: 'stableCheckpoint'; certificate: StateCertificate }
  | { kind: 'truncateBelow'; seq: number };

export interface Outbound {
  /** A replica id, or 'all' for every other replica. */
  to: ReplicaId | 'all';
  message: ConsensusMessage;
}

/** Ask replica `from` for committed batches [fromSeq, toSeq] (state transfer by certified replay). */
export interface FetchRequest {
  from: ReplicaId;
  fromSeq: number;
  toSeq: number;
}

export interface Ready {
  persist: PersistRecord[];
  messages: Outbound[];
  committed: CommittedBatch[];
  certified: StateCertificate[];
  fetches: FetchRequest[];
}

/** Messages between replicas; the message module defines their wire encoding and validation. */
export type ConsensusMessage =
  | { type: 'request'; request: ClientRequest }
  | {
      type: 'prePrepare';
      view: number;
      seq: number;
      batchDigest: Uint8Array;
      requests: ClientRequest[];
      signature: Uint8Array;
    }
  | {
      type: 'prepare';
      view: number;
      seq: number;
      batchDigest: Uint8Array;
      replica: ReplicaId;
      signature: Uint8Array;
    }
  | {
      type: 'commit';
      view: number;
      seq: number;
      batchDigest: Uint8Array;
      replica: ReplicaId;
      signature: Uint8Array;
    }
  | { type: 'attest'; seq: number; stateDigest: Uint8Array; replica: ReplicaId; signature: Uint8Array }
  | { type: 'viewChange'; newView: number; replica: ReplicaId; payload: Uint8Array; signature: Uint8Array }
  | { type: 'newView'; view: number; replica: ReplicaId; payload: Uint8Array; signature: Uint8Array }
  | { type: 'fetchBatches'; fromSeq: number; toSeq: number; replica: ReplicaId }
  | { type: 'batches'; batches: CommittedBatch[]; replica: ReplicaId }
  /**
   * Additive: a replica that entered a view whose NEW-VIEW orders a batch it never received asks
   * every peer for the body (view changes carry digests only, so they stay small).
   */
  | { type: 'fetchBody'; seq: number; batchDigest: Uint8Array; replica: ReplicaId }
  /** Additive: the answer, checked by the receiver against the digest it asked for. */
  | { type: 'body'; seq: number; batchDigest: Uint8Array; requests: ClientRequest[]; replica: ReplicaId };

export interface ConsensusStatus {
  replica: ReplicaId;
  view: number;
  primary: ReplicaId;
  lastExecuted: number;
  lastStableCheckpoint: number;
  lowWatermark: number;
  highWatermark: number;
  pendingRequests: number;
  inViewChange: boolean;
  /** Dropped inputs by reason: malformed, badSignature, outOfWindow, wrongView, ... */
  dropped: Record<string, number>;
}

/**
 * What a replica process runs on top of consensus (the ledger, or the simulator's model). Execution
 * must be deterministic: same batches in the same order give the same state digest on every replica.
 */
export interface ReplicatedStateMachine {
  /** Highest seq applied, durably (0 for a fresh state). On restart, batches above it are replayed. */
  lastApplied(): number;
  /**
   * Apply one committed batch (seq = lastApplied() + 1), durably and atomically, skipping requests
   * already executed. Returns the state digest replicas attest to.
   */
  applyBatch(batch: CommittedBatch): { stateDigest: Uint8Array };
  /** A quorum attested the state after `seq`: keep the certificate (it backs client receipts). */
  attachStateCertificate(certificate: StateCertificate): void;
}

/** What a restarted replica hands back to `createReplicaCore`. */
export interface RestoredState {
  /** Everything persisted so far, in the order it was persisted (replayed in order). */
  records: PersistRecord[];
  /** Highest seq the application applied durably. */
  lastExecuted: number;
  /**
   * Optional (additive): the application's state digest after `seq`, for seqs it still knows. The
   * core re-signs its attests for `lastExecuted` and for checkpoint seqs above its stable checkpoint
   * (its pre-crash attests were lost with its memory). Without it, a restarted replica that is
   * needed for a checkpoint quorum (e.g. n = 4 with one silent replica) cannot help make that
   * checkpoint stable, and the window can stall.
   */
  stateDigestAt?: (seq: number) => Uint8Array | undefined;
}

/** 'rejected' (additive): the request failed authentication or exceeds a size limit. */
export type ProposeResult = 'accepted' | 'duplicate' | 'full' | 'forwarded' | 'rejected';

export interface ReplicaCore {
  tick(): void;
  /** Validates everything; drops and counts bad input (status().dropped), never throws on it. */
  step(from: ReplicaId, message: ConsensusMessage): void;
  /** Backups forward to the primary and start their request timer. */
  propose(request: ClientRequest): ProposeResult;
  /** The application applied `seq` (in order); the core signs and broadcasts an attest. */
  executed(seq: number, stateDigest: Uint8Array): void;
  /** Null when there is nothing to do. */
  ready(): Ready | null;
  advance(ready: Ready): void;
  status(): ConsensusStatus;
}
