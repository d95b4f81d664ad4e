import { canonicalize, canonicalWithArray, domainHash, type LedgerTx, utf8 } from '@suyuan/shared';

/**
 * A reading batch transaction's canonical text, spliced around its payloads' canonical text
 * (`canonicalWithArray`), and — when the payloads' UTF-8 bytes are at hand (a slice of a canonical
 * body, submission-digest.ts `payloadsBytes`) — its Merkle leaf hashed from those bytes and the
 * small frame around them. Before, the leaf was the hash of the whole ~1 MB text encoded to UTF-8
 * again on every replica. The same leaf: `merkleLeafHash(utf8(text))` (reading-batch-tx.test.ts).
 */
export interface ReadingBatchTxText {
  text: string;
  /** `merkleLeafHash(utf8(text))`, when computed without encoding the text. */
  leafHash?: Uint8Array;
}

const marker = '"payloads":[]';

export function readingBatchTxText(
  tx: Extract<LedgerTx, { kind: 'readingBatch' }>,
  payloadsText: string,
  payloadsBytes: Uint8Array | undefined,
): ReadingBatchTxText {
  if (payloadsBytes === undefined) {
    return { text: canonicalWithArray(tx, 'payloads', [payloadsText], tx.payloads) };
  }
  // canonicalWithArray's splice, with the frame's two halves kept for the hash.
  const frame = canonicalize({ ...tx, payloads: [] });
  const at = frame.indexOf(marker);
  if (at < 0 || frame.indexOf(marker, at + 1) >= 0) {
    return { text: canonicalWithArray(tx, 'payloads', [payloadsText], tx.payloads) };
  }
  const cut = at + marker.length - 1;
  const head = frame.slice(0, cut);
  const tail = frame.slice(cut);
  return {
    text: `${head}${payloadsText}${tail}`,
    leafHash: domainHash('merkleLeaf', utf8(head), payloadsBytes, utf8(tail)),
  };
}
