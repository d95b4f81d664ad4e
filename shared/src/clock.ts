/** Time is injected everywhere so that cores stay deterministic and tests never sleep. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: for tests and the deterministic simulator. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  advance(deltaMs: number): void {
    if (deltaMs < 0) throw new RangeError(`clock cannot go back (delta ${deltaMs} ms)`);
    this.ms += deltaMs;
  }

  set(ms: number): void {
    this.ms = ms;
  }
}
