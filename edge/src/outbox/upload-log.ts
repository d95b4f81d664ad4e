import { LogRateLimiter } from './log-limiter.ts';

/** Where the uploader reports retries and replica changes (a pino logger fits). */
export interface UploaderLog {
  warn(fields: Record<string, unknown>): void;
  info(fields: Record<string, unknown>): void;
}

/** One failed exchange, as the uploader decided on it. */
export interface FailedExchange {
  url: string;
  exchange: 'submit' | 'status';
  seq: number;
  attempt: number;
  reason: string;
  /** When this row is tried again (its backoff). */
  nextDelayMs: number;
}

/**
 * The uploader's log lines, rate-limited per replica URL so a dead replica does not flood the log:
 * - `upload.retry` (warn): what failed, at which URL, the attempt and the row's next delay;
 * - `upload.replicaChange` (warn): the uploader leaves a failed URL for the next one, and, when
 *   every URL failed in turn, how long the whole drain pauses (`allFailedPauseMs`);
 * - `upload.recovered` (info): a URL answers again, with how many exchanges failed there since.
 * At most one line of each kind per URL per `intervalMs`; a line after held-back ones carries
 * `heldBack` (how many it stands for).
 */
export class UploadLog {
  private readonly log: UploaderLog | undefined;
  private readonly limiter: LogRateLimiter;
  /** Failed exchanges per URL since its last answer. */
  private readonly failuresByUrl = new Map<string, number>();

  constructor(log: UploaderLog | undefined, intervalMs: number) {
    this.log = log;
    this.limiter = new LogRateLimiter(intervalMs);
  }

  failed(f: FailedExchange, nowMs: number): void {
    this.failuresByUrl.set(f.url, (this.failuresByUrl.get(f.url) ?? 0) + 1);
    const held = this.limiter.take(`retry ${f.url}`, nowMs);
    if (held === null) return;
    this.log?.warn({ event: 'upload.retry', ...f, ...heldBack(held) });
  }

  replicaChange(
    from: string,
    to: string,
    reason: string,
    allFailedPauseMs: number | null,
    nowMs: number,
  ): void {
    const held = this.limiter.take(`change ${from}`, nowMs);
    if (held === null) return;
    this.log?.warn({
      event: 'upload.replicaChange',
      from,
      to,
      reason,
      ...(allFailedPauseMs === null ? {} : { allFailedPauseMs }),
      ...heldBack(held),
    });
  }

  /** A valid answer came from `url`. */
  answered(url: string, nowMs: number): void {
    const failures = this.failuresByUrl.get(url);
    if (failures === undefined) return;
    this.failuresByUrl.delete(url);
    if (this.limiter.take(`recovered ${url}`, nowMs) === null) return;
    this.log?.info({ event: 'upload.recovered', url, failures });
  }
}

function heldBack(held: number): { heldBack?: number } {
  return held > 0 ? { heldBack: held } : {};
}
