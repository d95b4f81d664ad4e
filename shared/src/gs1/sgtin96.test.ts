import { describe, expect, it } from 'vitest';
import { SeededRng } from '../prng.ts';
import { withCheckDigit } from './gtin.ts';
import { decodeSgtin96, encodeSgtin96, sgtin96SerialMax } from './sgtin96.ts';
import { errorCodeOf } from './testing.ts';

describe('SGTIN-96', () => {
  it('decodes every field, including lower-case hex', () => {
    expect(decodeSgtin96('3074257bf7194e4000001a85', { resolverBase: 'https://t.example' })).toEqual({
      kind: 'sgtin96',
      hex: '3074257BF7194E4000001A85',
      filter: 3,
      partition: 5,
      companyPrefix: '0614141',
      itemRef: '812345',
      serial: '6789',
      gtin: '80614141123458',
      companyPrefixLength: 7,
      idUri: 'urn:epc:id:sgtin:0614141.812345.6789',
      tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
      digitalLink: 'https://t.example/01/80614141123458/21/6789',
    });
  });

  it('keeps non-SGTIN-96 tags as raw hex instead of failing', () => {
    const raw = [
      'E2801160600002054CC2096F', // factory TID-style EPC (header E2)
      '3178E61C883950F59A000000', // SSCC-96: a GS1 scheme, but not SGTIN-96
      '00000000000000000000000A', // unprogrammed
      '303C257BF7194E4000001A85', // header 30 with the unassigned partition 7
      '3003FFFFFFFFFC0000000001', // partition 0: company prefix bits above 10^12 - 1
      '3074257BFFFFFFC000000001', // partition 5: item reference bits above 10^6 - 1
      'FFFFFFFFFFFFFFFFFFFFFFFF',
    ];
    for (const hex of raw) expect(decodeSgtin96(hex)).toEqual({ kind: 'raw', hex });
    expect(decodeSgtin96('e2801160600002054cc2096f')).toEqual({
      kind: 'raw',
      hex: 'E2801160600002054CC2096F',
    });
  });

  it('rejects anything that is not exactly 24 hex characters', () => {
    for (const bad of [
      '',
      '3074',
      '3074257BF7194E4000001A8',
      '3074257BF7194E4000001A850',
      '3074257BF7194E4000001A8G',
    ]) {
      expect([bad, errorCodeOf(() => decodeSgtin96(bad))]).toEqual([bad, 'epc.badHex']);
    }
  });

  it('encodes from GTIN, serial, prefix length and filter', () => {
    expect(encodeSgtin96({ gtin: '80614141123458', serial: '6789', companyPrefixLength: 7, filter: 3 })).toBe(
      '3074257BF7194E4000001A85',
    );
    expect(encodeSgtin96({ gtin: '614141123452', serial: '12345', companyPrefixLength: 7, filter: 1 })).toBe(
      '3034257BF40C0E4000003039',
    );
    const max = encodeSgtin96({
      gtin: '80614141123458',
      serial: String(sgtin96SerialMax),
      companyPrefixLength: 7,
      filter: 0,
    });
    expect(decodeSgtin96(max)).toMatchObject({ serial: '274877906943', filter: 0 });
  });

  it('round-trips random items over every partition (seeded)', () => {
    const rng = new SeededRng(96);
    for (let round = 0; round < 300; round++) {
      const gtin = withCheckDigit(Array.from({ length: 13 }, () => String(rng.int(10))).join(''));
      const companyPrefixLength = 6 + rng.int(7);
      const serial = String(rng.int(2 ** 30) * 256 + rng.int(256));
      const filter = rng.int(8);
      const hex = encodeSgtin96({ gtin, serial, companyPrefixLength, filter });
      expect(decodeSgtin96(hex)).toMatchObject({
        kind: 'sgtin96',
        gtin,
        serial,
        filter,
        companyPrefixLength,
      });
    }
  });

  it('range-checks the encoder inputs', () => {
    const ok = { gtin: '80614141123458', serial: '6789', companyPrefixLength: 7, filter: 3 };
    const cases: [Partial<typeof ok>, string][] = [
      [{ serial: String(sgtin96SerialMax + 1n) }, 'epc.outOfRange'],
      [{ serial: '00123' }, 'gs1.badSyntax'],
      [{ serial: 'A123' }, 'gs1.badCharacter'],
      [{ serial: '' }, 'gs1.badCharacter'],
      [{ serial: '-1' }, 'gs1.badCharacter'],
      [{ filter: 8 }, 'epc.outOfRange'],
      [{ filter: -1 }, 'epc.outOfRange'],
      [{ filter: 1.5 }, 'epc.outOfRange'],
      [{ companyPrefixLength: 5 }, 'gs1.badLength'],
      [{ companyPrefixLength: 13 }, 'gs1.badLength'],
      [{ gtin: '80614141123459' }, 'gs1.badCheckDigit'],
    ];
    for (const [change, code] of cases) {
      expect([change, errorCodeOf(() => encodeSgtin96({ ...ok, ...change }))]).toEqual([change, code]);
    }
    expect(encodeSgtin96({ ...ok, serial: '0' })).toMatch(/^30/);
  });
});
