import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import { domainHash, HashDomain, sha256 } from './hash.ts';

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
});
