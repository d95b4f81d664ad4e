import { assert } from '@suyuan/shared';
import type { ClientRequest, ConsensusMessage, Outbound, Ready, ReplicaId } from '../consensus/types.ts';
import type { ReplicaApp } from './app/replica-app.ts';
import type { ProposeResult, ReplicaCorePort } from './core-port.ts';
import type { ReplicaStore } from './replica-store.ts';
import { countDrop, type DropCounters } from './transport-limits.ts';

export interface DriverLimits {
  /** Period of core.tick(); the core's timeouts are counted in these ticks. */
  tickMs: number;
  /** Most batches sent in one state-transfer reply... */
  fetchBatchesMax: number;
  /** ...and most bytes of batch data in it. */
  fetchReplyBytesMax: number;
  /** Most requests whose "pending" status this replica remembers (oldest forgotten first). */
  pendingTrackedMax: number;
  /** Ready rounds handled in one drain before yielding to I/O (a bound on one event-loop turn). */
  readyRoundsMax: number;
  /** Most clients waiting for their request to commit (`?wait=commit`); more get an immediate 202. */
  commitWaitersMax: number;
}

export const defaultDriverLimits: DriverLimits = {
  tickMs: 10,
  fetchBatchesMax: 256,
  fetchReplyBytesMax: 8 * 1024 * 1024,
  pendingTrackedMax: 100_000,
  readyRoundsMax: 64,
  commitWaitersMax: 50_000,
};

export interface DriverOptions {
  id: ReplicaId;
  core: ReplicaCorePort;
  store: ReplicaStore;
  app: ReplicaApp;
  send(to: ReplicaId | 'all', message: ConsensusMessage): void;
  limits: DriverLimits;
  /** Metrics hooks (ops/replica-metrics.ts): each Ready round, and each group commit's duration. */
  observer?: DriverObserver;
}

export interface DriverObserver {
  ready(rd: Ready): void;
  persisted(seconds: number): void;
}

const requestKey = (submitter: string, seq: number): string => `${submitter}\u0000${seq}`;

/**
 * The loop of consensus/types.ts around the pure core: inputs go to the core as they arrive, and
 * one drain per event-loop turn takes every Ready, persists it BEFORE any of its messages leave,
 * applies committed batches to the application, and answers state-transfer fetches from the
 * committed-batch store.
 */
export class ReplicaDriver {
  readonly dropped: DropCounters = {};
  /** State transfer activity: fetches we sent, fetches we answered, batches we sent in answers. */
  readonly stateTransfer = { fetchesSent: 0, fetchesServed: 0, batchesServed: 0 };
  private readonly opts: DriverOptions;
  private readonly drainRounds: ReplicaDriver['roundsInTransaction'];
  private readonly pending = new Map<string, number>();
  private readonly waiters = new Map<string, ((batchSeq: number) => void)[]>();
  private waiterCount = 0;
  private timer: NodeJS.Timeout | null = null;
  private drainScheduled = false;
  private stopped = false;
  ticks = 0;

  constructor(options: DriverOptions) {
    this.opts = options;
    // Wrapped once: better-sqlite3 builds a wrapper per transaction() call, which cost more than
    // an idle tick's empty drain.
    this.drainRounds = options.store.db.transaction(this.roundsInTransaction.bind(this));
  }

  start(): void {
    this.timer = setInterval(() => {
      this.ticks++;
      this.opts.core.tick();
      this.drain();
    }, this.opts.limits.tickMs);
    this.scheduleDrain();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  onMessage(from: ReplicaId, message: ConsensusMessage): void {
    if (this.stopped) return;
    if (message.type === 'fetchBatches') this.serveFetch(from, message.fromSeq, message.toSeq);
    else this.opts.core.step(from, message);
    this.scheduleDrain();
  }

  propose(request: ClientRequest): ProposeResult {
    const result = this.opts.core.propose(request);
    if (result === 'accepted' || result === 'forwarded') this.trackPending(request);
    this.scheduleDrain();
    return result;
  }

  isPending(submitter: string, seq: number): boolean {
    return this.pending.has(requestKey(submitter, seq));
  }

  /**
   * Resolves with the batch seq once this replica executed the request, or null after `timeoutMs`
   * (or at once when too many are waiting). The caller checks the store first for old commits.
   */
  waitForCommit(submitter: string, seq: number, timeoutMs: number): Promise<number | null> {
    if (this.waiterCount >= this.opts.limits.commitWaitersMax) return Promise.resolve(null);
    const key = requestKey(submitter, seq);
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      this.waiters.set(key, list);
      this.waiterCount++;
      const timer = setTimeout(() => {
        const at = list.indexOf(done);
        if (at >= 0) {
          list.splice(at, 1);
          this.waiterCount--;
          if (list.length === 0) this.waiters.delete(key);
        }
        resolve(null);
      }, timeoutMs);
      function done(batchSeq: number): void {
        clearTimeout(timer);
        resolve(batchSeq);
      }
      list.push(done);
    });
  }

  private notifyCommitted(key: string, batchSeq: number): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    this.waiterCount -= list.length;
    for (const done of list) done(batchSeq);
  }

  private trackPending(request: ClientRequest): void {
    this.pending.set(requestKey(request.submitter, request.seq), this.ticks);
    if (this.pending.size > this.opts.limits.pendingTrackedMax) {
      this.pending.delete(this.pending.keys().next().value!);
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.stopped) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /**
   * Handles Ready rounds until the core has nothing more (or the per-turn bound is hit) as one
   * group commit: every round's records, committed batches and (for an app sharing the replica
   * database) execution go into one SQLite transaction, and the rounds' messages and client
   * answers are released only after it committed. One fsync per event-loop turn instead of one per
   * round is what lets a replica keep up; nothing leaves before the state it depends on is durable.
   */
  drain(): void {
    if (this.stopped) return;
    const outbox: Outbound[] = [];
    const executed: { key: string; batchSeq: number }[] = [];
    const started = performance.now();
    const { handled, more } = this.drainRounds(outbox, executed);
    if (handled > 0) this.opts.observer?.persisted((performance.now() - started) / 1000);
    for (const out of outbox) this.opts.send(out.to, out.message);
    for (const { key, batchSeq } of executed) this.notifyCommitted(key, batchSeq);
    if (more) this.scheduleDrain();
  }

  /** The ready rounds of one drain in one SQLite transaction. */
  private roundsInTransaction(outbox: Outbound[], executed: { key: string; batchSeq: number }[]) {
    let handled = 0;
    for (let round = 0; round < this.opts.limits.readyRoundsMax; round++) {
      const rd = this.opts.core.ready();
      if (rd === null) return { handled, more: false };
      handled++;
      this.handle(rd, outbox, executed);
    }
    return { handled, more: true };
  }

  private handle(rd: Ready, outbox: Outbound[], executed: { key: string; batchSeq: number }[]): void {
    const { core, store, app } = this.opts;
    this.opts.observer?.ready(rd);
    store.saveReady(rd.persist, rd.committed, rd.certified);
    outbox.push(...rd.messages);
    for (const batch of rd.committed) {
      const lastApplied = app.machine.lastApplied();
      if (batch.seq <= lastApplied) {
        countDrop(this.dropped, 'alreadyApplied');
        continue;
      }
      assert(batch.seq === lastApplied + 1, `committed batch ${batch.seq} after ${lastApplied}: a gap`);
      const { stateDigest } = app.machine.applyBatch(batch);
      for (const request of batch.requests) {
        const key = requestKey(request.submitter, request.seq);
        this.pending.delete(key);
        executed.push({ key, batchSeq: batch.seq });
      }
      core.executed(batch.seq, stateDigest);
    }
    for (const certificate of rd.certified) app.machine.attachStateCertificate(certificate);
    for (const fetch of rd.fetches) {
      this.stateTransfer.fetchesSent++;
      const message = {
        type: 'fetchBatches',
        fromSeq: fetch.fromSeq,
        toSeq: fetch.toSeq,
        replica: this.opts.id,
      } as const;
      outbox.push({ to: fetch.from, message });
    }
    core.advance(rd);
  }

  private serveFetch(from: ReplicaId, fromSeq: number, toSeq: number): void {
    const { fetchBatchesMax, fetchReplyBytesMax } = this.opts.limits;
    if (!(fromSeq >= 1 && toSeq >= fromSeq)) {
      countDrop(this.dropped, 'badFetch');
      return;
    }
    const last = Math.min(toSeq, fromSeq + fetchBatchesMax - 1);
    const batches = this.opts.store.batches(fromSeq, last, fetchBatchesMax, fetchReplyBytesMax);
    if (batches.length === 0) return;
    this.stateTransfer.fetchesServed++;
    this.stateTransfer.batchesServed += batches.length;
    this.opts.send(from, { type: 'batches', batches, replica: this.opts.id });
  }
}

/**
 * Before the core starts: apply committed batches the store holds beyond what the application has
 * (a crash between persisting a Ready and applying it), so `lastExecuted` handed to the core is
 * exactly the application's state.
 */
export function replayStoredBatches(store: ReplicaStore, app: ReplicaApp): number {
  for (;;) {
    const next = app.machine.lastApplied() + 1;
    const [batch] = store.batches(next, next, 1, Number.MAX_SAFE_INTEGER);
    if (!batch) return next - 1;
    app.machine.applyBatch(batch);
  }
}
