import { canonicalize, canonicalWithArray, domainHash, type LedgerTx } from '@suyuan/shared';
import { payloadsTextOf } from './submission-digest.ts';

/**
 * A reading batch transaction's canonical text, spliced around its payloads' canonical text
 * (`canonicalWithArray`) — or, when the payloads' UTF-8 bytes are at hand (a slice of a canonical
 * body, submission-digest.ts `payloadsBytes`), its UTF-8 bytes spliced around those, with its
 * Merkle leaf. Before, every replica built the ~1 MB text, encoded it to UTF-8 again for the leaf,
 * and better-sqlite3 transcoded it once more to store it; the bytes are hashed and stored as they
 * are (chain-store.ts stores them as the same TEXT). The same bytes as `canonicalBytes(tx)`, the
 * same leaf (reading-batch-tx.test.ts).
 */
export type ReadingBatchTxText =
  | { text: string }
  /** The canonical text's UTF-8 bytes, and `merkleLeafHash` of them. */
  | { bytes: Buffer; leafHash: Uint8Array };

const marker = '"payloads":[]';

/**
 * `payloadsText` may be absent when `payloadsBytes` is there (submission-digest.ts). `memory`:
 * where to write the bytes (the block assembler's reused scratch, tx-scratch.ts), else a Buffer
 * of their own.
 */
export function readingBatchTxText(
  tx: Extract<LedgerTx, { kind: 'readingBatch' }>,
  payloadsText: string | undefined,
  payloadsBytes: Uint8Array | undefined,
  memory?: (bytes: number) => Buffer,
): ReadingBatchTxText {
  const spliceText = () => {
    const text = payloadsTextOf({ payloadsText, payloadsBytes });
    return { text: canonicalWithArray(tx, 'payloads', [text], tx.payloads) };
  };
  if (payloadsBytes === undefined) return spliceText();
  // canonicalWithArray's splice, with the frame's two halves kept for the hash.
  const frame = canonicalize({ ...tx, payloads: [] });
  const at = frame.indexOf(marker);
  if (at < 0 || frame.indexOf(marker, at + 1) >= 0) return spliceText();
  const cut = at + marker.length - 1;
  const head = frame.slice(0, cut);
  const tail = frame.slice(cut);
  const headBytes = Buffer.byteLength(head);
  const size = headBytes + payloadsBytes.byteLength + Buffer.byteLength(tail);
  const bytes = memory ? memory(size) : Buffer.allocUnsafe(size);
  bytes.write(head, 0, 'utf8');
  bytes.set(payloadsBytes, headBytes);
  bytes.write(tail, headBytes + payloadsBytes.byteLength, 'utf8');
  return { bytes, leafHash: domainHash('merkleLeaf', bytes) };
}
