/**
 * Grow-only memory for the UTF-8 bytes of one batch's spliced reading batch transactions
 * (reading-batch-tx.ts), reused batch after batch. Each such transaction is ~1 MB; a fresh Buffer
 * of that size is a fresh mapping, and on this VM the first touch of each 4 KiB page costs
 * ~8–20 µs (a fresh 1 MB Buffer filled: ~2 ms; the same Buffer reused: ~0.01 ms).
 *
 * Lifetime: a region handed out is valid until `reset`, which the ledger machine's block assembler
 * calls when it is made for the next batch. The bytes are read only until that batch's blocks are
 * sealed (hashed when spliced, written by `ChainStore.putTx`, which SQLite copies); nothing keeps
 * them after, and batches are applied one at a time, synchronously (ledger-machine.ts). When the
 * memory is too small for a region, a bigger one replaces it and earlier regions keep the old one
 * alive until they are dropped, so no region is ever overwritten within its batch.
 */

/** Most bytes kept between batches; a region that does not fit under it gets a Buffer of its own. */
export const txScratchBytesMax = 16 * 1024 * 1024;

export class TxScratch {
  private memory = Buffer.alloc(0);
  private used = 0;
  private readonly bytesMax: number;

  constructor(bytesMax = txScratchBytesMax) {
    this.bytesMax = bytesMax;
  }

  /** Forgets every region handed out: their bytes may be overwritten from now on. */
  reset(): void {
    this.used = 0;
  }

  /** `bytes` bytes of memory no other region since the last `reset` shares (contents undefined). */
  take(bytes: number): Buffer {
    if (this.used + bytes > this.memory.length) {
      // Grows (doubling) up to the limit; at the limit, or for a region over it, a Buffer of its own.
      const size = Math.min(this.bytesMax, Math.max(bytes, 2 * this.memory.length));
      if (bytes > size || size <= this.memory.length) return Buffer.allocUnsafeSlow(bytes);
      this.memory = Buffer.allocUnsafeSlow(size);
      this.used = 0;
    }
    const region = this.memory.subarray(this.used, this.used + bytes);
    this.used += bytes;
    return region;
  }
}
