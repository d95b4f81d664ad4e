import { InputError } from '../errors.ts';
import { checkAiValue, checkDigitsOnly, decodeEpcUriComponent, encodeEpcUriComponent } from './ai-values.ts';
import { checkCompanyPrefixLength } from './company-prefix.ts';
import { checkGln, checkSscc, normaliseGtin, withCheckDigit } from './gtin.ts';
import type { Gs1Identifier, Lgtin, Pgln, Sgln, Sgtin, Sscc } from './identifiers.ts';

/**
 * EPC pure-identity URIs (GS1 Tag Data Standard):
 *   urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial
 *   urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot
 *   urn:epc:id:sscc:CompanyPrefix.ExtensionSerialRef
 *   urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension   (extension "0" = none)
 *   urn:epc:id:pgln:CompanyPrefix.PartyRef
 * The split between company prefix and the rest is what makes the URI carry the prefix length.
 */

/** Longest EPC URI we parse: the longest valid one (SGLN with a fully escaped extension) is ~100. */
export const epcUriCharsMax = 256;

const SCHEMES = {
  'urn:epc:id:sgtin:': 'sgtin',
  'urn:epc:class:lgtin:': 'lgtin',
  'urn:epc:id:sscc:': 'sscc',
  'urn:epc:id:sgln:': 'sgln',
  'urn:epc:id:pgln:': 'pgln',
} as const;

type SchemePrefix = keyof typeof SCHEMES;

function matchScheme(uri: string): { scheme: Gs1Identifier['scheme']; body: string } | undefined {
  // URN prefixes compare case-insensitively (RFC 8141); the rest of the URI is case-sensitive.
  const lower = uri.slice(0, 24).toLowerCase();
  for (const prefix of Object.keys(SCHEMES) as SchemePrefix[]) {
    if (lower.startsWith(prefix)) return { scheme: SCHEMES[prefix], body: uri.slice(prefix.length) };
  }
  return undefined;
}

/** The GS1 scheme this URI claims to be, or undefined when it is not one we model. */
export function epcUriScheme(uri: string): Gs1Identifier['scheme'] | undefined {
  return matchScheme(uri)?.scheme;
}

/** Split "a.b.c" into exactly `count` parts; the last part keeps any further dots (serials may hold them). */
function splitParts(body: string, count: number, uri: string): string[] {
  const parts: string[] = [];
  let rest = body;
  for (let i = 0; i < count - 1; i++) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    parts.push(rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
  parts.push(rest);
  if (parts.length !== count) {
    throw new InputError('gs1.badSyntax', `EPC URI ${uri} must have ${count} dot-separated parts`, { uri });
  }
  return parts;
}

/** Company prefix + reference: digits, prefix 6..12 long, together exactly `total` digits. */
function splitNumeric(prefix: string, reference: string, total: number, what: string): void {
  checkDigitsOnly(prefix, `${what} company prefix`);
  checkDigitsOnly(reference, `${what} reference`);
  checkCompanyPrefixLength(prefix.length);
  if (prefix.length + reference.length !== total) {
    throw new InputError(
      'gs1.badLength',
      `${what} company prefix and reference must total ${total} digits, got ${prefix.length + reference.length}`,
      { what },
    );
  }
}

function parseGtinParts(cp: string, itemRef: string, what: string): string {
  splitNumeric(cp, itemRef, 13, what);
  return withCheckDigit(itemRef.slice(0, 1) + cp + itemRef.slice(1));
}

/** Parse an EPC pure-identity URI of one of the five schemes above. */
export function parseEpcUri(uri: string): Gs1Identifier {
  if (uri.length > epcUriCharsMax) {
    throw new InputError('gs1.badLength', `EPC URI is longer than ${epcUriCharsMax} characters`);
  }
  const matched = matchScheme(uri);
  if (matched === undefined) {
    throw new InputError(
      'gs1.badSyntax',
      `${JSON.stringify(uri)} is not an SGTIN, LGTIN, SSCC, SGLN or PGLN EPC URI`,
    );
  }
  const { scheme, body } = matched;
  switch (scheme) {
    case 'sgtin': {
      const [cp = '', ref = '', serial = ''] = splitParts(body, 3, uri);
      const gtin = parseGtinParts(cp, ref, 'SGTIN');
      return {
        scheme,
        gtin,
        serial: decodeEpcUriComponent(serial, 'SGTIN serial'),
        companyPrefixLength: cp.length,
      };
    }
    case 'lgtin': {
      const [cp = '', ref = '', lot = ''] = splitParts(body, 3, uri);
      const gtin = parseGtinParts(cp, ref, 'LGTIN');
      return { scheme, gtin, lot: decodeEpcUriComponent(lot, 'LGTIN lot'), companyPrefixLength: cp.length };
    }
    case 'sscc': {
      const [cp = '', ref = ''] = splitParts(body, 2, uri);
      splitNumeric(cp, ref, 17, 'SSCC');
      const sscc = withCheckDigit(ref.slice(0, 1) + cp + ref.slice(1));
      return { scheme, sscc, companyPrefixLength: cp.length };
    }
    case 'sgln': {
      const [cp = '', ref = '', ext = ''] = splitParts(body, 3, uri);
      splitNumeric(cp, ref, 12, 'SGLN');
      const extension = decodeEpcUriComponent(ext, 'SGLN extension');
      const gln = withCheckDigit(cp + ref);
      const base: Sgln = { scheme, gln, companyPrefixLength: cp.length };
      return extension === '0' ? base : { ...base, extension };
    }
    case 'pgln': {
      const [cp = '', ref = ''] = splitParts(body, 2, uri);
      splitNumeric(cp, ref, 12, 'PGLN');
      return { scheme, gln: withCheckDigit(cp + ref), companyPrefixLength: cp.length };
    }
  }
}

function gtinParts(id: Sgtin | Lgtin): string {
  const gtin = normaliseGtin(id.gtin);
  const cpl = checkCompanyPrefixLength(id.companyPrefixLength);
  return `${gtin.slice(1, 1 + cpl)}.${gtin.slice(0, 1)}${gtin.slice(1 + cpl, 13)}`;
}

function formatSscc(id: Sscc): string {
  const sscc = checkSscc(id.sscc);
  const cpl = checkCompanyPrefixLength(id.companyPrefixLength);
  return `urn:epc:id:sscc:${sscc.slice(1, 1 + cpl)}.${sscc.slice(0, 1)}${sscc.slice(1 + cpl, 17)}`;
}

function glnParts(id: Sgln | Pgln): string {
  const gln = checkGln(id.gln);
  const cpl = checkCompanyPrefixLength(id.companyPrefixLength);
  return `${gln.slice(0, cpl)}.${gln.slice(cpl, 12)}`;
}

/** Format any of the five identities as its EPC pure-identity URI (validating it on the way). */
export function formatEpcUri(id: Gs1Identifier): string {
  switch (id.scheme) {
    case 'sgtin':
      return `urn:epc:id:sgtin:${gtinParts(id)}.${encodeEpcUriComponent(checkAiValue(id.serial, 'SGTIN serial'))}`;
    case 'lgtin':
      return `urn:epc:class:lgtin:${gtinParts(id)}.${encodeEpcUriComponent(checkAiValue(id.lot, 'LGTIN lot'))}`;
    case 'sscc':
      return formatSscc(id);
    case 'sgln': {
      const ext = id.extension === undefined ? '0' : checkAiValue(id.extension, 'SGLN extension');
      return `urn:epc:id:sgln:${glnParts(id)}.${encodeEpcUriComponent(ext)}`;
    }
    case 'pgln':
      return `urn:epc:id:pgln:${glnParts(id)}`;
  }
}
