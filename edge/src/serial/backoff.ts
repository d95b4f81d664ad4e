/** When a serial port vanishes (USB unplugged, RS485 adapter reset), how soon and how often to reopen. */
export interface ReopenLimits {
  /** Delay before the first reopen attempt. */
  readonly reopenDelayMsMin: number;
  /** Delays double per consecutive failure up to this. */
  readonly reopenDelayMsMax: number;
  /** A port that stayed open this long counts as healthy: the next failure starts again at the minimum. */
  readonly stableOpenMs: number;
}

export const defaultReopenLimits: ReopenLimits = {
  reopenDelayMsMin: 250,
  reopenDelayMsMax: 30_000,
  stableOpenMs: 10_000,
};

/**
 * Delay before reopen attempt number `failures` (1 = first failure). No jitter: a serial port is owned
 * by one process, so there is no herd to spread.
 */
export function reopenDelayMs(failures: number, limits: ReopenLimits): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(limits.reopenDelayMsMax, limits.reopenDelayMsMin * 2 ** exponent);
}
