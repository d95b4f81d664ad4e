import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { InputError } from './errors.ts';
import { domainHash } from './hash.ts';

/**
 * Ed25519 through node:crypto (OpenSSL) for speed, with one strict verifier used everywhere.
 * OpenSSL alone accepts small-order public keys and non-canonical point encodings; a strict verifier
 * must not, or a key could sign "for" anybody (small order) or one key could have two ids
 * (non-canonical). So public keys are checked once with @noble/curves and cached as KeyObjects, and
 * signatures are checked for S < L before OpenSSL sees them.
 */

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
const validatedKeyCacheMax = 10_000;

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: Uint8Array;
  keyId: string;
}

export function generateKeyPair(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  return keyPairFromPrivate(privateKey);
}

export function keyPairFromPrivate(privateKey: KeyObject): Ed25519KeyPair {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') {
    throw new InputError('crypto.badKey', 'not an Ed25519 private key');
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = fromBase64Url(String(jwk.x), 'public key');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** Key id: base64url SHA-256 of the raw public key under its own hash domain. */
export function keyIdOf(publicKey: Uint8Array): string {
  return toBase64Url(domainHash('keyId', publicKey));
}

export function sign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKey));
}

// L, the order of the prime subgroup, little-endian; S must be below it (RFC 8032 §5.1.7).
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

const keyCache = new Map<string, KeyObject | null>();

/** Parse and validate a raw public key: canonical encoding, on the curve, not of small order. */
export function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return null;
  const cacheKey = toBase64Url(publicKey);
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let result: KeyObject | null = null;
  try {
    const point = ed25519.Point.fromBytes(publicKey, false);
    // fromBytes accepts a non-canonical y (y ≥ p) on some paths; a round trip catches it.
    const canonical = toBase64Url(point.toBytes()) === cacheKey;
    if (canonical && !point.isSmallOrder()) {
      result = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: cacheKey }, format: 'jwk' });
    }
  } catch {
    result = null;
  }
  if (keyCache.size >= validatedKeyCacheMax) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(cacheKey, result);
  return result;
}

export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return publicKeyObject(publicKey) !== null;
}

/** The one verifier: false for any malformed key, signature or mismatch; never throws. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  if (littleEndianToBigInt(signature.subarray(32)) >= GROUP_ORDER) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  return nodeVerify(null, message, key, signature);
}

export function privateKeyToPem(privateKey: KeyObject): string {
  return String(privateKey.export({ format: 'pem', type: 'pkcs8' }));
}

export function privateKeyFromPem(pem: string): KeyObject {
  try {
    return keyPairFromPrivate(createPrivateKey({ key: pem, format: 'pem' })).privateKey;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('crypto.badKey', 'not a PKCS#8 PEM Ed25519 private key');
  }
}

/** Writes the key as PKCS#8 PEM readable by its owner only; refuses to overwrite an existing file. */
export function savePrivateKey(
  path: string,
  privateKey: KeyObject,
  options: { overwrite?: boolean } = {},
): void {
  writeFileSync(path, privateKeyToPem(privateKey), { mode: 0o600, flag: options.overwrite ? 'w' : 'wx' });
  chmodSync(path, 0o600); // the mode above is masked by umask and ignored for an existing file
}

/** Loads a key saved by savePrivateKey; a key file others can read is refused, as ssh does. */
export function loadPrivateKey(path: string): Ed25519KeyPair {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new InputError(
      'crypto.keyFilePermissions',
      `${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`,
    );
  }
  return keyPairFromPrivate(privateKeyFromPem(readFileSync(path, 'utf8')));
}

export function publicKeyToText(publicKey: Uint8Array): string {
  return toBase64Url(publicKey);
}

export function publicKeyFromText(text: string): Uint8Array {
  const bytes = fromBase64Url(text, 'public key');
  if (!isValidPublicKey(bytes))
    throw new InputError('crypto.badKey', 'public key is not a valid Ed25519 key');
  return bytes;
}
