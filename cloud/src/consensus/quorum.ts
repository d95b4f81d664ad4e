import type { ReplicaSignature } from './types.ts';

/**
 * Counts distinct replicas (optionally excluding one) whose signature over `message` verifies.
 * Unknown ids, duplicates and bad signatures never count; stops as soon as `needed` is reached.
 */
export function countValidSignatures(
  signatures: readonly ReplicaSignature[],
  message: Uint8Array,
  verify: (signer: number, message: Uint8Array, signature: Uint8Array) => boolean,
  options: { n: number; needed: number; exclude?: number },
): number {
  const counted = new Set<number>();
  for (const { replica, signature } of signatures) {
    if (counted.has(replica) || replica === options.exclude) continue;
    if (!Number.isInteger(replica) || replica < 0 || replica >= options.n) continue;
    if (verify(replica, message, signature)) counted.add(replica);
    if (counted.size >= options.needed) break;
  }
  return counted.size;
}
