import { describe, expect, it } from 'vitest';
import { LogRateLimiter } from './log-limiter.ts';

describe('LogRateLimiter', () => {
  it('lets one line per key per interval through and counts the ones it held back', () => {
    const limiter = new LogRateLimiter(1000);
    expect(limiter.take('a', 0)).toBe(0);
    expect([limiter.take('a', 10), limiter.take('a', 500), limiter.take('a', 999)]).toEqual([
      null,
      null,
      null,
    ]);
    expect(limiter.take('b', 999)).toBe(0);
    expect(limiter.take('a', 1000)).toBe(3);
    expect(limiter.take('a', 1500)).toBeNull();
    expect(limiter.take('a', 2000)).toBe(1);
  });

  it('remembers at most keysMax keys, forgetting the oldest', () => {
    const limiter = new LogRateLimiter(1000, 2);
    expect([limiter.take('a', 0), limiter.take('b', 0), limiter.take('c', 0)]).toEqual([0, 0, 0]);
    expect(limiter.take('c', 1)).toBeNull();
    expect(limiter.take('a', 1)).toBe(0); // forgotten, so allowed again
  });
});
