import { sha256, toHex, utf8 } from '@suyuan/shared';
import { requestKey } from '../consensus/statements.ts';
import type { CommittedBatch } from '../consensus/types.ts';

/**
 * The simulator's replicated state machine: per-submitter counters with exactly-once execution by
 * (submitter, seq). Durable across a simulated crash (it models the ledger's SQLite). It also keeps
 * every committed batch to answer peers' fetchBatches (state transfer by certified replay).
 */
export class CounterApp {
  lastApplied = 0;
  stateDigest: Uint8Array = new Uint8Array(32);
  readonly batches: CommittedBatch[] = [];
  readonly counters = new Map<string, number>();
  /** How many times each request key took effect (the invariant: never above 1). */
  readonly effects = new Map<string, number>();
  readonly digests = new Map<number, Uint8Array>();

  applyBatch(batch: CommittedBatch): { stateDigest: Uint8Array; executedKeys: string[] } {
    if (batch.seq !== this.lastApplied + 1) {
      throw new Error(`app applied seq ${batch.seq} after ${this.lastApplied}`);
    }
    const executedKeys: string[] = [];
    for (const request of batch.requests) {
      const key = requestKey(request);
      if (this.effects.has(key)) continue; // exactly once: a re-ordered duplicate is skipped
      this.effects.set(key, 1);
      this.counters.set(request.submitter, (this.counters.get(request.submitter) ?? 0) + 1);
      executedKeys.push(key);
    }
    this.lastApplied = batch.seq;
    this.batches.push(batch);
    this.stateDigest = sha256(this.stateDigest, utf8(`${batch.seq}|${executedKeys.join(',')}`));
    this.digests.set(batch.seq, this.stateDigest);
    return { stateDigest: this.stateDigest, executedKeys };
  }

  /** Committed batches [fromSeq, toSeq] this replica holds, at most `max`. */
  batchesFor(fromSeq: number, toSeq: number, max: number): CommittedBatch[] {
    const out: CommittedBatch[] = [];
    for (
      let seq = Math.max(1, fromSeq);
      seq <= Math.min(toSeq, this.lastApplied) && out.length < max;
      seq++
    ) {
      out.push(this.batches[seq - 1]!);
    }
    return out;
  }
}

export function hexOf(bytes: Uint8Array): string {
  return toHex(bytes);
}
