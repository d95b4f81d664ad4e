import * as nodeCrypto from 'node:crypto';

const { createHash } = nodeCrypto;

/**
 * SHA-256 with domain separation: every hash we compute starts with one domain byte, and no two
 * domains share a byte, so a Merkle leaf can never be passed off as a node, a block header or a
 * signed envelope (and vice versa). 0x00/0x01 are RFC 6962's leaf and node prefixes.
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
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * `crypto.hash` (Node 20.12+) hashes one buffer in one call, without a Hash object: about a quarter
 * cheaper for the small inputs that dominate (a Merkle leaf per reading, a node per pair), which
 * every gateway and replica hashes several times per reading. Older Node takes `createHash`.
 */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;
/** Inputs up to this size are copied into one buffer for `crypto.hash`; larger ones stream. */
export const oneShotHashBytesMax = 4096;

export function domainHash(domain: HashDomainName, ...parts: readonly Uint8Array[]): Uint8Array {
  if (oneShotHash !== undefined) {
    let length = 1;
    for (const p of parts) length += p.length;
    if (length <= oneShotHashBytesMax) {
      const input = Buffer.allocUnsafe(length);
      input[0] = HashDomain[domain];
      let at = 1;
      for (const p of parts) {
        input.set(p, at);
        at += p.length;
      }
      return new Uint8Array(oneShotHash('sha256', input, 'buffer'));
    }
  }
  const h = createHash('sha256');
  h.update(Uint8Array.of(HashDomain[domain]));
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
