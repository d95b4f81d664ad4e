/**
 * Values remembered while the ledger's change stamp stays the same, and for at most `ageMsMax`
 * (readings on the charts are left out of the stamp on purpose; pages catch up with them within
 * the same bound as the response cache's `entryAgeMsMax`). Everything is dropped at once when
 * either runs out. Bounded in entries, oldest first. Values are shared: callers must not mutate.
 */

export interface StampMemoLimits {
  entriesMax: number;
  ageMsMax: number;
}

export const defaultStampMemoLimits: StampMemoLimits = { entriesMax: 20_000, ageMsMax: 30_000 };

export class StampMemo {
  private readonly values = new Map<string, unknown>();
  private stamp = '';
  private since = 0;
  private readonly currentStamp: () => string;
  private readonly nowMs: () => number;
  private readonly limits: StampMemoLimits;

  constructor(currentStamp: () => string, nowMs: () => number, limits = defaultStampMemoLimits) {
    this.currentStamp = currentStamp;
    this.nowMs = nowMs;
    this.limits = limits;
  }

  /** The value for `key` made in this generation, else `make()`'s (a rejected promise is not kept). */
  get<T>(key: string, make: () => T): T {
    const stamp = this.currentStamp();
    const now = this.nowMs();
    if (stamp !== this.stamp || now - this.since > this.limits.ageMsMax) {
      this.values.clear();
      this.stamp = stamp;
      this.since = now;
    }
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = make();
    if (value instanceof Promise) value.catch(() => this.values.delete(key));
    if (this.values.size >= this.limits.entriesMax) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, value);
    return value;
  }
}
