import {
  type BlockHeader,
  type BlockTx,
  canonicalize,
  GENESIS_PREV_HASH,
  headerHash,
  merkleLeafHash,
  merkleRoot,
  toBase64Url,
  utf8,
} from '@suyuan/shared';
import type { ChainStore } from './chain-store.ts';
import type { TxScratch } from './tx-scratch.ts';

/**
 * Collects one batch's transactions per chain and, at the end, seals at most one block per chain,
 * in configuration order. Each header anchors every other chain's head as it stands at that moment
 * (including blocks sealed earlier in the same batch).
 */

export interface TxPointer {
  chain: string;
  height: number;
  index: number;
  leafHash: Uint8Array;
}

interface PendingTx {
  leafHash: Uint8Array;
  /** Canonical text, or its UTF-8 bytes. */
  text: string | Buffer;
}

export class BlockAssembler {
  private readonly store: ChainStore;
  private readonly chainOrder: readonly string[];
  private readonly batchSeq: number;
  private readonly timeMs: number;
  private readonly pending = new Map<string, PendingTx[]>();
  private readonly heights = new Map<string, number>();

  private readonly scratch: TxScratch | undefined;

  /**
   * `scratch`: the machine's reused memory for transaction bytes (tx-scratch.ts). This assembler
   * takes it over: regions handed out for an earlier batch may be overwritten from now on.
   */
  constructor(
    store: ChainStore,
    chainOrder: readonly string[],
    batchSeq: number,
    timeMs: number,
    scratch?: TxScratch,
  ) {
    this.store = store;
    this.chainOrder = chainOrder;
    this.batchSeq = batchSeq;
    this.timeMs = timeMs;
    this.scratch = scratch;
    scratch?.reset();
  }

  /** Memory for a transaction's bytes, valid until this batch's blocks are sealed. */
  txMemory(bytes: number): Buffer {
    return this.scratch ? this.scratch.take(bytes) : Buffer.allocUnsafe(bytes);
  }

  private nextHeight(chain: string): number {
    let h = this.heights.get(chain);
    if (h === undefined) {
      h = (this.store.head(chain)?.height ?? 0) + 1;
      this.heights.set(chain, h);
    }
    return h;
  }

  /**
   * `text`, when the caller has it, is `canonicalize(tx)` (a reading batch's is spliced from its
   * payloads' texts): the leaf is `txLeafHash(tx)` computed from it, without encoding the tx again.
   * It may be given as its UTF-8 bytes instead (stored as the same text). `leafHash`, when the
   * caller has it, is that leaf (reading-batch-tx.ts hashes it from bytes).
   */
  add(
    chain: string,
    tx: BlockTx,
    text: string | Buffer = canonicalize(tx),
    leafHash: Uint8Array = merkleLeafHash(typeof text === 'string' ? utf8(text) : text),
  ): TxPointer {
    const list = this.pending.get(chain) ?? [];
    this.pending.set(chain, list);
    list.push({ leafHash, text });
    return { chain, height: this.nextHeight(chain), index: list.length - 1, leafHash };
  }

  /** Pending counts per chain, to undo a rejected submission's transactions. */
  mark(): Map<string, number> {
    return new Map([...this.pending].map(([chain, list]) => [chain, list.length]));
  }

  reset(mark: Map<string, number>): void {
    for (const [chain, list] of this.pending) list.length = mark.get(chain) ?? 0;
  }

  /** Writes the blocks; returns their header hashes in order (the state digest's leaves). */
  seal(): { chain: string; height: number; hash: Uint8Array }[] {
    const sealed: { chain: string; height: number; hash: Uint8Array }[] = [];
    for (const chain of this.chainOrder) {
      const list = this.pending.get(chain);
      if (!list || list.length === 0) continue;
      const head = this.store.head(chain);
      const header: BlockHeader = {
        v: 1,
        chain,
        height: (head?.height ?? 0) + 1,
        prevHash: head ? toBase64Url(head.hash) : GENESIS_PREV_HASH,
        txRoot: toBase64Url(merkleRoot(list.map((t) => t.leafHash))),
        txCount: list.length,
        time: this.timeMs,
        batchSeq: this.batchSeq,
        anchors: this.anchors(chain),
      };
      const hash = headerHash(header);
      this.store.putBlock({
        header,
        headerText: canonicalize(header),
        headerHash: hash,
        batchSeq: this.batchSeq,
        headerIndex: sealed.length,
      });
      for (const [i, t] of list.entries()) this.store.putTx(chain, header.height, i, t.leafHash, t.text);
      sealed.push({ chain, height: header.height, hash });
    }
    return sealed;
  }

  private anchors(self: string): BlockHeader['anchors'] {
    const anchors: BlockHeader['anchors'] = {};
    for (const other of this.chainOrder) {
      if (other === self) continue;
      const head = this.store.head(other);
      if (head) anchors[other] = { height: head.height, hash: toBase64Url(head.hash) };
    }
    return anchors;
  }
}
