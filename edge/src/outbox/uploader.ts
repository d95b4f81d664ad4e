import { assert, type Clock, type Rng, type SubmissionHeader } from '@suyuan/shared';
import { retryDelayMs } from './backoff.ts';
import {
  type CloudClientOptions,
  type CloudOutcome,
  defaultCloudClientOptions,
  getSubmissionStatus,
  postSubmission,
} from './cloud-client.ts';
import type { OutboxEntry, OutboxStore } from './outbox-store.ts';
import { receiptProblem } from './receipt-check.ts';

/**
 * The paced drain: takes due outbox rows, sends each to the current cloud replica, and records the
 * outcome. Any failure of a replica (silence, 5xx, a receipt that does not verify) moves to the next
 * URL in the list and schedules a retry with backoff, so one bad replica delays but never loses or
 * duplicates anything: the cloud deduplicates by (gateway key, seq) and the row is re-sent as is.
 */
export interface UploaderOptions {
  cloudUrls: readonly string[];
  replicaPublicKeys: readonly Uint8Array[];
  /** Grouped PBFT replicas: their layout (global ids per group), which receipts are checked under. */
  replicaGroups?: readonly (readonly number[])[];
  /** Submissions in flight at once. */
  inflightMax: number;
  /** Pacing: at most this many requests started per second. */
  requestsPerSecondMax: number;
  /** How often an idle uploader looks for due rows. */
  idlePollMs: number;
  /** How often expiry and pruning run. */
  maintenanceIntervalMs: number;
  client: CloudClientOptions;
}

export const defaultUploaderOptions: Omit<UploaderOptions, 'cloudUrls' | 'replicaPublicKeys'> = {
  inflightMax: 4,
  requestsPerSecondMax: 200,
  idlePollMs: 100,
  maintenanceIntervalMs: 60_000,
  client: defaultCloudClientOptions,
};

export interface UploaderStats {
  sent: number;
  committed: number;
  dead: number;
  retries: number;
  badReceipts: number;
  urlIndex: number;
}

export class Uploader {
  private readonly store: OutboxStore;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly options: UploaderOptions;
  private urlIndex = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();
  private lastMaintenanceMs = 0;
  /** After a failed exchange nothing is sent until then: a down cloud is not hammered row by row. */
  private pausedUntilMs = 0;
  /** Exchanges under way, by outbox seq (a row is never sent twice at once). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Pacing: the earliest time the next exchange may start. */
  private nextStartMs = 0;
  readonly stats: UploaderStats = { sent: 0, committed: 0, dead: 0, retries: 0, badReceipts: 0, urlIndex: 0 };

  constructor(store: OutboxStore, clock: Clock, rng: Rng, options: UploaderOptions) {
    assert(options.cloudUrls.length > 0, 'uploader needs at least one cloud URL');
    this.store = store;
    this.clock = clock;
    this.rng = rng;
    this.options = options;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    await Promise.all(this.inFlight.values());
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop = this.tick().then((delay) => this.schedule(delay));
    }, delayMs);
  }

  /**
   * Keeps up to `inflightMax` exchanges going: each one that ends frees its slot and the next due row
   * starts at once (a slow replica answer holds one slot, not a whole round). Starts are paced to
   * `requestsPerSecondMax`; after a failed exchange everything waits until `pausedUntilMs`.
   */
  private async tick(): Promise<number> {
    try {
      this.maintain();
      const now = this.clock.now();
      if (now < this.pausedUntilMs) return Math.min(this.options.idlePollMs, this.pausedUntilMs - now);
      const free = this.options.inflightMax - this.inFlight.size;
      if (free <= 0) return this.options.idlePollMs; // a finishing exchange schedules the next tick
      const due = this.store
        .due(this.options.inflightMax + this.inFlight.size)
        .filter((entry) => !this.inFlight.has(entry.seq))
        .slice(0, free);
      if (due.length === 0) return this.options.idlePollMs;
      const spacingMs = 1000 / this.options.requestsPerSecondMax;
      for (const entry of due) {
        const exchange = this.process(entry).finally(() => {
          this.inFlight.delete(entry.seq);
          if (this.running && this.timer === undefined) return;
          this.schedule(Math.max(0, this.nextStartMs - this.clock.now()));
        });
        this.inFlight.set(entry.seq, exchange);
      }
      this.nextStartMs = Math.max(this.nextStartMs, now) + due.length * spacingMs;
      return Math.max(0, this.nextStartMs - this.clock.now());
    } catch (error) {
      process.emitWarning(`uploader: ${(error as Error).message}`);
      return this.options.idlePollMs;
    }
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

  private async process(entry: OutboxEntry): Promise<void> {
    const urlIndex = this.urlIndex;
    const url = this.currentUrl();
    const header = headerOf(entry);
    this.stats.sent++;
    const outcome =
      entry.state === 'accepted'
        ? await getSubmissionStatus(url, header.submitter, header.seq, this.options.client)
        : await postSubmission(url, entry.body, this.options.client);
    try {
      this.record(entry, header, outcome, urlIndex);
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
  ): void {
    const now = this.clock.now();
    switch (outcome.kind) {
      case 'pending':
        this.store.markAccepted(entry.seq, now + this.store.limits.commitPollDelayMs);
        return;
      case 'unknown':
        // This replica never saw it (we posted elsewhere, or it was lost): post it again here.
        this.store.markRetry(entry.seq, 'unknown to replica', now, 'pending');
        return;
      case 'rejected':
        this.store.markDead(entry.seq, `${outcome.code}: ${outcome.message}`);
        this.stats.dead++;
        return;
      case 'committed': {
        const problem = receiptProblem(
          outcome.receipt,
          header,
          this.options.replicaPublicKeys,
          this.options.replicaGroups,
        );
        if (problem === null) {
          this.store.markCommitted(entry.seq, JSON.stringify(outcome.receipt));
          this.stats.committed++;
          return;
        }
        this.stats.badReceipts++;
        this.retry(
          entry,
          `bad receipt from ${this.options.cloudUrls[urlIndex]}: ${problem}`,
          'accepted',
          urlIndex,
        );
        return;
      }
      case 'retry':
        this.retry(entry, outcome.reason, entry.state === 'accepted' ? 'accepted' : 'pending', urlIndex);
        return;
    }
  }

  /**
   * `urlIndex` is the URL the failed exchange went to. Only a failure at the current URL moves on:
   * the exchanges in flight all went to the same replica, and when it failed (a cut cable times out
   * all of them together) one move per failure went round the list, so `inflightMax` failures at
   * once (4 by default, with 4 URLs) came back to the same dead replica, again and again.
   */
  private retry(entry: OutboxEntry, reason: string, state: 'pending' | 'accepted', urlIndex: number): void {
    this.stats.retries++;
    const delay = retryDelayMs(entry.attempts + 1, this.rng, this.store.limits);
    this.store.markRetry(entry.seq, reason, this.clock.now() + delay, state);
    if (urlIndex !== this.urlIndex) return; // we already left that URL
    this.nextUrl();
    // The next URL gets a try at once; only when every URL failed in turn does the whole drain pause.
    if (this.urlIndex === 0) this.pausedUntilMs = this.clock.now() + delay;
  }
}

function headerOf(entry: OutboxEntry): SubmissionHeader {
  return JSON.parse(entry.header) as SubmissionHeader;
}
