import { assert, type Rng } from '@suyuan/shared';

/**
 * Exponential backoff with full jitter (a uniform delay in [0, cap)): many gateways that lost the
 * cloud at the same moment spread their retries instead of returning together. A floor of a tenth
 * of the base keeps a retry from spinning at 0 ms.
 */
export function retryDelayMs(
  attempts: number,
  rng: Rng,
  limits: { retryDelayMsBase: number; retryDelayMsMax: number },
): number {
  assert(Number.isInteger(attempts) && attempts >= 1, `attempts must be ≥ 1, got ${attempts}`);
  const exponent = Math.min(attempts - 1, 30);
  const cap = Math.min(limits.retryDelayMsMax, limits.retryDelayMsBase * 2 ** exponent);
  const floor = Math.min(cap, limits.retryDelayMsBase / 10);
  return Math.round(floor + rng.next() * (cap - floor));
}
