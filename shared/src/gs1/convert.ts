import { InputError } from '../errors.ts';
import { checkCompanyPrefixLength } from './company-prefix.ts';
import {
  type DigitalLink,
  type DigitalLinkOptions,
  formatDigitalLink,
  parseDigitalLink,
} from './digital-link.ts';
import { formatEpcUri, parseEpcUri } from './epc-uri.ts';
import type { Gs1Identifier } from './identifiers.ts';

/**
 * Conversions between the three spellings of one identity: EPC URI, GS1 Digital Link and the
 * element-string form (`Gs1Identifier`). Digital Link → EPC needs the company prefix length, which a
 * Digital Link does not carry; callers must pass it (see company-prefix.ts for why there is no default).
 */

/** The Digital Link of an identity. */
export function identifierToDigitalLink(id: Gs1Identifier, options: DigitalLinkOptions = {}): string {
  switch (id.scheme) {
    case 'sgtin':
      return formatDigitalLink({ ai: '01', value: id.gtin }, { '21': id.serial }, options);
    case 'lgtin':
      return formatDigitalLink({ ai: '01', value: id.gtin }, { '10': id.lot }, options);
    case 'sscc':
      return formatDigitalLink({ ai: '00', value: id.sscc }, {}, options);
    case 'sgln': {
      const qualifiers = id.extension === undefined ? {} : { '254': id.extension };
      return formatDigitalLink({ ai: '414', value: id.gln }, qualifiers, options);
    }
    case 'pgln':
      return formatDigitalLink({ ai: '417', value: id.gln }, {}, options);
  }
}

/**
 * The identity a Digital Link names. `/01/…/21/…` is an SGTIN (any lot or CPV qualifier is dropped: the
 * EPC names the instance by GTIN + serial alone); `/01/…/10/…` without a serial is an LGTIN. A bare
 * GTIN names a product class, which has no EPC id URI, and is refused.
 */
export function digitalLinkToIdentifier(
  link: DigitalLink | string,
  companyPrefixLength: number,
): Gs1Identifier {
  const dl = typeof link === 'string' ? parseDigitalLink(link) : link;
  const cpl = checkCompanyPrefixLength(companyPrefixLength);
  const { ai, value } = dl.primary;
  switch (ai) {
    case '01': {
      const serial = dl.qualifiers['21'];
      if (serial !== undefined) return { scheme: 'sgtin', gtin: value, serial, companyPrefixLength: cpl };
      const lot = dl.qualifiers['10'];
      if (lot !== undefined) return { scheme: 'lgtin', gtin: value, lot, companyPrefixLength: cpl };
      throw new InputError(
        'gs1.badSyntax',
        `Digital Link for GTIN ${value} has no serial (AI 21) or lot (AI 10): it names a product class, not an item or lot`,
        { gtin: value },
      );
    }
    case '00':
      return { scheme: 'sscc', sscc: value, companyPrefixLength: cpl };
    case '414': {
      const extension = dl.qualifiers['254'];
      return extension === undefined || extension === '0'
        ? { scheme: 'sgln', gln: value, companyPrefixLength: cpl }
        : { scheme: 'sgln', gln: value, extension, companyPrefixLength: cpl };
    }
    case '417':
      return { scheme: 'pgln', gln: value, companyPrefixLength: cpl };
  }
}

/** EPC URI → canonical Digital Link under `resolverBase`. */
export function epcUriToDigitalLink(uri: string, options: DigitalLinkOptions = {}): string {
  return identifierToDigitalLink(parseEpcUri(uri), options);
}

/** Digital Link → EPC URI, given the company prefix length the Digital Link does not carry. */
export function digitalLinkToEpcUri(uri: string, companyPrefixLength: number): string {
  return formatEpcUri(digitalLinkToIdentifier(uri, companyPrefixLength));
}
