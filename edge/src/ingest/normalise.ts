import { type MeasurementType, measurementTypes, type Reading } from '@suyuan/shared';
import { type DeviceReading, deviceReadingSchema } from './device-message.ts';
import type { IngestLimits } from './ingest-limits.ts';

/**
 * One device reading → a reading in the ledger's form, or the reason it is quarantined. Units are
 * converted to the first (canonical) unit of their type, so Fahrenheit and kelvin arrive as Celsius
 * and ranges are checked in one unit. Pure: the clock reading is passed in.
 */
export type QuarantineReason =
  | 'payload.notJson'
  | 'payload.shape'
  | 'payload.tooLarge'
  | 'reading.shape'
  | 'reading.type'
  | 'reading.unit'
  | 'reading.range'
  | 'reading.future'
  | 'reading.stale';

export type Normalised =
  | { ok: true; reading: Omit<Reading, 'seq'>; deviceSeq: number }
  | { ok: false; reason: QuarantineReason; detail: string };

const toCanonical: Record<string, (v: number) => number> = {
  FAH: (f) => ((f - 32) * 5) / 9,
  KEL: (k) => k - 273.15,
};

function isMeasurementType(type: string): type is MeasurementType {
  return Object.hasOwn(measurementTypes, type);
}

export function normaliseReading(
  deviceId: string,
  raw: unknown,
  nowMs: number,
  limits: Pick<IngestLimits, 'readingFutureMsMax' | 'readingAgeMsMax'>,
): Normalised {
  const parsed = deviceReadingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'reading.shape', detail: `${issue?.path.join('.')}: ${issue?.message}` };
  }
  const r: DeviceReading = parsed.data;
  if (!isMeasurementType(r.type))
    return { ok: false, reason: 'reading.type', detail: `unknown type ${r.type}` };
  const spec = measurementTypes[r.type];
  const uoms = spec.uoms as readonly string[];
  if (!uoms.includes(r.uom)) {
    return {
      ok: false,
      reason: 'reading.unit',
      detail: `${r.uom} is not a unit of ${r.type} (${uoms.join(', ')})`,
    };
  }
  const convert = r.uom === uoms[0] ? undefined : toCanonical[r.uom];
  const value = convert ? Math.round(convert(r.value) * 1e6) / 1e6 : r.value;
  if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
    return {
      ok: false,
      reason: 'reading.range',
      detail: `${value} ${uoms[0]} outside [${spec.min}, ${spec.max}]`,
    };
  }
  if (r.time > nowMs + limits.readingFutureMsMax) {
    return {
      ok: false,
      reason: 'reading.future',
      detail: `stamped ${r.time - nowMs} ms ahead of the gateway`,
    };
  }
  if (r.time < nowMs - limits.readingAgeMsMax) {
    return {
      ok: false,
      reason: 'reading.stale',
      detail: `stamped ${nowMs - r.time} ms before the gateway clock`,
    };
  }
  return {
    ok: true,
    reading: { deviceId, time: r.time, type: r.type, value, uom: uoms[0]! },
    deviceSeq: r.seq,
  };
}
