import type { Reading, SequenceGap } from '@suyuan/shared';
import type { Effect, Rejection, RuleContext, StateView } from '../state.ts';

export type TelemetryResult =
  | { ok: true; effects: Effect[]; gaps: SequenceGap[] }
  | ({ ok: false; payloadIndex: number } & Rejection);

/**
 * Telemetry chain rules for one signed reading batch (its Merkle root and gateway signature are
 * checked with the submission): every device must be bound to the signing gateway key, and no
 * reading may be stamped beyond the block time plus the skew bound. Sequence discontinuities are
 * recorded as gaps on the transaction, not rejected: a device that lost readings or restarted its
 * counter still reports what it has.
 */
export function checkTelemetryBatch(
  view: StateView,
  ctx: RuleContext,
  readings: readonly Reading[],
): TelemetryResult {
  const last = new Map<string, number | undefined>();
  const gaps: SequenceGap[] = [];
  const effects: Effect[] = [];
  const bound = new Set<string>(); // a batch holds many readings of few devices: look each up once
  for (const [i, r] of readings.entries()) {
    if (!bound.has(r.deviceId) && view.deviceGateway(r.deviceId) === ctx.keyId) bound.add(r.deviceId);
    if (!bound.has(r.deviceId)) {
      const message = `device ${r.deviceId} is not bound to gateway key ${ctx.keyId}`;
      return { ok: false, payloadIndex: i, code: 'telemetry.deviceNotBound', message };
    }
    if (r.time > ctx.blockTimeMs + ctx.clockSkewMs) {
      const message = 'reading time is beyond the block time plus skew';
      return { ok: false, payloadIndex: i, code: 'telemetry.future', message };
    }
    const previous = last.has(r.deviceId) ? last.get(r.deviceId) : view.deviceLastSeq(r.deviceId);
    if (previous !== undefined && r.seq !== previous + 1) {
      gaps.push({ deviceId: r.deviceId, after: previous, next: r.seq });
    }
    last.set(r.deviceId, r.seq);
  }
  for (const [deviceId, seq] of last)
    if (seq !== undefined) effects.push({ type: 'deviceSeq', deviceId, seq });
  return { ok: true, effects, gaps };
}
