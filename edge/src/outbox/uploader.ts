import { assert, type Clock, type Rng, type SubmissionHeader } from '@suyuan/shared';
import { retryDelayMs } from './backoff.ts';
import { BodyCache } from './body-cache.ts';
import { type CloudOutcome, getSubmissionStatus, postSubmission } from './cloud-client.ts';
import type { OutboxEntry, OutboxStore } from './outbox-store.ts';
import { OwnPayloads } from './own-payloads.ts';
import { receiptProblem, storedReceiptJson } from './receipt-check.ts';
import { UploadLog } from './upload-log.ts';
import type { UploaderOptions, UploaderStats } from './uploader-options.ts';

export type { UploaderLog } from './upload-log.ts';
export { defaultUploaderOptions, type UploaderOptions, type UploaderStats } from './uploader-options.ts';

/**
 * The paced drain: takes due outbox rows, sends each to the current cloud replica, and records the
 * outcome. Any failure of a replica (silence, 5xx, a receipt that does not verify) moves to the next
 * URL in the list and schedules a retry with backoff, so one bad replica delays but never loses or
 * duplicates anything: the cloud deduplicates by (gateway key, seq) and the row is re-sent as is.
 *
 * Two lanes: POSTs (`inflightMax` at once) and status GETs (`statusInflightMax`). A replica that
 * holds status GETs (session 6, it says so in a header) is asked right after its 202 with
 * `?waitMs=statusWaitMs` and answers when the submission commits, so a held GET must not take a
 * POST's slot; an older replica is asked every `commitPollDelayMs` as before.
 */
export class Uploader {
  private readonly store: OutboxStore;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly options: UploaderOptions;
  private urlIndex = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (clock time), so a `wake` never puts off a sooner turn. */
  private timerDueMs = 0;
  private loop: Promise<void> = Promise.resolve();
  /** Aborts held status GETs on stop (they may be held for `statusWaitMs`). */
  private readonly stopping = new AbortController();
  private lastMaintenanceMs = 0;
  /** After a failed exchange nothing is sent until then: a down cloud is not hammered row by row. */
  private pausedUntilMs = 0;
  /** Exchanges under way, by outbox seq (a row is never sent twice at once). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The seqs of the POSTs and of the status GETs under way (the two lanes). */
  private readonly posting = new Set<number>();
  private readonly polling = new Set<number>();
  private readonly log: UploadLog;
  readonly bodies: BodyCache;
  /** Pacing: the earliest time the next exchange may start. */
  private nextStartMs = 0;
  readonly stats: UploaderStats = { sent: 0, committed: 0, dead: 0, retries: 0, badReceipts: 0, urlIndex: 0 };

  constructor(store: OutboxStore, clock: Clock, rng: Rng, options: UploaderOptions) {
    assert(options.cloudUrls.length > 0, 'uploader needs at least one cloud URL');
    this.store = store;
    this.clock = clock;
    this.rng = rng;
    this.options = options;
    this.log = new UploadLog(options.log, options.retryLogIntervalMs);
    this.bodies = new BodyCache(options.bodyCacheBytesMax);
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    await Promise.all(this.inFlight.values());
  }

  /** New rows were appended: look for them now (within pacing), not at the next idle poll. */
  wake(): void {
    if (!this.running || this.timer === undefined) return; // a turn is under way: it lists them
    if (this.posting.size >= this.options.inflightMax) return; // a finishing POST starts the next turn
    const now = this.clock.now();
    if (now < this.pausedUntilMs) return;
    const delayMs = Math.max(0, this.nextStartMs - now);
    if (this.timerDueMs <= now + delayMs) return;
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = this.clock.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop = this.tick().then((delay) => this.schedule(delay));
    }, delayMs);
  }

  /**
   * Keeps up to `inflightMax` POSTs and `statusInflightMax` status GETs going: each one that ends
   * frees its slot and the next due row starts at once (a slow replica answer holds one slot, not
   * a whole round). Starts are paced to `requestsPerSecondMax`; after a failed exchange everything
   * waits until `pausedUntilMs`.
   */
  private async tick(): Promise<number> {
    try {
      this.maintain();
      const now = this.clock.now();
      if (now < this.pausedUntilMs) return Math.min(this.options.idlePollMs, this.pausedUntilMs - now);
      const started =
        this.startDue('pending', this.posting, this.options.inflightMax) +
        this.startDue('accepted', this.polling, this.options.statusInflightMax);
      if (started === 0) return this.options.idlePollMs; // a finishing exchange schedules the next tick
      const spacingMs = 1000 / this.options.requestsPerSecondMax;
      this.nextStartMs = Math.max(this.nextStartMs, now) + started * spacingMs;
      return Math.max(0, this.nextStartMs - this.clock.now());
    } catch (error) {
      process.emitWarning(`uploader: ${(error as Error).message}`);
      return this.options.idlePollMs;
    }
  }

  /** Starts exchanges for due rows in `state` while `lane` has room; returns how many. */
  private startDue(state: 'pending' | 'accepted', lane: Set<number>, laneMax: number): number {
    const free = laneMax - lane.size;
    if (free <= 0) return 0;
    const due = this.store
      .dueIn(state, free + lane.size, this.inFlight, free)
      .filter((entry) => !this.inFlight.has(entry.seq))
      .slice(0, free);
    for (const entry of due) {
      lane.add(entry.seq);
      const exchange = this.process(entry).finally(() => {
        this.inFlight.delete(entry.seq);
        lane.delete(entry.seq);
        if (this.running && this.timer === undefined) return;
        this.schedule(Math.max(0, this.nextStartMs - this.clock.now()));
      });
      this.inFlight.set(entry.seq, exchange);
    }
    return due.length;
  }

  private maintain(): void {
    const now = this.clock.now();
    if (now - this.lastMaintenanceMs < this.options.maintenanceIntervalMs) return;
    this.lastMaintenanceMs = now;
    this.store.expire();
    this.store.pruneCommitted();
  }

  /** Sends one round of due rows (up to `inflightMax`, concurrently); returns how many. */
  async drainOnce(): Promise<number> {
    if (this.clock.now() < this.pausedUntilMs) return 0;
    const due = this.store.due(this.options.inflightMax);
    await Promise.all(due.map((entry) => this.process(entry)));
    return due.length;
  }

  private currentUrl(): string {
    return this.options.cloudUrls[this.urlIndex % this.options.cloudUrls.length]!;
  }

  private nextUrl(): void {
    this.urlIndex = (this.urlIndex + 1) % this.options.cloudUrls.length;
    this.stats.urlIndex = this.urlIndex;
  }

  private bodyOf(seq: number): Uint8Array | undefined {
    return this.bodies.get(seq, () => this.store.bodyBytes(seq));
  }

  private async process(entry: OutboxEntry): Promise<void> {
    const urlIndex = this.urlIndex;
    const url = this.currentUrl();
    const header = headerOf(entry);
    const startedMs = this.clock.now();
    this.stats.sent++;
    const outcome =
      entry.state === 'accepted'
        ? await getSubmissionStatus(
            url,
            header.submitter,
            header.seq,
            this.options.client,
            this.options.statusWaitMs,
            this.stopping.signal,
          )
        : await postSubmission(url, this.bodyOf(entry.seq) ?? '', this.options.client);
    // A held status GET cut short by stop(): nothing failed, the row stays as it is.
    if (entry.state === 'accepted' && outcome.kind === 'retry' && this.stopping.signal.aborted) return;
    try {
      this.record(entry, header, outcome, urlIndex, startedMs);
    } catch (error) {
      // Whatever a replica sent, one bad answer costs a retry elsewhere, never a stuck row.
      this.retry(
        entry,
        `${url}: ${(error as Error).message}`,
        entry.state === 'accepted' ? 'accepted' : 'pending',
        urlIndex,
      );
    }
  }

  private record(
    entry: OutboxEntry,
    header: SubmissionHeader,
    outcome: CloudOutcome,
    urlIndex: number,
    startedMs: number,
  ): void {
    const now = this.clock.now();
    const url = this.options.cloudUrls[urlIndex]!;
    if (outcome.kind !== 'retry' && outcome.kind !== 'committed') this.log.answered(url, now);
    switch (outcome.kind) {
      case 'pending':
        this.store.markAccepted(entry.seq, this.nextStatusAskMs(entry, outcome.holdsStatus, startedMs, now));
        return;
      case 'unknown':
        // This replica never saw it (we posted elsewhere, or it was lost): post it again here.
        this.store.markRetry(entry.seq, 'unknown to replica', now, 'pending');
        return;
      case 'rejected':
        this.store.markDead(entry.seq, `${outcome.code}: ${outcome.message}`);
        this.bodies.delete(entry.seq);
        this.stats.dead++;
        return;
      case 'committed': {
        const problem = receiptProblem(
          outcome.receipt,
          header,
          this.options.replicaPublicKeys,
          this.options.replicaGroups,
          new OwnPayloads(() => this.bodyOf(entry.seq) ?? ''),
        );
        if (problem === null) {
          this.log.answered(url, now);
          this.store.markCommitted(entry.seq, storedReceiptJson(outcome.receipt));
          this.bodies.delete(entry.seq);
          this.stats.committed++;
          return;
        }
        this.stats.badReceipts++;
        this.retry(entry, `bad receipt from ${url}: ${problem}`, 'accepted', urlIndex);
        return;
      }
      case 'retry':
        this.retry(entry, outcome.reason, entry.state === 'accepted' ? 'accepted' : 'pending', urlIndex);
        return;
    }
  }

  /**
   * When to ask about a pending submission next. Right after the 202 of a replica that holds status
   * GETs: at once (it answers when the commit happens). Otherwise, and after any pending status
   * answer, `commitPollDelayMs` after the last ask started: a held GET that timed out is asked again
   * at once, and a replica that answers at once (an older one, or one holding too many) is asked no
   * more often than before.
   */
  private nextStatusAskMs(entry: OutboxEntry, holdsStatus: boolean, startedMs: number, now: number): number {
    const pollDelayMs = this.store.limits.commitPollDelayMs;
    if (entry.state === 'accepted') return startedMs + pollDelayMs;
    return holdsStatus && this.options.statusWaitMs > 0 ? now : now + pollDelayMs;
  }

  /**
   * `urlIndex` is the URL the failed exchange went to. Only a failure at the current URL moves on:
   * the exchanges in flight all went to the same replica, and when it failed (a cut cable times out
   * all of them together) one move per failure went round the list, so `inflightMax` failures at
   * once (4 by default, with 4 URLs) came back to the same dead replica, again and again.
   */
  private retry(entry: OutboxEntry, reason: string, state: 'pending' | 'accepted', urlIndex: number): void {
    this.stats.retries++;
    const now = this.clock.now();
    const delay = retryDelayMs(entry.attempts + 1, this.rng, this.store.limits);
    this.store.markRetry(entry.seq, reason, now + delay, state);
    const url = this.options.cloudUrls[urlIndex]!;
    this.log.failed(
      {
        url,
        exchange: state === 'accepted' ? 'status' : 'submit',
        seq: entry.seq,
        attempt: entry.attempts + 1,
        reason,
        nextDelayMs: delay,
      },
      now,
    );
    if (urlIndex !== this.urlIndex) return; // we already left that URL
    this.nextUrl();
    // The next URL gets a try at once; only when every URL failed in turn does the whole drain pause.
    const allFailed = this.urlIndex === 0;
    if (allFailed) this.pausedUntilMs = now + delay;
    this.log.replicaChange(url, this.currentUrl(), reason, allFailed ? delay : null, now);
  }
}

function headerOf(entry: OutboxEntry): SubmissionHeader {
  return JSON.parse(entry.header) as SubmissionHeader;
}
