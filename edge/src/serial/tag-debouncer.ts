import { assert, type Clock } from '@suyuan/shared';

/**
 * Readers repeat a tag for as long as it stays in the field (EM4100 readers several times a second,
 * UHF modules once per inventory round). A read counts once per reader and EPC per window: a tag that
 * stays is counted again once every `windowMs`, so presence is still reported, at a bounded rate.
 */

export interface DebounceLimits {
  /** How long a counted read of one EPC on one reader suppresses repeats. */
  readonly windowMs: number;
  /** Most (reader, EPC) pairs remembered; beyond it the oldest is forgotten (and may count again). */
  readonly entriesMax: number;
}

export const defaultDebounceLimits: DebounceLimits = { windowMs: 2000, entriesMax: 10_000 };

export interface DebounceStats {
  counted: number;
  suppressed: number;
  /** Pairs forgotten before their window ended because `entriesMax` was reached. */
  evicted: number;
}

export class TagReadDebouncer {
  private readonly limits: DebounceLimits;
  private readonly clock: Clock;
  /** Key → time of the last counted read; insertion order is counting order, so the oldest is first. */
  private readonly lastCounted = new Map<string, number>();
  private readonly counters: DebounceStats = { counted: 0, suppressed: 0, evicted: 0 };

  constructor(clock: Clock, limits: DebounceLimits = defaultDebounceLimits) {
    assert(limits.windowMs >= 0 && limits.entriesMax >= 1, 'debounce limits must be positive');
    this.clock = clock;
    this.limits = limits;
  }

  /** True if this read counts; false if it repeats one counted within the window. */
  accept(readerId: string, epcHex: string): boolean {
    const now = this.clock.now();
    const key = `${readerId}\u0000${epcHex}`;
    const last = this.lastCounted.get(key);
    // A clock that stepped back (now < last) must not mute a tag for longer than one window.
    if (last !== undefined && now >= last && now - last < this.limits.windowMs) {
      this.counters.suppressed++;
      return false;
    }
    this.lastCounted.delete(key);
    this.forgetExpired(now);
    if (this.lastCounted.size >= this.limits.entriesMax) this.evictOldest();
    this.lastCounted.set(key, now);
    this.counters.counted++;
    return true;
  }

  get size(): number {
    return this.lastCounted.size;
  }

  get stats(): Readonly<DebounceStats> {
    return { ...this.counters };
  }

  private forgetExpired(now: number): void {
    for (const [key, time] of this.lastCounted) {
      if (now >= time && now - time < this.limits.windowMs) return;
      this.lastCounted.delete(key);
    }
  }

  private evictOldest(): void {
    const oldest = this.lastCounted.keys().next();
    if (oldest.done === true) return;
    this.lastCounted.delete(oldest.value);
    this.counters.evicted++;
  }
}
