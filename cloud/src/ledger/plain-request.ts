import { limits, type MeasurementType, measurementTypes, type SubmitRequest } from '@suyuan/shared';

/**
 * The exact checks of `submitRequestSchema` written out for its common form, a gateway's reading
 * batch: `{publicKey, submission}` with exactly the five submission fields and only
 * `{kind: 'reading', reading}` payloads with exactly the six reading fields. zod on such a body
 * cost about a tenth of a replica's CPU per reading, run two or three times per request. A body of
 * this form that passes is returned as it is (the same value zod would return: every object is
 * strict, so zod's copy has the same members); anything else, valid or not, gives null and takes
 * the zod path, which alone words the rejection. plain-request.test.ts checks both agree.
 */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;
const DEVICE_ID = /^[A-Za-z0-9._:-]+$/;

/** A plain JSON object (not an array, no own `__proto__` member beyond `count` members) with `count` keys. */
function plainObject(value: unknown, count: number): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return false;
  let keys = 0;
  for (const _ in value) keys++;
  return keys === count;
}

const safeInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

export function plainReading(raw: unknown): boolean {
  if (!plainObject(raw, 6)) return false;
  const { deviceId, seq, time, type, value, uom } = raw;
  if (
    !(
      typeof deviceId === 'string' &&
      deviceId.length >= 1 &&
      deviceId.length <= 64 &&
      DEVICE_ID.test(deviceId) &&
      safeInt(seq, 0) &&
      safeInt(time, 0) &&
      typeof type === 'string' &&
      Object.hasOwn(measurementTypes, type) &&
      typeof value === 'number' &&
      Number.isFinite(value) &&
      typeof uom === 'string'
    )
  )
    return false;
  return (measurementTypes[type as MeasurementType].uoms as readonly string[]).includes(uom);
}

function plainReadingPayload(raw: unknown): boolean {
  return plainObject(raw, 2) && raw.kind === 'reading' && plainReading(raw.reading);
}

/** The request when `raw` is a well-formed reading batch of the plain form, else null (ask zod). */
export function plainReadingRequest(raw: unknown): SubmitRequest | null {
  if (!plainObject(raw, 2)) return null;
  const { publicKey, submission: s } = raw;
  if (typeof publicKey !== 'string' || !KEY_TEXT.test(publicKey) || !plainObject(s, 5)) return null;
  const { submitter, seq, created, payloads, signature } = s;
  const ok =
    typeof submitter === 'string' &&
    KEY_TEXT.test(submitter) &&
    safeInt(seq, 1) &&
    safeInt(created, 0) &&
    typeof signature === 'string' &&
    SIGNATURE_TEXT.test(signature) &&
    Array.isArray(payloads) &&
    payloads.length >= 1 &&
    payloads.length <= limits.batchReadingsMax &&
    payloads.every(plainReadingPayload);
  return ok ? (raw as unknown as SubmitRequest) : null;
}
