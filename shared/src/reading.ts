import { z } from 'zod';
import { canonicalize } from './canonical.ts';
import { InputError } from './errors.ts';

/**
 * A sensor reading as the edge records it: `{deviceId, seq, time, type, value, uom}`. Types are
 * EPCIS 2.0 sensor measurement types and units are UN/ECE Recommendation 20 codes, so a reading maps
 * one-to-one onto an EPCIS sensorReport. Soil moisture has no EPCIS type; we use our own full URI.
 */
export const SOIL_MOISTURE_TYPE = 'https://suyuan.example/voc/measurement/SoilMoisture';
/** Soil nutrient content (mg per kg of soil, UN/ECE `NA`): no EPCIS type, and three must stay distinct. */
export const SOIL_NITROGEN_TYPE = 'https://suyuan.example/voc/measurement/SoilNitrogen';
export const SOIL_PHOSPHORUS_TYPE = 'https://suyuan.example/voc/measurement/SoilPhosphorus';
export const SOIL_POTASSIUM_TYPE = 'https://suyuan.example/voc/measurement/SoilPotassium';

/** Measurement type → accepted units and the physically plausible range in the first unit. */
export const measurementTypes = {
  Temperature: { uoms: ['CEL', 'FAH', 'KEL'], min: -60, max: 85 },
  RelativeHumidity: { uoms: ['P1'], min: 0, max: 100 },
  Illuminance: { uoms: ['LUX'], min: 0, max: 200_000 },
  // H61 = millisiemens per centimetre (UN/ECE Rec 20; µS/cm would be G42). Soil EC rarely exceeds 20 mS/cm.
  Conductivity: { uoms: ['H61'], min: 0, max: 200 },
  pH: { uoms: ['C62'], min: 0, max: 14 }, // C62 = one (dimensionless)
  MassConcentration: { uoms: ['M1'], min: 0, max: 100_000 }, // M1 = milligram per litre (≈ mg/kg in soil)
  [SOIL_MOISTURE_TYPE]: { uoms: ['P1'], min: 0, max: 100 },
  [SOIL_NITROGEN_TYPE]: { uoms: ['NA'], min: 0, max: 100_000 },
  [SOIL_PHOSPHORUS_TYPE]: { uoms: ['NA'], min: 0, max: 100_000 },
  [SOIL_POTASSIUM_TYPE]: { uoms: ['NA'], min: 0, max: 100_000 },
} as const satisfies Record<string, { uoms: readonly string[]; min: number; max: number }>;

export type MeasurementType = keyof typeof measurementTypes;

export interface Reading {
  deviceId: string;
  seq: number;
  /** Milliseconds since the Unix epoch, as the device or gateway stamped it. */
  time: number;
  type: MeasurementType;
  value: number;
  uom: string;
}

const deviceIdText = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a device id is 1-64 of A-Z a-z 0-9 . _ : -');

export const readingSchema = z
  .object({
    deviceId: deviceIdText,
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    time: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    type: z.enum(Object.keys(measurementTypes) as [MeasurementType, ...MeasurementType[]]),
    value: z.number().finite(),
    uom: z.string().min(1).max(8),
  })
  .strict()
  .refine((r) => (measurementTypes[r.type].uoms as readonly string[]).includes(r.uom), {
    message: 'unit does not fit the measurement type',
    path: ['uom'],
  });

/** Validates a reading from outside; throws InputError('reading.invalid') naming the bad field. */
export function parseReading(raw: unknown): Reading {
  const result = readingSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new InputError('reading.invalid', `reading ${where}: ${issue?.message ?? 'invalid'}`, {
      field: where,
    });
  }
  return result.data;
}

/** The payload form of a reading inside a signed submission (see envelope.ts). */
export interface ReadingPayload {
  kind: 'reading';
  reading: Reading;
}

export function readingPayload(reading: Reading): ReadingPayload {
  return { kind: 'reading', reading };
}

const PLAIN_DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * RFC 8785 canonical JSON of `readingPayload(reading)` without the general encoder: members in
 * code-unit order, strings and numbers as JSON.stringify writes them (which is what RFC 8785 asks
 * for). Valid for a reading whose device id is of the schema's characters, whose integers are safe and
 * whose value is finite; anything else takes `canonicalize`. Tested against it on seeded readings.
 * Gateways and replicas encode every reading with it, one reading at a time.
 */
export function readingPayloadText(r: {
  deviceId: string;
  seq: number;
  time: number;
  type: string;
  uom: string;
  value: number;
}): string {
  if (
    !PLAIN_DEVICE_ID.test(r.deviceId) ||
    !Number.isSafeInteger(r.seq) ||
    !Number.isSafeInteger(r.time) ||
    !Number.isFinite(r.value) ||
    !Object.hasOwn(measurementTypes, r.type) ||
    !PLAIN_UOM.test(r.uom)
  ) {
    return canonicalize({ kind: 'reading', reading: r });
  }
  return `{"kind":"reading","reading":{"deviceId":"${r.deviceId}","seq":${integerText(r.seq)},"time":${integerText(r.time)},"type":"${r.type}","uom":"${r.uom}","value":${JSON.stringify(r.value)}}}`;
}

/**
 * A safe integer's decimal text, as `String(x)` writes it. Ledger seqs (epoch · 2^32 + seq) and
 * millisecond times are past 2^31, so V8 holds them as doubles and prints them by its general
 * double-to-text path; printed as two small integers (above and below 10^9) they cost about half
 * (measured, Node 20). The quotient gets a guard against x / 10^9 rounding across an integer
 * (it does not for the boundaries the tests try, but the check costs nothing).
 */
function integerText(x: number): string {
  if (x < 1e9 && x > -1e9) return `${x}`;
  if (x < 0) return `-${integerText(-x)}`;
  let high = Math.floor(x / 1e9);
  let low = x - high * 1e9;
  if (low < 0) {
    high -= 1;
    low += 1e9;
  } else if (low >= 1e9) {
    high += 1;
    low -= 1e9;
  }
  const lowText = `${low}`;
  return `${high}${'000000000'.slice(lowText.length)}${lowText}`;
}

const PLAIN_UOM = /^[A-Z0-9]{1,8}$/;
