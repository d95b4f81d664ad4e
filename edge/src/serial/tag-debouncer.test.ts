import { ManualClock } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { TagReadDebouncer } from './tag-debouncer.ts';

const EPC_A = '3074257BF7194E4000001A85';
const EPC_B = '3034257BF40C0E4000003039';

describe('TagReadDebouncer', () => {
  it('counts a repeated EPC once per window on one reader', () => {
    const clock = new ManualClock(1000);
    const debouncer = new TagReadDebouncer(clock, { windowMs: 500, entriesMax: 10 });
    expect(debouncer.accept('r1', EPC_A)).toBe(true);
    clock.advance(100);
    expect(debouncer.accept('r1', EPC_A)).toBe(false);
    clock.advance(399);
    expect(debouncer.accept('r1', EPC_A)).toBe(false);
    clock.advance(1);
    expect(debouncer.accept('r1', EPC_A)).toBe(true);
    expect(debouncer.stats).toEqual({ counted: 2, suppressed: 2, evicted: 0 });
  });

  it('keeps readers and EPCs apart', () => {
    const debouncer = new TagReadDebouncer(new ManualClock(), { windowMs: 500, entriesMax: 10 });
    expect(debouncer.accept('r1', EPC_A)).toBe(true);
    expect(debouncer.accept('r2', EPC_A)).toBe(true);
    expect(debouncer.accept('r1', EPC_B)).toBe(true);
    expect(debouncer.accept('r1', EPC_A)).toBe(false);
  });

  it('forgets expired pairs and stays within entriesMax', () => {
    const clock = new ManualClock();
    const debouncer = new TagReadDebouncer(clock, { windowMs: 100, entriesMax: 3 });
    for (let i = 0; i < 3; i++) debouncer.accept('r1', `EPC${i}`);
    clock.advance(100);
    debouncer.accept('r1', 'EPC9');
    expect(debouncer.size).toBe(1);
    for (let i = 0; i < 5; i++) debouncer.accept('r1', `NEW${i}`);
    expect(debouncer.size).toBe(3);
    expect(debouncer.stats.evicted).toBe(3);
    // The evicted pair counts again: the price of a bounded memory, and it is counted.
    expect(debouncer.accept('r1', 'NEW0')).toBe(true);
  });

  it('does not mute a tag for long when the clock steps back', () => {
    const clock = new ManualClock(10_000);
    const debouncer = new TagReadDebouncer(clock, { windowMs: 500, entriesMax: 10 });
    debouncer.accept('r1', EPC_A);
    clock.set(5000);
    expect(debouncer.accept('r1', EPC_A)).toBe(true);
    expect(debouncer.accept('r1', EPC_A)).toBe(false);
  });
});
