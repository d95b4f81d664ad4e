import {
  assert,
  fromBase64Url,
  keyIdOf,
  type RejectionReason,
  type RejectionTx,
  stateDigestOf,
  toBase64Url,
} from '@suyuan/shared';
import Database from 'better-sqlite3';
import type {
  ClientRequest,
  CommittedBatch,
  ReplicatedStateMachine,
  StateCertificate,
} from '../consensus/types.ts';
import { BlockAssembler } from './block-assembler.ts';
import { certificateToWire } from './certificate-wire.ts';
import { ChainStore, type SubmissionOutcome } from './chain-store.ts';
import { type ChainKind, type LedgerConfig, routeChain } from './config.ts';
import { executeSubmission } from './executor.ts';
import { configure, migrate } from './schema.ts';
import { StateStore } from './state-store.ts';
import { authorise, batchTime, bodyHashOf, type Decoded, decodeRequest } from './submission-check.ts';
import type { CheckedDerivation } from './submission-digest.ts';
import { TxScratch } from './tx-scratch.ts';

/**
 * Whether a request's body is authentically signed by its submitter (request-auth.ts semantics).
 * A replica passes its memoised verifier, so a submission's Ed25519 check runs once per replica
 * (at intake or pre-prepare) and the ledger reuses the verdict; standalone, the ledger checks itself.
 */
export type RequestVerifier = (request: ClientRequest) => boolean;

export interface LedgerMachineOptions {
  verifySignature?: RequestVerifier;
  /**
   * What `verifySignature` derived when it accepted exactly this request's bytes (it hands it out
   * once): a plain reading batch is then not encoded and hashed a second time (submission-check.ts).
   */
  takeChecked?: (request: ClientRequest) => CheckedDerivation | undefined;
  /**
   * Grouped PBFT (g > 1): the layout (global replica ids per group). State certificates then come
   * from the top level with global signer ids and are stored in the grouped wire form.
   */
  groups?: readonly (readonly number[])[];
}

/**
 * Submissions this replica decoded at HTTP intake, kept until their batch executes so the replica
 * that took them in does not parse and encode them a second time. A request is looked up by
 * (submitter, seq) and used only when its bytes are the very bytes decoded; oldest dropped first.
 */
export const intakeDecodedEntriesMax = 256;

/**
 * The multi-chain ledger as a replicated state machine: every replica applies the same committed
 * batches in the same order and reaches the same blocks. One SQLite transaction per batch makes a
 * batch durable and atomic; one savepoint per submission makes a submission all or nothing.
 *
 * State digest of a batch = RFC 6962 Merkle root over merkleLeafHash(headerHash) of the blocks the
 * batch sealed, in chain-configuration order (shared/src/trace/hashing.ts).
 */
export class LedgerMachine implements ReplicatedStateMachine {
  readonly db: Database.Database;
  readonly chains: ChainStore;
  readonly state: StateStore;
  readonly config: LedgerConfig;
  private applied: number;
  /** Batches whose certified state digest differs from this replica's (see status). */
  divergedBatches = 0;

  readonly verifySignature: RequestVerifier | undefined;
  readonly takeChecked: LedgerMachineOptions['takeChecked'];
  private readonly groups: readonly (readonly number[])[] | undefined;
  private readonly intakeDecoded = new Map<string, { body: Uint8Array; decoded: Decoded }>();
  /** Reused memory for each batch's reading batch transactions' bytes (tx-scratch.ts). */
  private readonly txScratch = new TxScratch();

  /**
   * `target`: a file of its own (standalone, tests, benchmarks) or an open database shared with the
   * host, normally the replica's own: then `applyBatch` runs inside the replica's group-commit
   * transaction (a savepoint), and a committed batch and its execution are durable together.
   */
  constructor(target: string | Database.Database, config: LedgerConfig, options: LedgerMachineOptions = {}) {
    if (typeof target === 'string') {
      this.db = new Database(target);
      configure(this.db);
    } else {
      this.db = target;
    }
    this.ownsDb = typeof target === 'string';
    migrate(this.db);
    this.verifySignature = options.verifySignature;
    this.takeChecked = options.takeChecked;
    this.groups = options.groups !== undefined && options.groups.length > 1 ? options.groups : undefined;
    this.config = config;
    this.chains = new ChainStore(this.db);
    this.state = new StateStore(this.db);
    this.applied = this.chains.lastBatch()?.seq ?? 0;
    if (this.applied === 0) this.db.transaction(() => this.writeGenesis())();
  }

  private readonly ownsDb: boolean;

  close(): void {
    if (this.ownsDb) this.db.close();
  }

  lastApplied(): number {
    return this.applied;
  }

  applyBatch(batch: CommittedBatch): { stateDigest: Uint8Array } {
    assert(batch.seq === this.applied + 1, `batch ${batch.seq} applied after ${this.applied}`);
    const stateDigest = this.db.transaction(() => this.applyInTransaction(batch))();
    this.applied = batch.seq;
    return { stateDigest };
  }

  attachStateCertificate(certificate: StateCertificate): void {
    const stored = this.chains.batch(certificate.seq);
    if (!stored) return; // a certificate for a batch this replica has not applied yet: it will come again
    if (toBase64Url(stored.stateDigest) !== toBase64Url(certificate.stateDigest)) {
      // The quorum reached another state: this replica's ledger diverged (a bug or a tampered
      // file). Never attach a certificate to blocks it does not cover; count it for the operator.
      this.divergedBatches++;
      return;
    }
    this.chains.certify(certificate.seq, certificateToWire(certificate, this.groups));
  }

  /** Keeps what intake decoded (with this machine's verifier) for when the batch executes. */
  rememberDecoded(request: ClientRequest, decoded: Decoded): void {
    const key = `${request.submitter}\u0000${request.seq}`;
    this.intakeDecoded.delete(key);
    if (this.intakeDecoded.size >= intakeDecodedEntriesMax) {
      this.intakeDecoded.delete(this.intakeDecoded.keys().next().value!);
    }
    this.intakeDecoded.set(key, { body: request.body, decoded });
  }

  private decode(request: ClientRequest): Decoded {
    // Taken first in any case, so a derivation the intake path made no use of is not kept.
    const checked = this.takeChecked?.(request);
    const key = `${request.submitter}\u0000${request.seq}`;
    const known = this.intakeDecoded.get(key);
    if (known !== undefined) {
      this.intakeDecoded.delete(key);
      if (known.body === request.body || sameBytes(known.body, request.body)) return known.decoded;
    }
    return decodeRequest(request, this.verifySignature, undefined, checked);
  }

  private applyInTransaction(batch: CommittedBatch): Uint8Array {
    const decoded = batch.requests.map((r) => this.decode(r));
    const time = batchTime(decoded, this.chains.lastBatch()?.blockTime ?? 0);
    const order = this.config.chains.map((c) => c.name);
    const assembler = new BlockAssembler(this.chains, order, batch.seq, time, this.txScratch);
    for (const [i, request] of batch.requests.entries()) {
      if (this.chains.submission(request.submitter, request.seq)) continue; // exactly once
      const outcome = this.execute(request, decoded[i]!, assembler, batch.seq, time);
      if (outcome.status === 'rejected') this.recordRejection(request, decoded[i]!, outcome, assembler);
      this.chains.putSubmission(request.submitter, request.seq, outcome);
    }
    const sealed = assembler.seal();
    const digest = stateDigestOf(sealed.map((s) => s.hash));
    this.chains.putBatch(
      batch.seq,
      digest,
      time,
      sealed.map((s) => [s.chain, s.height]),
    );
    return digest;
  }

  private execute(
    request: ClientRequest,
    decoded: Decoded,
    assembler: BlockAssembler,
    batchSeq: number,
    time: number,
  ): SubmissionOutcome {
    const reject = (reason: RejectionReason, bodyHash: Uint8Array): SubmissionOutcome => ({
      bodyHash,
      batchSeq,
      status: 'rejected',
      reason,
      txs: [],
    });
    if (!decoded.ok)
      return reject({ code: decoded.code, message: decoded.message }, bodyHashOf(request.body));
    const auth = authorise(this.state, decoded.request, time, this.config.clockSkewMs);
    if (!auth.ok) return reject({ code: auth.code, message: auth.message }, decoded.bodyHash);
    const mark = assembler.mark();
    const ctx = {
      participant: auth.participant,
      keyId: auth.keyId,
      blockTimeMs: time,
      clockSkewMs: this.config.clockSkewMs,
      massBalanceTolerance: this.config.massBalanceTolerance,
      recallClosureMax: this.config.recallClosureMax,
    };
    const env = { state: this.state, assembler, config: this.config, ctx };
    let outcome: ReturnType<typeof executeSubmission> | undefined;
    try {
      this.db.transaction(() => {
        outcome = executeSubmission(env, decoded.request, decoded);
        if (!outcome.ok) throw rollback;
      })();
    } catch (error) {
      if (error !== rollback) throw error;
    }
    assert(outcome !== undefined, 'execution produced an outcome');
    if (!outcome.ok) {
      assembler.reset(mark);
      const { code, message, payloadIndex } = outcome;
      return reject({ code, message, payloadIndex }, decoded.bodyHash);
    }
    return { bodyHash: decoded.bodyHash, batchSeq, status: 'committed', reason: null, txs: outcome.txs };
  }

  /**
   * A rejection is a transaction too: on the chain the submission targeted (the registry chain when
   * the body did not say), so a commit certificate covers the verdict and its reason.
   */
  private recordRejection(
    request: ClientRequest,
    decoded: Decoded,
    outcome: SubmissionOutcome,
    assembler: BlockAssembler,
  ): void {
    assert(outcome.reason !== null, 'a rejection has a reason');
    const tx: RejectionTx = {
      v: 1,
      kind: 'rejection',
      submitter: request.submitter,
      seq: request.seq,
      bodyHash: toBase64Url(outcome.bodyHash),
      reason: outcome.reason,
    };
    const chain = routeChain(this.config, targetKind(decoded), targetParticipant(this.state, request));
    const at = assembler.add(chain, tx);
    outcome.txs = [{ chain, height: at.height, index: at.index, payloadIndexes: [] }];
  }

  private writeGenesis(): void {
    for (const admin of this.config.genesis.admins) {
      const keyId = keyIdOf(fromBase64Url(admin.publicKey, 'genesis admin public key'));
      this.state.apply({
        type: 'putParticipant',
        participant: { id: admin.id, name: admin.name, roles: ['admin'], gln: null },
      });
      this.state.apply({
        type: 'putKey',
        key: { keyId, participantId: admin.id, publicKey: admin.publicKey, revokedReason: null },
      });
    }
  }
}

function targetKind(decoded: Decoded): ChainKind {
  if (!decoded.ok) return 'registry';
  const first = decoded.request.submission.payloads[0];
  if (first?.kind === 'reading') return 'telemetry';
  return first?.kind === 'event' ? 'trace' : 'registry';
}

/** The participant a chain is routed by: the submitter key's owner, or the key id when unknown. */
function targetParticipant(state: StateStore, request: ClientRequest): string {
  return state.key(request.submitter)?.participantId ?? request.submitter;
}

/** One memcmp instead of a byte loop: a reading batch's body is about 1 MB. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Thrown inside a savepoint to undo a rejected submission's writes. */
const rollback = Symbol('rollback');
