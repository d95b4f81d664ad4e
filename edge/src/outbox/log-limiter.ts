/**
 * At most one log line per key (e.g. one replica URL) per `intervalMs`: a dead replica that fails
 * every exchange writes one line per interval, not one per exchange, and the next line it is
 * allowed says how many it stood for. At most `keysMax` keys are remembered (oldest forgotten), so
 * a gateway with a changing URL list cannot grow it without bound.
 */
export class LogRateLimiter {
  private readonly intervalMs: number;
  private readonly keysMax: number;
  private readonly byKey = new Map<string, { lastMs: number; held: number }>();

  constructor(intervalMs: number, keysMax = 64) {
    this.intervalMs = intervalMs;
    this.keysMax = keysMax;
  }

  /** Null: hold this line back. A number: write it, saying it also stands for that many held back. */
  take(key: string, nowMs: number): number | null {
    const seen = this.byKey.get(key);
    if (seen !== undefined && nowMs - seen.lastMs < this.intervalMs) {
      seen.held++;
      return null;
    }
    const held = seen?.held ?? 0;
    this.byKey.delete(key);
    if (this.byKey.size >= this.keysMax) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, { lastMs: nowMs, held: 0 });
    return held;
  }
}
