import { assert, type Clock } from '@suyuan/shared';

/**
 * Timers are injected into the serial adapters so that reopen backoff, poll intervals and response
 * timeouts can be driven by hand in tests (`ManualTimers`) and by the real event loop in the gateway.
 */
export interface TimerHandle {
  readonly timer: unknown;
}

export interface Timers extends Clock {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => ({ timer: setTimeout(callback, delayMs) }),
  clearTimeout: (handle) => {
    if (handle) clearTimeout(handle.timer as ReturnType<typeof setTimeout>);
  },
};

interface ManualTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/** Timers that fire only when `advance` moves time past them, in due order. */
export class ManualTimers implements Timers {
  private ms: number;
  private nextId = 1;
  private readonly pending = new Map<number, ManualTimer>();

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.ms + Math.max(0, delayMs), callback });
    return { timer: id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.timer as number);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `deltaMs`, firing every timer that falls due, including ones set meanwhile. */
  advance(deltaMs: number): void {
    assert(deltaMs >= 0, 'time only moves forward');
    const target = this.ms + deltaMs;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.pending.values()) {
        if (
          t.dueMs <= target &&
          (!next || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.id < next.id))
        ) {
          next = t;
        }
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.ms = next.dueMs;
      next.callback();
    }
    this.ms = target;
  }
}
