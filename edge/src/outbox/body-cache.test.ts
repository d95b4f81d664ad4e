import { describe, expect, it } from 'vitest';
import { BodyCache } from './body-cache.ts';

describe('BodyCache', () => {
  it('loads once, keeps within its byte bound (oldest out first), and forgets done bodies', () => {
    const loads: number[] = [];
    const load = (seq: number) => () => {
      loads.push(seq);
      return new Uint8Array(4).fill(seq);
    };
    const cache = new BodyCache(10);
    expect(cache.get(1, load(1))).toEqual(new Uint8Array(4).fill(1));
    expect(cache.get(1, load(1))?.[0]).toBe(1);
    cache.get(2, load(2));
    expect(loads).toEqual([1, 2]);
    cache.get(3, load(3)); // 12 bytes > 10: body 1 goes
    expect(cache.size).toBe(2);
    cache.get(1, load(1));
    expect(loads).toEqual([1, 2, 3, 1]);
    cache.delete(3);
    cache.delete(3);
    expect(cache.size).toBe(1);
    expect(cache.get(9, () => new Uint8Array(11))?.length).toBe(11); // over the bound: not kept
    expect(cache.get(9, () => undefined)).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
