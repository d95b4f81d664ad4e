import type { Rng } from '@suyuan/shared';

/** How soon and how often a replica redials a peer that is down. */
export interface ReconnectLimits {
  /** Delay before the first redial. */
  readonly reconnectDelayMsMin: number;
  /** Delays double per consecutive failure up to this. */
  readonly reconnectDelayMsMax: number;
}

export const defaultReconnectLimits: ReconnectLimits = {
  reconnectDelayMsMin: 50,
  reconnectDelayMsMax: 2_000,
};

/**
 * Delay before redial number `failures` (1 = first failure): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that n-1 replicas redialling a restarted peer do not arrive
 * in lock step, while the delay never collapses to zero.
 */
export function reconnectDelayMs(failures: number, limits: ReconnectLimits, rng: Rng): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const ceiling = Math.min(limits.reconnectDelayMsMax, limits.reconnectDelayMsMin * 2 ** exponent);
  return Math.round(ceiling / 2 + rng.next() * (ceiling / 2));
}
