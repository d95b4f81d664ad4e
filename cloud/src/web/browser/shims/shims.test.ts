import { SeededRng } from '@suyuan/shared';
import * as realBytes from '@suyuan/shared/bytes';
import * as realEd from '@suyuan/shared/ed25519';
import * as realHash from '@suyuan/shared/hash';
import { describe, expect, it } from 'vitest';
import { seededKeyPair } from '../../fixture/memory-chains.ts';
import * as bytes from './bytes.ts';
import * as ed from './ed25519.ts';
import * as hash from './hash.ts';

const rng = new SeededRng(3);
const samples = Array.from({ length: 40 }, (_, n) => Uint8Array.from({ length: n }, () => rng.int(256)));

describe('browser shims agree with the Node modules they replace', () => {
  it('bytes: base64url and hex both ways, strictness included', () => {
    for (const s of samples) {
      expect(bytes.toBase64Url(s)).toBe(realBytes.toBase64Url(s));
      expect(bytes.fromBase64Url(realBytes.toBase64Url(s))).toEqual(
        realBytes.fromBase64Url(realBytes.toBase64Url(s)),
      );
      expect(bytes.toHex(s)).toBe(realBytes.toHex(s));
      expect(bytes.fromHex(realBytes.toHex(s))).toEqual(s);
    }
    for (const bad of ['AB=', 'A', 'AB*', 'AF']) {
      expect(() => bytes.fromBase64Url(bad)).toThrow();
      expect(() => realBytes.fromBase64Url(bad)).toThrow();
    }
  });

  it('hash: same domain table and digests', () => {
    expect(hash.HashDomain).toEqual(realHash.HashDomain);
    for (const s of samples.slice(0, 10)) {
      expect(hash.sha256(s)).toEqual(realHash.sha256(s));
      expect(hash.domainHash('blockHeader', s)).toEqual(realHash.domainHash('blockHeader', s));
    }
    const [a, b] = [realHash.sha256(samples[0]!), realHash.sha256(samples[1]!)];
    expect(hash.domainHashPair('merkleNode', a, b)).toEqual(realHash.domainHashPair('merkleNode', a, b));
    for (const text of ['', 'reading', '溯源 🌾', 'x'.repeat(5000)]) {
      expect(hash.domainHashUtf8('merkleLeaf', text)).toEqual(realHash.domainHashUtf8('merkleLeaf', text));
    }
  });

  it('ed25519: same verdicts on good, altered and malformed signatures', () => {
    const key = seededKeyPair(rng);
    const message = samples[20]!;
    const signature = realEd.sign(key.privateKey, message);
    const altered = signature.slice();
    altered[5] = (altered[5] ?? 0) ^ 1;
    const highS = signature.slice();
    highS[63] = 0xff;
    for (const [sig, expected] of [
      [signature, true],
      [altered, false],
      [highS, false],
      [signature.slice(1), false],
    ] as const) {
      expect(ed.verify(key.publicKey, message, sig)).toBe(expected);
      expect(realEd.verify(key.publicKey, message, sig)).toBe(expected);
    }
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1;
    expect(ed.verify(smallOrder, message, signature)).toBe(false);
    expect(ed.keyIdOf(key.publicKey)).toBe(key.keyId);
  });
});
