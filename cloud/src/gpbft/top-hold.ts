import { type ResolvedConfig, resolveConfig } from '../consensus/config.ts';
import { sameBytes } from '../consensus/core-base.ts';
import { batchDigestOf } from '../consensus/statements.ts';
import type {
  CommittedBatch,
  ConsensusConfig,
  ConsensusCrypto,
  PersistRecord,
  PreparedCertificate,
  StateCertificate,
} from '../consensus/types.ts';
import { checkpointValid, preparedCertificateValid } from '../consensus/viewchange.ts';
import type { GroupedOutbound } from './types.ts';

/** Most prepared certificates a member holds above its held checkpoint (a top log window is far less). */
const heldPreparedMax = 1024;
/** Most held-back copies of one commit vote (one per peer per retransmit; the top has few peers). */
const stashedVotesMax = 64;

/**
 * What a group holds of its virtual top replica's state: the highest-view top prepared certificate
 * per seq above the latest stable top checkpoint. Every member keeps it; a new representative
 * restores its top core from the union of 2f_g+1 members' holdings, so its top VIEW-CHANGE reports
 * what its predecessor prepared (see docs/consensus.md "Representative changes keep the top state").
 */
export class TopHold {
  private readonly ctx: { config: ResolvedConfig; crypto: ConsensusCrypto };
  private readonly prepared = new Map<number, PreparedCertificate>();
  private checkpoint: StateCertificate | null = null;
  /** Highest top view seen in a held certificate (a successor starts above it). */
  maxView = 0;

  constructor(config: ConsensusConfig, crypto: ConsensusCrypto) {
    this.ctx = { config: resolveConfig(config), crypto };
  }

  /**
   * Checks (unless `trusted`: our own core's output) and keeps a record: 'new' when it changed the
   * holding (persist it), 'known' when valid but nothing new, 'invalid' otherwise.
   */
  accept(record: PersistRecord, trusted: boolean): 'new' | 'known' | 'invalid' {
    if (record.kind === 'prepared') {
      const cert = record.certificate;
      if (!trusted && !this.validPrepared(cert)) return 'invalid';
      this.maxView = Math.max(this.maxView, cert.view);
      if (this.checkpoint !== null && cert.seq <= this.checkpoint.seq) return 'known';
      const held = this.prepared.get(cert.seq);
      if (held !== undefined && held.view >= cert.view) return 'known';
      this.prepared.set(cert.seq, cert);
      if (this.prepared.size > heldPreparedMax) this.prepared.delete(Math.min(...this.prepared.keys()));
      return 'new';
    }
    if (record.kind === 'stableCheckpoint') {
      const cert = record.certificate;
      if (!trusted && !checkpointValid(this.ctx, cert)) return 'invalid';
      if (this.checkpoint !== null && cert.seq <= this.checkpoint.seq) return 'known';
      this.checkpoint = cert;
      for (const seq of this.prepared.keys()) if (seq <= cert.seq) this.prepared.delete(seq);
      return 'new';
    }
    return 'invalid';
  }

  private validPrepared(cert: PreparedCertificate): boolean {
    if (!sameBytes(batchDigestOf(this.ctx.crypto, cert.requests), cert.batchDigest)) return false;
    return preparedCertificateValid(this.ctx, cert);
  }

  /** The holding as top-core records: the checkpoint first, then certificates by seq. */
  records(): PersistRecord[] {
    const out: PersistRecord[] = [];
    if (this.checkpoint !== null) out.push({ kind: 'stableCheckpoint', certificate: this.checkpoint });
    const seqs = [...this.prepared.keys()].sort((a, b) => a - b);
    for (const seq of seqs) out.push({ kind: 'prepared', certificate: this.prepared.get(seq)! });
    return out;
  }
}

/**
 * The representative's side: a top COMMIT for (view, seq), and a top decision whose certificate
 * carries our commit, wait until 2f_g+1 members (ourselves included) hold the prepared certificate.
 * The top core retransmits its commits; held copies are simply replaced.
 */
export class DurableVotes {
  private readonly quorum: number;
  private readonly waiting = new Map<string, { record: PersistRecord; seq: number; acks: Set<number> }>();
  private readonly stashed = new Map<string, GroupedOutbound[]>();
  private readonly held: CommittedBatch[] = [];

  constructor(quorum: number) {
    this.quorum = quorum;
  }

  track(record: Extract<PersistRecord, { kind: 'prepared' }>, self: number): void {
    const { view, seq } = record.certificate;
    const key = `${view}:${seq}`;
    if (!this.waiting.has(key)) this.waiting.set(key, { record, seq, acks: new Set([self]) });
    this.settle(key);
  }

  durable(view: number, seq: number): boolean {
    return !this.waiting.has(`${view}:${seq}`);
  }

  /** Holds a commit vote until durable; true when held (the caller must not send it now). */
  holdVote(view: number, seq: number, outbound: GroupedOutbound): boolean {
    const key = `${view}:${seq}`;
    if (!this.waiting.has(key)) return false;
    const stash = this.stashed.get(key) ?? [];
    // The core re-sends its commit per peer each retransmit period: keep the latest few.
    if (stash.length >= stashedVotesMax) stash.shift();
    stash.push(outbound);
    this.stashed.set(key, stash);
    return true;
  }

  holdBatch(batch: CommittedBatch): boolean {
    if (this.durable(batch.certificate.view, batch.seq)) return false;
    this.held.push(batch);
    return true;
  }

  /** Seqs of decisions held back (fetched from another representative meanwhile). */
  heldSeqs(): number[] {
    return this.held.map((b) => b.seq);
  }

  /** Drops a held decision: the caller got it, certified by the others, from another representative. */
  take(seq: number): boolean {
    const i = this.held.findIndex((b) => b.seq === seq);
    if (i < 0) return false;
    this.held.splice(i, 1);
    return true;
  }

  /** A member's ack; returns the votes and batches it released. */
  ack(view: number, seq: number, member: number): { votes: GroupedOutbound[]; batches: CommittedBatch[] } {
    const key = `${view}:${seq}`;
    this.waiting.get(key)?.acks.add(member);
    return this.settle(key);
  }

  private settle(key: string): { votes: GroupedOutbound[]; batches: CommittedBatch[] } {
    const entry = this.waiting.get(key);
    if (entry === undefined || entry.acks.size < this.quorum) return { votes: [], batches: [] };
    this.waiting.delete(key);
    const votes = this.stashed.get(key) ?? [];
    this.stashed.delete(key);
    const batches: CommittedBatch[] = [];
    for (let i = this.held.length - 1; i >= 0; i--) {
      const batch = this.held[i]!;
      if (!this.durable(batch.certificate.view, batch.seq)) continue;
      batches.push(batch);
      this.held.splice(i, 1);
    }
    return { votes, batches: batches.sort((a, b) => a.seq - b.seq) };
  }

  /** Certificates still short of a quorum (re-sent every retransmit period). */
  unsettled(): PersistRecord[] {
    return [...this.waiting.values()].map((e) => e.record);
  }

  /** Forget what can no longer matter: seqs at or below the last decision delivered. */
  prune(delivered: number): void {
    for (const [key, entry] of this.waiting) {
      if (entry.seq > delivered) continue;
      this.waiting.delete(key);
      this.stashed.delete(key);
    }
  }
}
