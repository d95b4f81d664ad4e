import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes.ts';

/**
 * Browser stand-in for shared/src/hash.ts (node:crypto): the same domain bytes, SHA-256 from
 * @noble/hashes. The table is a copy (the original module imports node:crypto); a unit test checks
 * that the two tables are identical and that both hash functions agree.
 */
export const HashDomain = {
  merkleLeaf: 0x00,
  merkleNode: 0x01,
  blockHeader: 0x02,
  envelope: 0x03,
  keyId: 0x04,
  consensusBatch: 0x05,
  consensusVote: 0x06,
  checkpoint: 0x07,
  eventLink: 0x08,
} as const;

export type HashDomainName = keyof typeof HashDomain;

export const HASH_BYTES = 32;

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  return nobleSha256(concatBytes(...parts));
}

export function domainHash(domain: HashDomainName, ...parts: readonly Uint8Array[]): Uint8Array {
  return nobleSha256(concatBytes(Uint8Array.of(HashDomain[domain]), ...parts));
}

/** The node module's two-hash shortcut (a Merkle node); the same digest as `domainHash`. */
export function domainHashPair(domain: HashDomainName, left: Uint8Array, right: Uint8Array): Uint8Array {
  return domainHash(domain, left, right);
}

/** The node module's text shortcut (a Merkle leaf of a text): its digest and UTF-8 length. */
export function domainHashUtf8(domain: HashDomainName, text: string): { hash: Uint8Array; bytes: number } {
  const encoded = new TextEncoder().encode(text);
  return { hash: domainHash(domain, encoded), bytes: encoded.length };
}
