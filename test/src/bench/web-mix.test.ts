import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { itemPath, RepeatCounter, uniformPicker, zipfPicker } from './web-mix.ts';

const counts = (pick: () => number, n: number, draws: number) => {
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) c[pick()]! += 1;
  return c;
};

describe('web bench request mixes', () => {
  it('uniform asks for every item about equally often', () => {
    const c = counts(uniformPicker(new SeededRng(1), 100), 100, 100_000);
    expect(Math.min(...c)).toBeGreaterThan(800);
    expect(Math.max(...c)).toBeLessThan(1200);
  });

  it('zipf asks for the k-th most popular item about 1/k as often as the first', () => {
    const n = 1000;
    const c = counts(zipfPicker(new SeededRng(2), n), n, 200_000).sort((a, b) => b - a);
    const harmonic = Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b);
    const top = c[0]!;
    expect(top / 200_000).toBeGreaterThan((0.9 * 1) / harmonic);
    expect(top / 200_000).toBeLessThan((1.1 * 1) / harmonic);
    expect(c[9]! / top).toBeGreaterThan(0.07);
    expect(c[9]! / top).toBeLessThan(0.13);
  });

  it('spreads the popular items over the lots and is reproducible from the seed', () => {
    const a = zipfPicker(new SeededRng(3), 10_000);
    const b = zipfPicker(new SeededRng(3), 10_000);
    const drawsA = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(drawsA);
    expect(new Set(drawsA.map((i) => Math.floor(i / 50))).size).toBeGreaterThan(5);
  });

  it('names items as the demo ledger does and counts repeats', () => {
    expect(itemPath(0, ['A', 'B', 'C'], 50)).toBe('/01/A/21/L000010001');
    expect(itemPath(51, ['A', 'B', 'C'], 50)).toBe('/01/B/21/L000020002');
    const r = new RepeatCounter();
    for (const i of [1, 2, 1, 1]) r.note(i);
    expect(r.repeatShare).toBe(0.5);
  });
});
