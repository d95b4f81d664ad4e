import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { SeededRng } from '../prng.ts';
import {
  checkGln,
  checkSscc,
  gs1CheckDigit,
  hasValidCheckDigit,
  normaliseGtin,
  withCheckDigit,
} from './gtin.ts';
import { errorCodeOf } from './testing.ts';

describe('GS1 check digits', () => {
  it('computes the published check digits of GTIN-8/12/13/14, GLN and SSCC', () => {
    expect(gs1CheckDigit('9638507')).toBe(4); // GTIN-8 96385074
    expect(gs1CheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gs1CheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gs1CheckDigit('0950600013435')).toBe(2); // GTIN-14 09506000134352
    expect(gs1CheckDigit('061414107346')).toBe(7); // GLN 0614141073467
    expect(gs1CheckDigit('10614141234567890')).toBe(8); // SSCC 106141412345678908
    expect(withCheckDigit('8061414112345')).toBe('80614141123458');
  });

  it('normalises every GTIN length to GTIN-14', () => {
    expect(normaliseGtin('96385074')).toBe('00000096385074');
    expect(normaliseGtin('036000291452')).toBe('00036000291452');
    expect(normaliseGtin('4006381333931')).toBe('04006381333931');
    expect(normaliseGtin('80614141123458')).toBe('80614141123458');
  });

  it('rejects wrong check digits, lengths and characters with typed errors', () => {
    expect(errorCodeOf(() => normaliseGtin('09506000134353'))).toBe('gs1.badCheckDigit');
    expect(errorCodeOf(() => normaliseGtin('963850741'))).toBe('gs1.badLength');
    expect(errorCodeOf(() => normaliseGtin(''))).toBe('gs1.badLength');
    expect(errorCodeOf(() => normaliseGtin('0950600013435X'))).toBe('gs1.badCharacter');
    expect(errorCodeOf(() => normaliseGtin(' 9506000134352'))).toBe('gs1.badCharacter');
    expect(errorCodeOf(() => checkGln('0614141073468'))).toBe('gs1.badCheckDigit');
    expect(errorCodeOf(() => checkGln('06141410734'))).toBe('gs1.badLength');
    expect(errorCodeOf(() => checkSscc('106141412345678907'))).toBe('gs1.badCheckDigit');
    expect(errorCodeOf(() => checkSscc('10614141234567890'))).toBe('gs1.badLength');
    expect(checkSscc('106141412345678908')).toBe('106141412345678908');
  });

  it('says what was expected in the error', () => {
    expect(() => normaliseGtin('09506000134353')).toThrow(InputError);
    expect(() => normaliseGtin('09506000134353')).toThrow(/check digit 3, expected 2/);
  });

  it('catches every single-digit error in random keys (seeded)', () => {
    const rng = new SeededRng(20240601);
    for (let round = 0; round < 200; round++) {
      const body = Array.from({ length: 13 }, () => String(rng.int(10))).join('');
      const gtin = withCheckDigit(body);
      expect(normaliseGtin(gtin)).toBe(gtin);
      expect(hasValidCheckDigit(gtin)).toBe(true);
      const at = rng.int(14);
      const wrong = String((Number(gtin[at]) + 1 + rng.int(9)) % 10);
      const broken = gtin.slice(0, at) + wrong + gtin.slice(at + 1);
      expect(hasValidCheckDigit(broken)).toBe(false);
      expect(errorCodeOf(() => normaliseGtin(broken))).toBe('gs1.badCheckDigit');
    }
  });

  it('hasValidCheckDigit is false for non-digit input rather than throwing', () => {
    expect(hasValidCheckDigit('')).toBe(false);
    expect(hasValidCheckDigit('12a4')).toBe(false);
  });
});
