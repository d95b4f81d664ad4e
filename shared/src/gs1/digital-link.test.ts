import { describe, expect, it } from 'vitest';
import {
  canonicalDigitalLink,
  checkResolverBase,
  digitalLinkCharsMax,
  formatDigitalLink,
  parseDigitalLink,
} from './digital-link.ts';
import { errorCodeOf } from './testing.ts';

describe('GS1 Digital Link parsing', () => {
  it('parses every primary key and the qualifiers in their fixed order', () => {
    expect(parseDigitalLink('https://id.gs1.org/01/09506000134352/22/V1/10/ABC123/21/XYZ9')).toEqual({
      base: 'https://id.gs1.org',
      primary: { ai: '01', value: '09506000134352' },
      qualifiers: { '22': 'V1', '10': 'ABC123', '21': 'XYZ9' },
      query: {},
    });
    expect(parseDigitalLink('https://example.com/00/106141412345678908').primary).toEqual({
      ai: '00',
      value: '106141412345678908',
    });
    const sgln = parseDigitalLink('http://example.com/414/0614141073467/254/1234');
    expect([sgln.primary, sgln.qualifiers]).toEqual([
      { ai: '414', value: '0614141073467' },
      { '254': '1234' },
    ]);
    expect(parseDigitalLink('https://x.example/417/9520001111112').primary).toEqual({
      ai: '417',
      value: '9520001111112',
    });
  });

  it('accepts any host, a path prefix, short GTINs, a query string and a fragment', () => {
    const link = parseDigitalLink(
      'HTTPS://Resolver.Farm.example:8443/trace/v1/01/96385074/21/S%2F1?17=260101&3103=000500&linkType=gs1%3Apip#top',
    );
    expect(link).toEqual({
      base: 'https://Resolver.Farm.example:8443/trace/v1',
      primary: { ai: '01', value: '00000096385074' },
      qualifiers: { '21': 'S/1' },
      query: { '17': '260101', '3103': '000500', linkType: 'gs1:pip' },
    });
  });

  it('decodes percent-encoded serials and lots and checks them against character set 82', () => {
    expect(parseDigitalLink("https://id.gs1.org/01/09506000134352/21/a!'()*+,-.:;=_").qualifiers['21']).toBe(
      "a!'()*+,-.:;=_",
    );
    expect(parseDigitalLink('https://id.gs1.org/01/09506000134352/10/%3C%25%3E').qualifiers['10']).toBe(
      '<%>',
    );
  });

  it('rejects wrong order, check digits, characters, lengths and syntax with typed errors', () => {
    const gtin = 'https://id.gs1.org/01/09506000134352';
    const cases: [string, string][] = [
      ['https://id.gs1.org/21/XYZ9/01/09506000134352', 'gs1.badOrder'],
      [`${gtin}/21/XYZ9/10/ABC`, 'gs1.badOrder'],
      [`${gtin}/10/ABC/22/V1`, 'gs1.badOrder'],
      [`${gtin}/21/A/21/B`, 'gs1.badOrder'],
      ['https://id.gs1.org/01/09506000134353/21/XYZ9', 'gs1.badCheckDigit'],
      ['https://id.gs1.org/414/0614141073468', 'gs1.badCheckDigit'],
      ['https://id.gs1.org/00/106141412345678907', 'gs1.badCheckDigit'],
      [`${gtin}/21/caf%C3%A9`, 'gs1.badCharacter'],
      [`${gtin}/21/a%20b`, 'gs1.badCharacter'],
      ['https://id.gs1.org/01/0950600013435X', 'gs1.badCharacter'],
      [`${gtin}/21/${'1'.repeat(21)}`, 'gs1.badLength'],
      ['https://id.gs1.org/01/950600013435', 'gs1.badCheckDigit'],
      ['https://id.gs1.org/01/9506000134', 'gs1.badLength'],
      [`https://id.gs1.org/01/09506000134352/21/${'1'.repeat(digitalLinkCharsMax)}`, 'gs1.badLength'],
      [`${gtin}/21/%E0%A4%A`, 'gs1.badSyntax'],
      [`${gtin}/21`, 'gs1.badSyntax'],
      [`${gtin}/21/`, 'gs1.badSyntax'],
      [`${gtin}/254/1`, 'gs1.badSyntax'],
      [`${gtin}/01/09506000134352`, 'gs1.badSyntax'],
      ['https://id.gs1.org/00/106141412345678908/21/1', 'gs1.badSyntax'],
      ['https://id.gs1.org/8004/123', 'gs1.badSyntax'],
      ['ftp://id.gs1.org/01/09506000134352', 'gs1.badSyntax'],
      ['urn:epc:id:sgtin:0614141.812345.6789', 'gs1.badSyntax'],
      ['https:///01/09506000134352', 'gs1.badSyntax'],
      ['', 'gs1.badSyntax'],
    ];
    for (const [uri, code] of cases)
      expect([uri, errorCodeOf(() => parseDigitalLink(uri))]).toEqual([uri, code]);
  });

  it('names the offending qualifier and the required order in the message', () => {
    expect(() => parseDigitalLink('https://id.gs1.org/01/09506000134352/21/X/10/Y')).toThrow(
      /order 22, 10, 21.*batch\/lot \(AI 10\) is out of order/,
    );
  });
});

describe('GS1 Digital Link building', () => {
  it('builds the canonical uncompressed form under a configurable resolver base', () => {
    expect(formatDigitalLink({ ai: '01', value: '96385074' }, { '21': 'S/1', '10': 'L1' })).toBe(
      'https://id.gs1.org/01/00000096385074/10/L1/21/S%2F1',
    );
    expect(
      formatDigitalLink(
        { ai: '414', value: '0614141073467' },
        { '254': '7' },
        { resolverBase: 'https://t.example/r/' },
      ),
    ).toBe('https://t.example/r/414/0614141073467/254/7');
  });

  it('canonicalises any valid link: 14-digit GTIN, fixed order, new base, query dropped', () => {
    expect(
      canonicalDigitalLink('http://shop.example/p/01/4006381333931/21/%41B?17=260101', {
        resolverBase: 'https://trace.suyuan.example',
      }),
    ).toBe('https://trace.suyuan.example/01/04006381333931/21/AB');
  });

  it('round-trips awkward serials through build and parse', () => {
    for (const serial of ['"%&/<>?', "!'()*+,-.:;=_", 'Aa0', '12345678901234567890']) {
      const uri = formatDigitalLink({ ai: '01', value: '09506000134352' }, { '21': serial });
      expect(parseDigitalLink(uri).qualifiers['21']).toBe(serial);
    }
  });

  it('rejects bad qualifiers, values and resolver bases', () => {
    expect(errorCodeOf(() => formatDigitalLink({ ai: '01', value: '09506000134352' }, { '254': '1' }))).toBe(
      'gs1.badSyntax',
    );
    expect(errorCodeOf(() => formatDigitalLink({ ai: '01', value: '09506000134352' }, { '21': '' }))).toBe(
      'gs1.badLength',
    );
    expect(errorCodeOf(() => formatDigitalLink({ ai: '417', value: '9520001111113' }))).toBe(
      'gs1.badCheckDigit',
    );
    expect(errorCodeOf(() => checkResolverBase('id.gs1.org'))).toBe('config.invalid');
    expect(errorCodeOf(() => checkResolverBase('https://id.gs1.org/?x=1'))).toBe('config.invalid');
    expect(checkResolverBase('https://id.gs1.org///')).toBe('https://id.gs1.org');
  });
});
