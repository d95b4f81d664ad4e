import { createPrivateKey, createPublicKey, verify as opensslVerify } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toBase64Url, toHex } from './bytes.ts';
import {
  generateKeyPair,
  isValidPublicKey,
  keyIdOf,
  keyPairFromPrivate,
  loadPrivateKey,
  savePrivateKey,
  sign,
  verify,
} from './ed25519.ts';
import { isSuyuanError } from './errors.ts';

// RFC 8032 §7.1, tests 1-3.
const rfc8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

function privateFromSeed(seedHex: string, publicHex: string) {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(fromHex(seedHex)), x: toBase64Url(fromHex(publicHex)) },
    format: 'jwk',
  });
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function addToS(signature: Uint8Array, delta: bigint): Uint8Array {
  const out = signature.slice();
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(out[i]!);
  s += delta;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

describe('Ed25519', () => {
  it.each(rfc8032.map((v, i) => [i + 1, v] as const))('RFC 8032 test %i: sign and verify', (_n, v) => {
    const pair = keyPairFromPrivate(privateFromSeed(v.secret, v.publicKey));
    expect(toHex(pair.publicKey)).toBe(v.publicKey);
    const signature = sign(pair.privateKey, fromHex(v.message));
    expect(toHex(signature)).toBe(v.signature);
    expect(verify(pair.publicKey, fromHex(v.message), signature)).toBe(true);
  });

  it('rejects a wrong message, a flipped signature bit, and wrong lengths', () => {
    const v = rfc8032[1]!;
    const pub = fromHex(v.publicKey);
    const sig = fromHex(v.signature);
    expect(verify(pub, fromHex('73'), sig)).toBe(false);
    const flipped = sig.slice();
    flipped[10]! ^= 1;
    expect(verify(pub, fromHex(v.message), flipped)).toBe(false);
    expect(verify(pub, fromHex(v.message), sig.subarray(0, 63))).toBe(false);
    expect(verify(pub.subarray(0, 31), fromHex(v.message), sig)).toBe(false);
  });

  it('rejects a non-canonical S (S + L), which is the same point equation', () => {
    const v = rfc8032[0]!;
    const malleable = addToS(fromHex(v.signature), L);
    expect(verify(fromHex(v.publicKey), fromHex(v.message), malleable)).toBe(false);
  });

  it('rejects small-order public keys, even with a signature that satisfies the equation', () => {
    // A = identity (y = 1), R = identity, S = 0: [S]B = R + [k]A holds for every message.
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(isValidPublicKey(identity)).toBe(false);
    expect(verify(identity, fromHex('deadbeef'), forged)).toBe(false);
    // The other small-order points: order 2 (y = -1) and the order-4 point with y = 0.
    const minusOne = fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const orderFour = fromHex('0000000000000000000000000000000000000000000000000000000000000000');
    expect(isValidPublicKey(minusOne)).toBe(false);
    expect(isValidPublicKey(orderFour)).toBe(false);
  });

  it('rejects non-canonical public key encodings (y ≥ p)', () => {
    // y = p + 1 encodes the identity non-canonically; y = p + 2 decodes to y = 2 if reduced.
    const pPlusOne = fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const pPlusTwo = fromHex('efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    expect(isValidPublicKey(pPlusOne)).toBe(false);
    expect(isValidPublicKey(pPlusTwo)).toBe(false);
    // A point not on the curve at all.
    expect(isValidPublicKey(fromHex('02'.padEnd(64, '0')))).toBe(false);
  });

  it('accepts keys it generates, and key ids differ per key', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(isValidPublicKey(a.publicKey)).toBe(true);
    expect(a.keyId).toBe(keyIdOf(a.publicKey));
    expect(a.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.keyId).not.toBe(b.keyId);
    const msg = new TextEncoder().encode('hello');
    expect(verify(a.publicKey, msg, sign(a.privateKey, msg))).toBe(true);
    expect(verify(b.publicKey, msg, sign(a.privateKey, msg))).toBe(false);
  });

  it('documents why the strict checks exist: OpenSSL alone does not reject everything', () => {
    // Not an assertion about OpenSSL's policy (it may change), only that our verifier decides alone.
    const v = rfc8032[0]!;
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(fromHex(v.publicKey)) },
      format: 'jwk',
    });
    expect(opensslVerify(null, fromHex(v.message), key, fromHex(v.signature))).toBe(true);
  });
});

describe('key files', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('saves PKCS#8 PEM with mode 0600, loads it back, refuses to overwrite', () => {
    dir = mkdtempSync(join(tmpdir(), 'suyuan-key-'));
    const path = join(dir, 'node.pem');
    const pair = generateKeyPair();
    savePrivateKey(path, pair.privateKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const loaded = loadPrivateKey(path);
    expect(loaded.keyId).toBe(pair.keyId);
    expect(() => savePrivateKey(path, generateKeyPair().privateKey)).toThrow(/EEXIST/);
  });

  it('refuses a key file readable by others, and a file that is not a key', () => {
    dir = mkdtempSync(join(tmpdir(), 'suyuan-key-'));
    const path = join(dir, 'node.pem');
    savePrivateKey(path, generateKeyPair().privateKey);
    chmodSync(path, 0o644);
    try {
      loadPrivateKey(path);
      expect.unreachable();
    } catch (error) {
      expect(isSuyuanError(error, 'crypto.keyFilePermissions')).toBe(true);
    }
    const junk = join(dir, 'junk.pem');
    savePrivateKey(junk, generateKeyPair().privateKey);
    writeFileSync(junk, 'not a key');
    expect(() => loadPrivateKey(junk)).toThrow(/not a PKCS#8 PEM Ed25519 private key/);
  });
});
