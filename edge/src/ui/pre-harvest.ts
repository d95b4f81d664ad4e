/**
 * The pre-harvest interval (PHI) rule: a plot may not be harvested until `preHarvestIntervalDays` full
 * days after its last spraying. Pure: the caller passes the spraying record and the time now.
 */

export const dayMs = 86_400_000;

export interface SprayingRecord {
  timeMs: number;
  preHarvestIntervalDays: number;
  productName: string;
}

export type HarvestCheck =
  | { allowed: true }
  | { allowed: false; lastSpraying: SprayingRecord; allowedFromMs: number; daysLeft: number };

/** The latest spraying wins: an earlier spraying with a longer interval still counts (we take the latest end). */
export function checkPreHarvestInterval(sprayings: readonly SprayingRecord[], nowMs: number): HarvestCheck {
  let blocking: { record: SprayingRecord; endMs: number } | undefined;
  for (const record of sprayings) {
    const endMs = record.timeMs + record.preHarvestIntervalDays * dayMs;
    if (endMs > nowMs && (blocking === undefined || endMs > blocking.endMs)) blocking = { record, endMs };
  }
  if (blocking === undefined) return { allowed: true };
  return {
    allowed: false,
    lastSpraying: blocking.record,
    allowedFromMs: blocking.endMs,
    daysLeft: Math.ceil((blocking.endMs - nowMs) / dayMs),
  };
}
