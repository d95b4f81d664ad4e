import { bizStepOf, type EventJson, eventTimeMs, locationId, sensorDeviceOf } from '../event-fields.ts';
import type { LedgerEvent } from '../read-model.ts';

/**
 * An item's journey for people: its lot's and its own events merged in time order and grouped into the
 * stages a consumer recognises, from planting to the shop.
 */

export type Stage = 'field' | 'harvest' | 'packing' | 'transport' | 'storage' | 'retail' | 'hold' | 'other';

export interface JourneyStep {
  stage: Stage;
  /** The bare CBV word or the last segment of our farm bizStep URI (`planting`). */
  step: string;
  time: number;
  /** EPC URI of where it happened (readPoint, bizLocation), if any. */
  place: string | null;
  productApplied: string | null;
  preHarvestIntervalDays: number | null;
  sensorDeviceId: string | null;
  disposition: string | null;
}

const STAGES: Record<string, Stage> = {
  planting: 'field',
  fertilising: 'field',
  spraying: 'field',
  irrigating: 'field',
  harvesting: 'harvest',
  commissioning: 'packing',
  packing: 'packing',
  creating_class_instance: 'packing',
  shipping: 'transport',
  departing: 'transport',
  arriving: 'transport',
  transporting: 'transport',
  receiving: 'transport',
  storing: 'storage',
  stocking: 'storage',
  retail_selling: 'retail',
  holding: 'hold',
};

export function stepName(bizStep: string): string {
  return bizStep.includes('/') ? (bizStep.split('/').pop() ?? bizStep) : bizStep;
}

export function toStep(event: EventJson): JourneyStep {
  const step = stepName(bizStepOf(event));
  const disposition = typeof event.disposition === 'string' ? event.disposition : null;
  const phi = event['suyuan:preHarvestIntervalDays'];
  const product = event['suyuan:productName'];
  return {
    stage: disposition === 'recalled' ? 'hold' : (STAGES[step] ?? 'other'),
    step,
    time: eventTimeMs(event),
    place: locationId(event.bizLocation) ?? locationId(event.readPoint),
    productApplied: typeof product === 'string' ? product : null,
    preHarvestIntervalDays: typeof phi === 'number' ? phi : null,
    sensorDeviceId: sensorDeviceOf(event),
    disposition,
  };
}

/** Merge several identities' histories (lot, item), each event once, oldest first. */
export function journeyOf(histories: readonly (readonly LedgerEvent[])[]): JourneyStep[] {
  const seen = new Set<string>();
  const steps: JourneyStep[] = [];
  for (const history of histories) {
    for (const { tx, proof } of history) {
      const at = `${proof.location.chain}/${proof.location.height}/${proof.location.index}`;
      if (seen.has(at)) continue;
      seen.add(at);
      const payload = tx.payload as { kind?: string; event?: EventJson };
      if (payload.kind === 'event' && payload.event) steps.push(toStep(payload.event));
    }
  }
  return steps.sort((a, b) => a.time - b.time);
}

/** Time windows a sensor device watched the goods: from its step to the next step (or `untilMs`). */
export function sensorWindows(
  steps: readonly JourneyStep[],
  untilMs: number,
): { deviceId: string; from: number; to: number }[] {
  const out: { deviceId: string; from: number; to: number }[] = [];
  steps.forEach((s, i) => {
    if (s.sensorDeviceId === null) return;
    const next = steps.slice(i + 1).find((n) => n.time > s.time);
    out.push({ deviceId: s.sensorDeviceId, from: s.time, to: next ? next.time : untilMs });
  });
  return out;
}

/** The EPC URI of the party that owns a location: `urn:epc:id:sgln:CP.LR.EXT` → `urn:epc:id:pgln:CP.LR`. */
export function partyOfPlace(sgln: string): string | null {
  const m = /^urn:epc:id:sgln:(\d+)\.(\d*)\.[^.]*$/.exec(sgln);
  return m ? `urn:epc:id:pgln:${m[1]}.${m[2]}` : null;
}
