import { describe, expect, it } from 'vitest';
import { SeededRng } from './prng.ts';

describe('SeededRng', () => {
  it('reproduces the same stream from the same seed', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const xs = Array.from({ length: 20 }, () => a.next());
    const ys = Array.from({ length: 20 }, () => b.next());
    expect(xs).toEqual(ys);
    expect(new SeededRng(43).next()).not.toBe(xs[0]);
  });

  it('stays in range and covers it', () => {
    const rng = new SeededRng(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const v = rng.int(10);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
      counts[v]! += 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('shuffles into a permutation', () => {
    const rng = new SeededRng(1);
    const xs = rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...xs].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('rejects a non-integer seed', () => {
    expect(() => new SeededRng(1.5)).toThrow(/seed must be an integer/);
  });
});
