import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { deviceReadingSchema } from './device-message.ts';
import { DEVICE_SEQ_LIMIT, defaultIngestLimits } from './ingest-limits.ts';
import { normaliseReading, plainDeviceReading } from './normalise.ts';

const good = { seq: 42, time: 1_750_000_000_000, type: 'Temperature', value: 21.5, uom: 'CEL' };

/** Readings one field away from `good`, in the ways devices and bad firmware get them wrong. */
const variants: Record<string, unknown>[] = [
  good,
  { ...good, seq: 0 },
  { ...good, seq: DEVICE_SEQ_LIMIT - 1 },
  { ...good, seq: DEVICE_SEQ_LIMIT },
  { ...good, seq: -1 },
  { ...good, seq: 1.5 },
  { ...good, seq: '42' },
  { ...good, time: -1 },
  { ...good, time: Number.MAX_SAFE_INTEGER + 2 },
  { ...good, time: 1.25 },
  { ...good, type: '' },
  { ...good, type: 'x'.repeat(129) },
  { ...good, type: 'x'.repeat(128) },
  { ...good, value: Number.NaN },
  { ...good, value: Number.POSITIVE_INFINITY },
  { ...good, value: '21.5' },
  { ...good, uom: '' },
  { ...good, uom: 'CELSIUSXX' },
  { ...good, extra: 1 },
  { seq: 1, time: 1, type: 'Temperature', value: 1, extra: 'CEL' },
  { seq: 1, time: 1, type: 'Temperature', value: 1 },
  { ...good, uom: undefined },
];

describe('normaliseReading fast path', () => {
  it('accepts only what the zod schema accepts, and every plain valid reading', () => {
    for (const v of variants) {
      const zodOk = deviceReadingSchema.safeParse(v).success;
      if (plainDeviceReading(v)) expect(zodOk, JSON.stringify(v)).toBe(true);
      else if (Object.keys(v).length === 5 && zodOk) throw new Error(`fast path missed ${JSON.stringify(v)}`);
    }
    expect(plainDeviceReading(good)).toBe(true);
    for (const v of [null, 1, 'x', [good], Object.assign(Object.create(null), good)]) {
      expect(plainDeviceReading(v)).toBe(false);
    }
  });

  it('gives the same verdict as zod alone on seeded random readings', () => {
    const rng = new SeededRng(6);
    const now = good.time;
    for (let i = 0; i < 2000; i++) {
      const v: Record<string, unknown> = { ...good, value: (rng.next() - 0.5) * 200 };
      const field = ['seq', 'time', 'type', 'value', 'uom'][Math.floor(rng.next() * 5)]!;
      if (rng.next() < 0.3) v[field] = [null, -1, 2 ** 40, 'x', '', 0.5][Math.floor(rng.next() * 6)];
      const verdict = normaliseReading('d1', v, now, defaultIngestLimits);
      const zodOk = deviceReadingSchema.safeParse(v).success;
      expect(verdict.ok || verdict.reason !== 'reading.shape', JSON.stringify(v)).toBe(zodOk);
    }
  });
});
