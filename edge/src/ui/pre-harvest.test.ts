import { ManualClock } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { checkPreHarvestInterval, dayMs } from './pre-harvest.ts';

const sprayed = Date.UTC(2026, 5, 10, 7);
const spray = (timeMs: number, days: number) => ({ timeMs, preHarvestIntervalDays: days, productName: 'Bt' });

describe('pre-harvest interval rule', () => {
  it('allows a plot never sprayed', () => {
    expect(checkPreHarvestInterval([], sprayed)).toEqual({ allowed: true });
  });

  it('refuses inside the interval and says when harvest is allowed', () => {
    const clock = new ManualClock(sprayed);
    clock.advance(3 * dayMs);
    const check = checkPreHarvestInterval([spray(sprayed, 7)], clock.now());
    expect(check).toEqual({
      allowed: false,
      lastSpraying: spray(sprayed, 7),
      allowedFromMs: sprayed + 7 * dayMs,
      daysLeft: 4,
    });
  });

  it('refuses one millisecond before the end, allows at the end', () => {
    const clock = new ManualClock(sprayed + 7 * dayMs - 1);
    expect(checkPreHarvestInterval([spray(sprayed, 7)], clock.now()).allowed).toBe(false);
    clock.advance(1);
    expect(checkPreHarvestInterval([spray(sprayed, 7)], clock.now()).allowed).toBe(true);
  });

  it('a zero-day interval never blocks', () => {
    expect(checkPreHarvestInterval([spray(sprayed, 0)], sprayed).allowed).toBe(true);
  });

  it('an earlier spraying with a longer interval still blocks after a later short one ended', () => {
    const long = spray(sprayed, 21);
    const short = spray(sprayed + 2 * dayMs, 1);
    const check = checkPreHarvestInterval([short, long], sprayed + 10 * dayMs);
    expect(check.allowed).toBe(false);
    if (!check.allowed) {
      expect(check.lastSpraying).toEqual(long);
      expect(check.daysLeft).toBe(11);
    }
  });
});
