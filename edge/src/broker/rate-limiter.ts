import type { Clock } from '@suyuan/shared';

/**
 * Token buckets per device: `ratePerSecond` sustained, `burst` at once. Pure apart from the injected
 * clock. Buckets of devices not heard from are dropped past `devicesMax` (oldest first), which only
 * ever makes the limiter more lenient, never stricter.
 */
export interface RateLimits {
  ratePerSecond: number;
  burst: number;
  devicesMax: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly clock: Clock;
  private readonly limits: RateLimits;
  refused = 0;

  constructor(clock: Clock, limits: RateLimits) {
    this.clock = clock;
    this.limits = limits;
  }

  /** Takes `cost` tokens for the device; false (and nothing taken) when it has too few. */
  take(deviceId: string, cost = 1): boolean {
    const now = this.clock.now();
    let bucket = this.buckets.get(deviceId);
    if (!bucket) {
      if (this.buckets.size >= this.limits.devicesMax) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.limits.burst, atMs: now };
    } else {
      this.buckets.delete(deviceId);
    }
    this.buckets.set(deviceId, bucket);
    const elapsed = Math.max(0, now - bucket.atMs);
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (elapsed * this.limits.ratePerSecond) / 1000);
    bucket.atMs = now;
    if (bucket.tokens < cost) {
      this.refused++;
      return false;
    }
    bucket.tokens -= cost;
    return true;
  }
}
