import { toBase64Url } from '../bytes.ts';
import { canonicalBytes } from '../canonical.ts';
import { domainHash, HASH_BYTES } from '../hash.ts';
import { merkleLeafHash, merkleRoot } from '../merkle.ts';
import type { BlockHeader } from '../wire/block.ts';
import type { BlockTx } from '../wire/transaction.ts';

/**
 * The ledger's hash definitions, in one place for the writer (cloud/src/ledger) and every checker:
 * - header hash   = SHA-256(0x02 ‖ canonical(header))
 * - tx leaf hash  = RFC 6962 leaf hash of canonical(tx), the leaves of `txRoot`
 * - state digest  = RFC 6962 root over merkleLeafHash(headerHash) of the headers one consensus batch
 *   produced, in chain-configuration order (the empty tree's root when it produced none)
 */

export const GENESIS_PREV_HASH = toBase64Url(new Uint8Array(HASH_BYTES));

export function headerHash(header: BlockHeader): Uint8Array {
  return domainHash('blockHeader', canonicalBytes(header));
}

export function txLeafHash(tx: BlockTx): Uint8Array {
  return merkleLeafHash(canonicalBytes(tx));
}

export function headerLeaf(hash: Uint8Array): Uint8Array {
  return merkleLeafHash(hash);
}

export function stateDigestOf(headerHashes: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(headerHashes.map(headerLeaf));
}
