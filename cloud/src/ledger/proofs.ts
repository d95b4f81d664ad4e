import {
  type BlockProof,
  type BlockTx,
  type CompactReceipt,
  type CompactReceiptEntry,
  canonicalize,
  headerLeaf as headerLeafOf,
  type LedgerTx,
  merkleInclusionProof,
  type Receipt,
  type RejectionReceipt,
  type TxProof,
  toBase64Url,
} from '@suyuan/shared';
import type { ChainStore } from './chain-store.ts';

/**
 * Cuts proofs from verification data: a transaction's Merkle path to its block's txRoot, and the
 * block's proof (state certificate + path from the header hash to the certified state digest).
 * A block whose batch has no certificate yet has no proof (null): it is executed, not yet final.
 */
export class ProofBuilder {
  private readonly store: ChainStore;
  /** Header paths are shared by every tx of a block: cache a few (small: a path is ≤ log2(chains) hashes). */
  private readonly blockProofs = new Map<string, BlockProof>();
  private readonly blockProofCacheMax = 4096;
  /**
   * Leaf hashes of certified (final) blocks: every receipt of a block's N submissions needs all N,
   * and reading them per receipt made a block's receipts cost O(N^2) rows.
   */
  private readonly blockLeaves = new Map<string, Uint8Array[]>();
  private readonly blockLeavesCacheMax = 256;

  constructor(store: ChainStore) {
    this.store = store;
  }

  blockProof(chain: string, height: number): BlockProof | null {
    const cacheKey = `${chain}/${height}`;
    const cached = this.blockProofs.get(cacheKey);
    if (cached) return cached;
    const block = this.store.block(chain, height);
    if (!block) return null;
    const batch = this.store.batch(block.batchSeq);
    if (!batch || batch.certificate === null) return null;
    const hashes = batch.headers.map(([c, h]) =>
      c === chain && h === height ? block.headerHash : this.store.block(c, h)!.headerHash,
    );
    const leaves = hashes.map((h) => headerLeafOf(h));
    const proof: BlockProof = {
      header: block.header,
      headerIndex: block.headerIndex,
      headerCount: hashes.length,
      headerPath: merkleInclusionProof(leaves, block.headerIndex).map(toBase64Url),
      certificate: batch.certificate,
    };
    if (this.blockProofs.size >= this.blockProofCacheMax) this.blockProofs.clear();
    this.blockProofs.set(cacheKey, proof);
    return proof;
  }

  /** The Merkle path of tx `index` of a block that has a proof (certified, so it never changes). */
  private txPath(chain: string, height: number, index: number): string[] {
    const cacheKey = `${chain}/${height}`;
    let leaves = this.blockLeaves.get(cacheKey);
    if (leaves === undefined) {
      leaves = this.store.leafHashes(chain, height);
      if (this.blockLeaves.size >= this.blockLeavesCacheMax) this.blockLeaves.clear();
      this.blockLeaves.set(cacheKey, leaves);
    }
    return merkleInclusionProof(leaves, index).map(toBase64Url);
  }

  /** An accepted transaction with its proof (null for a rejection: see `blockTxProof`). */
  txProof(chain: string, height: number, index: number): { tx: LedgerTx; proof: TxProof } | null {
    const cut = this.blockTxProof(chain, height, index);
    if (!cut || cut.tx.kind === 'rejection') return null;
    return { tx: cut.tx, proof: cut.proof };
  }

  blockTxProof(chain: string, height: number, index: number): { tx: BlockTx; proof: TxProof } | null {
    const block = this.blockProof(chain, height);
    const tx = this.store.tx(chain, height, index);
    if (!block || !tx) return null;
    return {
      tx,
      proof: {
        location: { chain, height, index },
        txPath: this.txPath(chain, height, index),
        block,
      },
    };
  }

  /** The receipt of a committed submission, or null while any of its blocks is uncertified. */
  receipt(submitter: string, seq: number): Receipt | null {
    const outcome = this.store.submission(submitter, seq);
    if (outcome?.status !== 'committed') return null;
    const entries: Receipt['entries'] = [];
    for (const t of outcome.txs) {
      const cut = this.txProof(t.chain, t.height, t.index);
      if (!cut) return null;
      entries.push({ payloadIndexes: t.payloadIndexes, tx: cut.tx, proof: cut.proof });
    }
    return { submitter, seq, entries };
  }

  /**
   * The receipt with each reading batch's transaction cut from its stored canonical text without
   * its readings (`payloadsOmitted`), never parsing them: the submitter splices its own back in.
   * Any other entry, or a text that does not cut cleanly, comes in full.
   */
  compactReceipt(submitter: string, seq: number): CompactReceipt | null {
    const outcome = this.store.submission(submitter, seq);
    if (outcome?.status !== 'committed') return null;
    const entries: CompactReceipt['entries'] = [];
    for (const t of outcome.txs) {
      const block = this.blockProof(t.chain, t.height);
      if (!block) return null;
      const proof: TxProof = {
        location: { chain: t.chain, height: t.height, index: t.index },
        txPath: this.txPath(t.chain, t.height, t.index),
        block,
      };
      // The ends of the text hold all a compact entry needs: read them, not the ~1 MB between.
      const edges = this.store.txEdges(t.chain, t.height, t.index, txEdgeBytes);
      const compact = edges === undefined ? null : readingBatchWithoutPayloadsFromEdges(edges);
      if (compact !== null) {
        entries.push({ payloadIndexes: t.payloadIndexes, payloadsOmitted: true, tx: compact, proof });
        continue;
      }
      const bytes = this.store.txBytes(t.chain, t.height, t.index);
      if (bytes === undefined) return null;
      const cut = readingBatchWithoutPayloads(bytes);
      if (cut !== null) {
        entries.push({ payloadIndexes: t.payloadIndexes, payloadsOmitted: true, tx: cut, proof });
        continue;
      }
      const tx = JSON.parse(bytes.toString('utf8')) as BlockTx;
      if (tx.kind === 'rejection') return null;
      entries.push({ payloadIndexes: t.payloadIndexes, tx, proof });
    }
    return { submitter, seq, entries };
  }

  /** A rejected submission's rejection transaction with its proof, or null until certified. */
  rejectionReceipt(submitter: string, seq: number): RejectionReceipt | null {
    const outcome = this.store.submission(submitter, seq);
    const at = outcome?.status === 'rejected' ? outcome.txs[0] : undefined;
    if (!at) return null; // rejected before rejections were recorded in blocks
    const cut = this.blockTxProof(at.chain, at.height, at.index);
    if (cut?.tx.kind !== 'rejection') return null;
    return { submitter, seq, tx: cut.tx, proof: cut.proof };
  }
}

const gapsMember = '{"gaps":[';
const readingBatchKind = ',"kind":"readingBatch"';
const payloadsMember = `${readingBatchKind},"payloads":[`;
const signedMember = '],"signed":{';

/**
 * A stored reading-batch tx text (its UTF-8 bytes) without its `payloads` member, parsed (it is
 * small), or null if the text is not one. The text is canonical, so its members are in the order gaps, kind, payloads,
 * signed, v. The first `,"kind":"readingBatch","payloads":[` is the top-level one: its quote after
 * the comma must open a key (a string cannot close right before a letter), and the gap objects
 * before it have no such keys. The last `],"signed":{` is the top-level one: only the signed header
 * (base64url texts and numbers) and `"v":1` follow it. Cutting the member out leaves the canonical
 * text of the tx without it; the parsed shape is checked all the same.
 */
export function readingBatchWithoutPayloads(text: Buffer): CompactReceiptEntry['tx'] | null {
  return readingBatchWithoutPayloadsFromEdges({ head: text, tail: text });
}

/** Bytes read from each end of a stored tx text for a compact receipt entry. */
export const txEdgeBytes = 4096;

/**
 * As `readingBatchWithoutPayloads`, from the text's first bytes (`head`) and its last (`tail`),
 * which must not overlap (or both be the whole text). The first payloads marker in the head is the
 * text's first one, the last signed marker in the tail the text's last one; either not found
 * there (a marker cut at an edge, a long gaps list): null, and the caller reads the whole text.
 */
export function readingBatchWithoutPayloadsFromEdges(edges: {
  head: Buffer;
  tail: Buffer;
}): CompactReceiptEntry['tx'] | null {
  const { head: first, tail: last } = edges;
  if (first.indexOf(gapsMember) !== 0) return null;
  const start = first.indexOf(payloadsMember);
  const end = last.lastIndexOf(signedMember);
  if (start < 0 || end < 0) return null;
  if (first === last && end < start + payloadsMember.length) return null;
  const head = first.toString('utf8', 0, start + readingBatchKind.length);
  const cut = `${head}${last.toString('utf8', end + 1)}`;
  let tx: unknown;
  try {
    tx = JSON.parse(cut);
  } catch {
    return null;
  }
  const keys = typeof tx === 'object' && tx !== null ? Object.keys(tx).join(',') : '';
  return keys === 'gaps,kind,signed,v' ? (tx as CompactReceiptEntry['tx']) : null;
}

/** The stored text of a tx is its canonical form; a tampered row no longer matches its leaf hash. */
export function txTextMatches(tx: BlockTx, text: string): boolean {
  return canonicalize(tx) === text;
}
