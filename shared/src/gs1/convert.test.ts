import { describe, expect, it } from 'vitest';
import {
  digitalLinkToEpcUri,
  digitalLinkToIdentifier,
  epcUriToDigitalLink,
  identifierToDigitalLink,
} from './convert.ts';
import { formatEpcUri, parseEpcUri } from './epc-uri.ts';
import { errorCodeOf } from './testing.ts';

describe('EPC URI <-> Digital Link', () => {
  const pairs: [string, string, number][] = [
    ['urn:epc:id:sgtin:0614141.812345.6789', 'https://id.gs1.org/01/80614141123458/21/6789', 7],
    ['urn:epc:id:sgtin:061414.0112345.A%2FB', 'https://id.gs1.org/01/00614141123452/21/A%2FB', 6],
    ['urn:epc:class:lgtin:4012345.012345.998877', 'https://id.gs1.org/01/04012345123456/10/998877', 7],
    ['urn:epc:id:sscc:0614141.1234567890', 'https://id.gs1.org/00/106141412345678908', 7],
    ['urn:epc:id:sgln:0614141.07346.1234', 'https://id.gs1.org/414/0614141073467/254/1234', 7],
    ['urn:epc:id:sgln:0614141.00777.0', 'https://id.gs1.org/414/0614141007776', 7],
    ['urn:epc:id:pgln:9520001.11111', 'https://id.gs1.org/417/9520001111112', 7],
    ['urn:epc:id:pgln:952000111111.', 'https://id.gs1.org/417/9520001111112', 12],
  ];

  it('converts both ways for every scheme', () => {
    for (const [epc, dl, cpl] of pairs) {
      expect(epcUriToDigitalLink(epc)).toBe(dl);
      expect(digitalLinkToEpcUri(dl, cpl)).toBe(epc);
    }
  });

  it('uses the configured resolver base', () => {
    expect(
      epcUriToDigitalLink('urn:epc:id:sgtin:0614141.812345.6789', { resolverBase: 'https://t.example' }),
    ).toBe('https://t.example/01/80614141123458/21/6789');
  });

  it('keeps the identity when the company prefix length differs, but not the EPC URI', () => {
    const dl = 'https://id.gs1.org/01/80614141123458/21/6789';
    const seven = digitalLinkToEpcUri(dl, 7);
    const eight = digitalLinkToEpcUri(dl, 8);
    expect(eight).toBe('urn:epc:id:sgtin:06141411.82345.6789');
    expect(seven).not.toBe(eight);
    expect(epcUriToDigitalLink(eight)).toBe(dl);
  });

  it('maps an SGTIN link with lot and CPV to the SGTIN (extra qualifiers dropped)', () => {
    const id = digitalLinkToIdentifier('https://id.gs1.org/01/09506000134352/22/V/10/ABC123/21/XYZ9', 7);
    expect(id).toEqual({ scheme: 'sgtin', gtin: '09506000134352', serial: 'XYZ9', companyPrefixLength: 7 });
    expect(identifierToDigitalLink(id)).toBe('https://id.gs1.org/01/09506000134352/21/XYZ9');
  });

  it('treats GLN extension 0 as no extension in both directions', () => {
    expect(digitalLinkToEpcUri('https://id.gs1.org/414/0614141007776/254/0', 7)).toBe(
      'urn:epc:id:sgln:0614141.00777.0',
    );
    expect(formatEpcUri(parseEpcUri('urn:epc:id:sgln:0614141.00777.0'))).toBe(
      'urn:epc:id:sgln:0614141.00777.0',
    );
  });

  it('refuses a bare GTIN, a missing or bad prefix length, and bad links', () => {
    expect(errorCodeOf(() => digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352', 7))).toBe(
      'gs1.badSyntax',
    );
    expect(errorCodeOf(() => digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352/21/1', 5))).toBe(
      'gs1.badLength',
    );
    expect(errorCodeOf(() => digitalLinkToEpcUri('https://id.gs1.org/01/09506000134352/21/1', 7.5))).toBe(
      'gs1.badLength',
    );
    expect(errorCodeOf(() => digitalLinkToEpcUri('https://id.gs1.org/01/09506000134353/21/1', 7))).toBe(
      'gs1.badCheckDigit',
    );
    expect(errorCodeOf(() => epcUriToDigitalLink('urn:epc:id:giai:4000001.111'))).toBe('gs1.badSyntax');
  });
});
