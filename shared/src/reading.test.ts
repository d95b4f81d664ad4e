import { describe, expect, it } from 'vitest';
import { isSuyuanError } from './errors.ts';
import { parseReading, SOIL_MOISTURE_TYPE } from './reading.ts';

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
