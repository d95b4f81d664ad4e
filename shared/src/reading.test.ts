import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.ts';
import { isSuyuanError } from './errors.ts';
import { SeededRng } from './prng.ts';
import { measurementTypes, parseReading, readingPayloadText, SOIL_MOISTURE_TYPE } from './reading.ts';

const good = {
  deviceId: 'air-3',
  seq: 12,
  time: 1_764_000_000_000,
  type: 'Temperature',
  value: 4.2,
  uom: 'CEL',
};

describe('readings', () => {
  it('accepts EPCIS measurement types with UN/ECE units', () => {
    expect(parseReading(good)).toEqual(good);
    expect(parseReading({ ...good, type: 'RelativeHumidity', uom: 'P1', value: 81 }).uom).toBe('P1');
    expect(parseReading({ ...good, type: SOIL_MOISTURE_TYPE, uom: 'P1', value: 33 }).type).toBe(
      SOIL_MOISTURE_TYPE,
    );
  });

  it.each([
    ['unknown type', { ...good, type: 'Vibes' }, 'type'],
    ['unit that does not fit', { ...good, uom: 'P1' }, 'uom'],
    ['non-finite value', { ...good, value: Number.NaN }, 'value'],
    ['negative seq', { ...good, seq: -1 }, 'seq'],
    ['fractional time', { ...good, time: 1.5 }, 'time'],
    ['bad device id', { ...good, deviceId: 'a b' }, 'deviceId'],
    ['extra field', { ...good, extra: 1 }, '(root)'],
    ['not an object', 'hello', '(root)'],
  ])('rejects %s, naming the field', (_name, raw, field) => {
    try {
      parseReading(raw);
      expect.unreachable();
    } catch (error) {
      expect(isSuyuanError(error, 'reading.invalid')).toBe(true);
      expect((error as { details: { field: string } }).details.field).toBe(field);
    }
  });
});

describe('readingPayloadText', () => {
  it('writes exactly what canonicalize writes, for plain readings and odd ones alike', () => {
    const rng = new SeededRng(55);
    const types = Object.keys(measurementTypes);
    const values = [0, -0, 1e21, 5e-324, -1.5e-7, 123456.789, Number.MAX_SAFE_INTEGER];
    const ids = ['air-3', 'a.b:c_d-9', 'x'.repeat(64), 'x'.repeat(65), 'bad id', 'q"uote', 'é'];
    for (let i = 0; i < 3000; i++) {
      const r = {
        deviceId: ids[rng.int(ids.length)]!,
        seq: rng.int(3) === 0 ? rng.int(2 ** 32) * 2 ** 21 : rng.int(1000),
        time: 1_764_000_000_000 + rng.int(1e9),
        type: rng.int(20) === 0 ? 'toString' : types[rng.int(types.length)]!,
        uom: ['CEL', 'P1', 'NA', 'c"l', 'toolongunit'][rng.int(5)]!,
        value: rng.int(2) === 0 ? values[rng.int(values.length)]! : (rng.next() - 0.5) * 10 ** rng.int(12),
      };
      expect(readingPayloadText(r)).toBe(canonicalize({ kind: 'reading', reading: r }));
    }
  });

  it('prints seqs and times past 10^9 exactly, at every boundary of the split', () => {
    const edges = [1e9 - 1, 1e9, 1e9 + 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 - 1e9, 2 ** 53 - 1e9 - 1];
    for (let k = 1; k < 9_007_199; k = k * 3 + 1) edges.push(k * 1e9 - 1, k * 1e9, k * 1e9 + 1);
    const rng = new SeededRng(56);
    for (let i = 0; i < 2000; i++) edges.push(rng.int(2 ** 21) * 2 ** 32 + rng.int(2 ** 32));
    for (const x of edges.filter(Number.isSafeInteger)) {
      for (const n of [x, -x]) {
        const r = { deviceId: 'air-3', seq: n, time: x, type: 'Temperature', uom: 'CEL', value: 1 };
        expect(readingPayloadText(r)).toBe(canonicalize({ kind: 'reading', reading: r }));
      }
    }
  });
});
