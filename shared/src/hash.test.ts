import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { domainHash, HashDomain, oneShotHashBytesMax, sha256 } from './hash.ts';

describe('hashing', () => {
  it('is SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('separates every domain from every other for the same bytes', () => {
    const data = new Uint8Array([1, 2, 3]);
    const names = Object.keys(HashDomain) as (keyof typeof HashDomain)[];
    const hashes = new Set(names.map((n) => toHex(domainHash(n, data))));
    expect(hashes.size).toBe(names.length);
    expect(new Set(Object.values(HashDomain)).size).toBe(names.length);
  });

  it('is the domain byte followed by the data', () => {
    expect(toHex(domainHash('blockHeader', new Uint8Array([9])))).toBe(toHex(sha256(new Uint8Array([2, 9]))));
  });

  it('gives the same digest on the one-shot path and the streaming one (sizes around the cut)', () => {
    const sizes = [0, 1, 31, 32, oneShotHashBytesMax - 1, oneShotHashBytesMax, oneShotHashBytesMax + 1, 9000];
    for (const size of sizes) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 131 + size) & 0xff);
      const half = Math.floor(size / 2);
      const expected = toHex(sha256(Uint8Array.of(HashDomain.merkleNode), data));
      expect(toHex(domainHash('merkleNode', data))).toBe(expected);
      expect(toHex(domainHash('merkleNode', data.subarray(0, half), data.subarray(half)))).toBe(expected);
    }
    expect(toHex(domainHash('merkleLeaf'))).toBe(toHex(sha256(Uint8Array.of(0))));
  });
});
