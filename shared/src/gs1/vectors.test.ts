import { describe, expect, it } from 'vitest';
import { readReferenceJson } from '../epcis/reference-files.ts';
import { digitalLinkToEpcUri, epcUriToDigitalLink } from './convert.ts';
import { parseDigitalLink } from './digital-link.ts';
import { parseEpcUri } from './epc-uri.ts';
import { decodeSgtin96, encodeSgtin96 } from './sgtin96.ts';
import { errorCodeOf } from './testing.ts';

/** ../shared/vectors/epc.json, the published SGTIN-96 and Digital Link vectors. */
interface EpcVectors {
  sgtin96: {
    hex: string;
    filter: number;
    partition: number;
    tag_uri?: string;
    id_uri: string;
    gtin: string;
    serial: string;
    digital_link: string;
  }[];
  digital_link: (
    | { uri: string; gtin: string; lot?: string; serial?: string }
    | { invalid: string; why: string }
  )[];
}

const vectors = readReferenceJson('vectors/epc.json') as EpcVectors;

describe('vectors/epc.json', () => {
  it('has vectors to test', () => {
    expect(vectors.sgtin96.length).toBeGreaterThan(0);
    expect(vectors.digital_link.length).toBeGreaterThan(0);
  });

  for (const v of vectors.sgtin96) {
    it(`SGTIN-96 ${v.hex} decodes, re-encodes and converts`, () => {
      const tag = decodeSgtin96(v.hex);
      expect(tag).toMatchObject({
        kind: 'sgtin96',
        filter: v.filter,
        partition: v.partition,
        idUri: v.id_uri,
        gtin: v.gtin,
        serial: v.serial,
        digitalLink: v.digital_link,
      });
      if (v.tag_uri !== undefined) expect(tag).toMatchObject({ tagUri: v.tag_uri });
      const cpl = 12 - v.partition;
      expect(
        encodeSgtin96({ gtin: v.gtin, serial: v.serial, companyPrefixLength: cpl, filter: v.filter }),
      ).toBe(v.hex);
      expect(parseEpcUri(v.id_uri)).toEqual({
        scheme: 'sgtin',
        gtin: v.gtin,
        serial: v.serial,
        companyPrefixLength: cpl,
      });
      expect(epcUriToDigitalLink(v.id_uri)).toBe(v.digital_link);
      expect(digitalLinkToEpcUri(v.digital_link, cpl)).toBe(v.id_uri);
    });
  }

  for (const v of vectors.digital_link) {
    if ('invalid' in v) {
      it(`rejects ${v.invalid} (${v.why})`, () => {
        const expected = /order/.test(v.why) ? 'gs1.badOrder' : 'gs1.badCheckDigit';
        expect(errorCodeOf(() => parseDigitalLink(v.invalid))).toBe(expected);
      });
    } else {
      it(`parses ${v.uri}`, () => {
        const link = parseDigitalLink(v.uri);
        expect(link.primary).toEqual({ ai: '01', value: v.gtin });
        expect(link.qualifiers['10']).toBe(v.lot);
        expect(link.qualifiers['21']).toBe(v.serial);
      });
    }
  }
});
