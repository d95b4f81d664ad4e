import { describe, expect, it } from 'vitest';
import { toHex } from './bytes.ts';
import {
  domainHash,
  domainHashPair,
  domainHashUtf8,
  HashDomain,
  oneShotHashBytesMax,
  sha256,
} from './hash.ts';

describe('hashing', () => {
  it('is SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('gives one-part and streamed SHA-256 alike, digests of every byte value included', () => {
    for (const size of [0, 1, 55, 56, 64, 4097, 1 << 20]) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 251 + 7) & 0xff);
      const half = Math.floor(size / 3);
      const one = sha256(data);
      expect(toHex(one)).toBe(toHex(sha256(data.subarray(0, half), data.subarray(half))));
      expect(one.constructor).toBe(Uint8Array);
      expect(one.length).toBe(32);
    }
    // A digest whose bytes span 0x00-0xff survives the latin1 round trip (0x80-0xff included).
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) for (const b of sha256(Uint8Array.of(i))) seen.add(b);
    expect(seen.size).toBeGreaterThan(250);
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

  it('gives the same digest through the reused input (pairs and UTF-8 text), each digest its own bytes', () => {
    const first = domainHashPair('merkleNode', new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
    const firstHex = toHex(first);
    for (const size of [0, 1, 32, 33, oneShotHashBytesMax - 64, oneShotHashBytesMax, 5000]) {
      const a = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 1) & 0xff);
      const b = Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + size) & 0xff);
      expect(toHex(domainHashPair('merkleNode', a, b))).toBe(toHex(domainHash('merkleNode', a, b)));
      expect(toHex(domainHashPair('envelope', b, a))).toBe(toHex(domainHash('envelope', b, a)));
    }
    const texts = [
      '',
      'abc',
      'é温室\u2028"\\',
      '😀x',
      'lone \ud800 half',
      'ü'.repeat(1500),
      'a'.repeat(9000),
    ];
    for (const text of texts) {
      const bytes = Buffer.from(text, 'utf8');
      const { hash, bytes: length } = domainHashUtf8('merkleLeaf', text);
      expect(length).toBe(bytes.length);
      expect(toHex(hash)).toBe(toHex(domainHash('merkleLeaf', new TextEncoder().encode(text))));
    }
    // Every digest is a plain Uint8Array owning exactly its 32 bytes, untouched by later hashes.
    expect(toHex(first)).toBe(firstHex);
    for (const digest of [first, domainHashUtf8('keyId', 'k').hash, domainHash('blockHeader', first)]) {
      expect(digest.constructor).toBe(Uint8Array);
      expect(digest.byteOffset).toBe(0);
      expect(digest.buffer.byteLength).toBe(32);
    }
  });
});
