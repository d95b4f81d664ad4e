import { ed25519 } from '@noble/curves/ed25519.js';
import { toBase64Url } from './bytes.ts';
import { domainHash } from './hash.ts';

/**
 * Browser stand-in for shared/src/ed25519.ts: verification only (a page never signs), with the same
 * strictness as the original — canonical, non-small-order public keys and S < L — through @noble/curves.
 */

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

export function keyIdOf(publicKey: Uint8Array): string {
  return toBase64Url(domainHash('keyId', publicKey));
}

const validKeys = new Map<string, boolean>();

export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  const text = toBase64Url(publicKey);
  let ok = validKeys.get(text);
  if (ok === undefined) {
    try {
      const point = ed25519.Point.fromBytes(publicKey, false);
      ok = toBase64Url(point.toBytes()) === text && !point.isSmallOrder();
    } catch {
      ok = false;
    }
    validKeys.set(text, ok);
  }
  return ok;
}

export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  if (littleEndianToBigInt(signature.subarray(32)) >= GROUP_ORDER) return false;
  if (!isValidPublicKey(publicKey)) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

export function sign(): never {
  throw new Error('signing is not available in the browser bundle');
}
