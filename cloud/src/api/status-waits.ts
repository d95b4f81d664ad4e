/**
 * Status GETs held until their submission has a receipt (`GET /v1/submissions/{submitter}/{seq}
 * ?waitMs=`): a gateway then learns of its commit one round trip after it happened instead of on
 * its next poll (250 ms apart by default), and asks once instead of every poll.
 *
 * The replica application feeds it: `executed` when a batch ran (the waiters of its requests now
 * wait for that batch's state certificate), `certified` when a certificate was attached (the
 * waiters of that batch and of any before it wake). A woken waiter only re-reads the status. The
 * feed runs inside the driver's drain transaction, but a waiter's continuation is a promise
 * reaction, which runs after the synchronous drain returned, so after the transaction committed:
 * an answer never shows state that is not durable.
 *
 * Bounded: at most `statusWaitersMax` held at once (more are answered at once, as before), each at
 * most `statusWaitMsMax`.
 */

/** Longest a status GET is held (a larger `waitMs` is cut to it). */
export const statusWaitMsMax = 10_000;
/** Most status GETs held at once on one replica; beyond it a GET is answered at once. */
export const statusWaitersMax = 10_000;

interface Waiter {
  wake(): void;
  /** Where it waits: its request's key until the request executed, then its batch. */
  requestKey: string | null;
  batchSeq: number;
}

const requestKey = (submitter: string, seq: number): string => `${submitter}\u0000${seq}`;

export class StatusWaits {
  private readonly byRequest = new Map<string, Set<Waiter>>();
  private readonly byBatch = new Map<number, Set<Waiter>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waitersMax: number;
  private count = 0;

  constructor(waitersMax: number = statusWaitersMax) {
    this.waitersMax = waitersMax;
  }

  /** GETs held now. */
  get waiting(): number {
    return this.count;
  }

  /**
   * Resolves once the request executed here and its batch was certified, or after `timeoutMs`;
   * null when `statusWaitersMax` are already held (answer at once).
   */
  forRequest(submitter: string, seq: number, timeoutMs: number): Promise<void> | null {
    return this.hold(requestKey(submitter, seq), -1, timeoutMs);
  }

  /** Resolves once batch `batchSeq` (executed here) was certified, or after `timeoutMs`; null when full. */
  forBatch(batchSeq: number, timeoutMs: number): Promise<void> | null {
    return this.hold(null, batchSeq, timeoutMs);
  }

  /** Batch `batchSeq` executed with these requests: their waiters now wait for its certificate. */
  executed(batchSeq: number, requests: readonly { submitter: string; seq: number }[]): void {
    if (this.byRequest.size === 0) return;
    for (const request of requests) {
      const key = requestKey(request.submitter, request.seq);
      const waiters = this.byRequest.get(key);
      if (waiters === undefined) continue;
      this.byRequest.delete(key);
      const target = this.batchSet(batchSeq);
      for (const waiter of waiters) {
        waiter.requestKey = null;
        waiter.batchSeq = batchSeq;
        target.add(waiter);
      }
    }
  }

  /** Batch `batchSeq` has its certificate: its waiters and those of earlier batches wake. */
  certified(batchSeq: number): void {
    if (this.byBatch.size === 0) return;
    for (const [seq, waiters] of this.byBatch) {
      if (seq > batchSeq) continue;
      this.byBatch.delete(seq);
      for (const waiter of waiters) waiter.wake();
    }
  }

  /** Drops every held GET without answering (the replica is stopping; its connections are closed). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.byRequest.clear();
    this.byBatch.clear();
    this.count = 0;
  }

  private batchSet(batchSeq: number): Set<Waiter> {
    let set = this.byBatch.get(batchSeq);
    if (set === undefined) {
      set = new Set();
      this.byBatch.set(batchSeq, set);
    }
    return set;
  }

  private hold(key: string | null, batchSeq: number, timeoutMs: number): Promise<void> | null {
    if (this.count >= this.waitersMax) return null;
    this.count++;
    return new Promise((resolve) => {
      let woken = false;
      const waiter: Waiter = {
        requestKey: key,
        batchSeq,
        wake: () => {
          if (woken) return;
          woken = true;
          clearTimeout(timer);
          this.timers.delete(timer);
          this.count--;
          resolve();
        },
      };
      const timer = setTimeout(
        () => {
          this.remove(waiter);
          waiter.wake();
        },
        Math.max(0, timeoutMs),
      );
      timer.unref();
      this.timers.add(timer);
      if (key !== null) {
        let set = this.byRequest.get(key);
        if (set === undefined) {
          set = new Set();
          this.byRequest.set(key, set);
        }
        set.add(waiter);
      } else {
        this.batchSet(batchSeq).add(waiter);
      }
    });
  }

  private remove(waiter: Waiter): void {
    if (waiter.requestKey !== null) removeFrom(this.byRequest, waiter.requestKey, waiter);
    else removeFrom(this.byBatch, waiter.batchSeq, waiter);
  }
}

function removeFrom<K>(map: Map<K, Set<Waiter>>, key: K, waiter: Waiter): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(waiter);
  if (set.size === 0) map.delete(key);
}
