import { describe, expect, it } from 'vitest';
import { decodeEpcUriComponent, encodeDigitalLinkValue, encodeEpcUriComponent } from './ai-values.ts';
import { epcUriScheme, formatEpcUri, parseEpcUri } from './epc-uri.ts';
import type { Gs1Identifier } from './identifiers.ts';
import { errorCodeOf } from './testing.ts';

describe('EPC URIs', () => {
  it('parses each scheme into its GS1 key and company prefix length', () => {
    expect(parseEpcUri('urn:epc:id:sgtin:0614141.812345.6789')).toEqual({
      scheme: 'sgtin',
      gtin: '80614141123458',
      serial: '6789',
      companyPrefixLength: 7,
    });
    expect(parseEpcUri('urn:epc:class:lgtin:4012345.012345.998877')).toEqual({
      scheme: 'lgtin',
      gtin: '04012345123456',
      lot: '998877',
      companyPrefixLength: 7,
    });
    expect(parseEpcUri('urn:epc:id:sscc:0614141.1234567890')).toEqual({
      scheme: 'sscc',
      sscc: '106141412345678908',
      companyPrefixLength: 7,
    });
    expect(parseEpcUri('urn:epc:id:sgln:0614141.07346.1234')).toEqual({
      scheme: 'sgln',
      gln: '0614141073467',
      extension: '1234',
      companyPrefixLength: 7,
    });
    expect(parseEpcUri('urn:epc:id:sgln:0614141.00777.0')).toEqual({
      scheme: 'sgln',
      gln: '0614141007776',
      companyPrefixLength: 7,
    });
    expect(parseEpcUri('urn:epc:id:pgln:9520001.11111')).toEqual({
      scheme: 'pgln',
      gln: '9520001111112',
      companyPrefixLength: 7,
    });
  });

  it('round-trips every scheme and prefix length 6..12 through format and parse', () => {
    const ids: Gs1Identifier[] = [];
    for (let cpl = 6; cpl <= 12; cpl++) {
      ids.push({ scheme: 'sgtin', gtin: '80614141123458', serial: 'A/b%1"<>?&', companyPrefixLength: cpl });
      ids.push({ scheme: 'lgtin', gtin: '09506000134352', lot: 'LOT.2024-06', companyPrefixLength: cpl });
      ids.push({ scheme: 'sscc', sscc: '106141412345678908', companyPrefixLength: cpl });
      ids.push({ scheme: 'sgln', gln: '0614141073467', extension: 'field:7', companyPrefixLength: cpl });
      ids.push({ scheme: 'pgln', gln: '9520001111112', companyPrefixLength: cpl });
    }
    for (const id of ids) expect(parseEpcUri(formatEpcUri(id))).toEqual(id);
    expect(formatEpcUri({ scheme: 'sgln', gln: '0614141073467', companyPrefixLength: 12 })).toBe(
      'urn:epc:id:sgln:061414107346..0',
    );
  });

  it('escapes only the seven characters the Tag Data Standard names', () => {
    expect(encodeEpcUriComponent('A/b%1"<>?&')).toBe('A%2Fb%251%22%3C%3E%3F%26');
    expect(encodeEpcUriComponent("!'()*+,-.:;=_")).toBe("!'()*+,-.:;=_");
    expect(decodeEpcUriComponent('A%2Fb', 'serial')).toBe('A/b');
    expect(encodeDigitalLinkValue('A/b c')).toBe('A%2Fb%20c');
    expect(encodeDigitalLinkValue("!'()*-._")).toBe('%21%27%28%29%2A-._');
  });

  it('recognises schemes case-insensitively in the URN prefix only', () => {
    expect(epcUriScheme('URN:EPC:ID:SGTIN:0614141.812345.6789')).toBe('sgtin');
    expect(epcUriScheme('urn:epc:id:giai:4000001.111')).toBeUndefined();
  });

  it('rejects malformed EPC URIs with typed errors', () => {
    const cases: [string, string][] = [
      ['urn:epc:id:giai:4000001.111', 'gs1.badSyntax'],
      ['urn:epc:id:sgtin:0614141.812345', 'gs1.badSyntax'],
      ['urn:epc:id:sgtin:0614141.81234.6789', 'gs1.badLength'],
      ['urn:epc:id:sgtin:06141.8123456.6789', 'gs1.badLength'],
      ['urn:epc:id:sgtin:0614141.81234X.6789', 'gs1.badCharacter'],
      ['urn:epc:id:sgtin:0614141.812345.', 'gs1.badLength'],
      ['urn:epc:id:sgtin:0614141.812345.123456789012345678901', 'gs1.badLength'],
      ['urn:epc:id:sgtin:0614141.812345.a b', 'gs1.badCharacter'],
      ['urn:epc:id:sgtin:0614141.812345.a/b', 'gs1.badCharacter'],
      ['urn:epc:id:sgtin:0614141.812345.a%2', 'gs1.badCharacter'],
      ['urn:epc:id:sgtin:0614141.812345.%23', 'gs1.badCharacter'],
      ['urn:epc:id:sscc:0614141.123456789', 'gs1.badLength'],
      ['urn:epc:id:sgln:0614141.0734.1234', 'gs1.badLength'],
      ['urn:epc:id:pgln:9520001.1111', 'gs1.badLength'],
      [`urn:epc:id:sgtin:0614141.812345.${'1'.repeat(300)}`, 'gs1.badLength'],
    ];
    for (const [uri, code] of cases) expect([uri, errorCodeOf(() => parseEpcUri(uri))]).toEqual([uri, code]);
  });

  it('refuses to format identities with bad keys or prefix lengths', () => {
    const sgtin = { scheme: 'sgtin', gtin: '80614141123458', serial: '1', companyPrefixLength: 7 } as const;
    expect(errorCodeOf(() => formatEpcUri({ ...sgtin, gtin: '80614141123459' }))).toBe('gs1.badCheckDigit');
    expect(errorCodeOf(() => formatEpcUri({ ...sgtin, companyPrefixLength: 5 }))).toBe('gs1.badLength');
    expect(errorCodeOf(() => formatEpcUri({ ...sgtin, companyPrefixLength: 13 }))).toBe('gs1.badLength');
    expect(errorCodeOf(() => formatEpcUri({ ...sgtin, serial: 'ü' }))).toBe('gs1.badCharacter');
    expect(errorCodeOf(() => formatEpcUri({ ...sgtin, serial: '' }))).toBe('gs1.badLength');
  });
});
