import { InputError } from '../errors.ts';
import { checkAiValue, encodeDigitalLinkValue, percentDecode } from './ai-values.ts';
import { checkGln, checkSscc, normaliseGtin } from './gtin.ts';

/**
 * GS1 Digital Link URIs, uncompressed form: `https://<any host>[/<path prefix>]/<primary AI>/<key>`
 * followed by key qualifiers in their fixed order, then an optional query string of other attributes.
 *   /01/<gtin>[/22/<cpv>][/10/<lot>][/21/<serial>]   /00/<sscc>   /414/<gln>[/254/<ext>]   /417/<gln>
 */

/** A QR code holds at most ~4000 characters; anything this long is not a label we printed. */
export const digitalLinkCharsMax = 2048;

/** The GS1 global resolver; the default base of the Digital Links we build. */
export const defaultResolverBase = 'https://id.gs1.org';

export type PrimaryAi = '01' | '00' | '414' | '417';
export type QualifierAi = '22' | '10' | '21' | '254';

interface PrimaryKeyRule {
  name: string;
  /** Allowed qualifiers in the one order the standard permits. */
  qualifiers: readonly QualifierAi[];
  /** Validate (and normalise) the key value. */
  check: (value: string) => string;
}

const PRIMARY_KEYS: Readonly<Record<PrimaryAi, PrimaryKeyRule>> = {
  '01': { name: 'GTIN', qualifiers: ['22', '10', '21'], check: normaliseGtin },
  '00': { name: 'SSCC', qualifiers: [], check: checkSscc },
  '414': { name: 'GLN', qualifiers: ['254'], check: checkGln },
  '417': { name: 'party GLN', qualifiers: [], check: checkGln },
};

const QUALIFIER_NAMES: Readonly<Record<QualifierAi, string>> = {
  '22': 'consumer product variant (AI 22)',
  '10': 'batch/lot (AI 10)',
  '21': 'serial (AI 21)',
  '254': 'GLN extension (AI 254)',
};

export interface DigitalLink {
  /** Scheme, host and any path prefix before the primary key, without a trailing slash. */
  base: string;
  primary: { ai: PrimaryAi; value: string };
  /** Decoded qualifier values; GTINs are GTIN-14. */
  qualifiers: Partial<Record<QualifierAi, string>>;
  /** Decoded query parameters (other AIs such as 17 or 3103, or `linkType`); first occurrence wins. */
  query: Record<string, string>;
}

function isPrimaryAi(s: string): s is PrimaryAi {
  return Object.hasOwn(PRIMARY_KEYS, s);
}

function isQualifierAi(s: string): s is QualifierAi {
  return Object.hasOwn(QUALIFIER_NAMES, s);
}

const URI_PARTS = /^(https?):\/\/([^/?#\s]+)((?:\/[^?#\s]*)?)(?:\?([^#\s]*))?(?:#\S*)?$/i;

function parseQuery(text: string | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  if (!text) return query;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq), 'query parameter name');
    const value = eq < 0 ? '' : percentDecode(pair.slice(eq + 1), `query parameter ${key}`);
    if (!Object.hasOwn(query, key)) query[key] = value;
  }
  return query;
}

function parseQualifiers(primary: PrimaryAi, pairs: readonly string[]): DigitalLink['qualifiers'] {
  const rule = PRIMARY_KEYS[primary];
  const qualifiers: DigitalLink['qualifiers'] = {};
  let lastRank = -1;
  for (let i = 0; i < pairs.length; i += 2) {
    const ai = pairs[i] ?? '';
    const rank = isQualifierAi(ai) ? rule.qualifiers.indexOf(ai) : -1;
    if (!isQualifierAi(ai) || rank < 0) {
      const allowed = rule.qualifiers.length ? rule.qualifiers.join(', ') : 'none';
      throw new InputError(
        'gs1.badSyntax',
        `AI ${ai} cannot qualify ${rule.name} (AI ${primary}) in a Digital Link path; allowed: ${allowed}`,
        { ai, primary },
      );
    }
    if (rank <= lastRank) {
      throw new InputError(
        'gs1.badOrder',
        `qualifiers of AI ${primary} must follow it in the order ${rule.qualifiers.join(', ')}, at most once each; ${QUALIFIER_NAMES[ai]} is out of order`,
        { ai, primary },
      );
    }
    lastRank = rank;
    const value = percentDecode(pairs[i + 1] ?? '', QUALIFIER_NAMES[ai]);
    qualifiers[ai] = checkAiValue(value, QUALIFIER_NAMES[ai]);
  }
  return qualifiers;
}

/** Parse and validate a GS1 Digital Link URI (uncompressed). Any host and path prefix are accepted. */
export function parseDigitalLink(uri: string): DigitalLink {
  if (uri.length > digitalLinkCharsMax) {
    throw new InputError('gs1.badLength', `Digital Link is longer than ${digitalLinkCharsMax} characters`);
  }
  const m = URI_PARTS.exec(uri);
  if (!m) throw new InputError('gs1.badSyntax', `${JSON.stringify(uri)} is not an http(s) URI`);
  const [, scheme = '', host = '', path = '', queryText] = m;
  const segments = path === '' ? [] : path.slice(1).split('/');
  const at = segments.findIndex(isPrimaryAi);
  if (at < 0) {
    throw new InputError('gs1.badSyntax', `no GS1 primary key (AI 01, 00, 414 or 417) in the path of ${uri}`);
  }
  const prefix = segments.slice(0, at);
  const early = prefix.find(isQualifierAi);
  if (early !== undefined) {
    throw new InputError(
      'gs1.badOrder',
      `${QUALIFIER_NAMES[early]} appears before the primary key AI ${segments[at]}; qualifiers must follow it`,
      { ai: early },
    );
  }
  if (prefix.some((s) => s === '')) throw new InputError('gs1.badSyntax', `empty path segment in ${uri}`);
  const ai = segments[at] as PrimaryAi;
  const rest = segments.slice(at + 1);
  if (rest.length % 2 === 0 || rest.some((s) => s === '')) {
    throw new InputError('gs1.badSyntax', `every AI in the path of ${uri} needs one non-empty value`);
  }
  const value = PRIMARY_KEYS[ai].check(percentDecode(rest[0] ?? '', PRIMARY_KEYS[ai].name));
  return {
    base: [`${scheme.toLowerCase()}://${host}`, ...prefix].join('/'),
    primary: { ai, value },
    qualifiers: parseQualifiers(ai, rest.slice(1)),
    query: parseQuery(queryText),
  };
}

/** Check a resolver base URL: http(s), a host, an optional path prefix; returns it without trailing '/'. */
export function checkResolverBase(base: string): string {
  const m = URI_PARTS.exec(base);
  if (!m || m[4] !== undefined || base.includes('#')) {
    throw new InputError(
      'config.invalid',
      `resolver base ${JSON.stringify(base)} must be http(s)://host[/path]`,
    );
  }
  return base.replace(/\/+$/, '');
}

export interface DigitalLinkOptions {
  /** Scheme + host (+ path prefix) of the resolver; default https://id.gs1.org. */
  resolverBase?: string;
}

/**
 * Build the canonical uncompressed Digital Link: primary key (GTIN as 14 digits), qualifiers in their
 * fixed order, values percent-encoded, no query string.
 */
export function formatDigitalLink(
  primary: DigitalLink['primary'],
  qualifiers: DigitalLink['qualifiers'] = {},
  options: DigitalLinkOptions = {},
): string {
  const base = checkResolverBase(options.resolverBase ?? defaultResolverBase);
  const rule = PRIMARY_KEYS[primary.ai];
  let out = `${base}/${primary.ai}/${rule.check(primary.value)}`;
  for (const ai of Object.keys(qualifiers)) {
    if (!isQualifierAi(ai) || !rule.qualifiers.includes(ai)) {
      throw new InputError('gs1.badSyntax', `AI ${ai} cannot qualify ${rule.name} (AI ${primary.ai})`);
    }
  }
  for (const ai of rule.qualifiers) {
    const value = qualifiers[ai];
    if (value !== undefined)
      out += `/${ai}/${encodeDigitalLinkValue(checkAiValue(value, QUALIFIER_NAMES[ai]))}`;
  }
  return out;
}

/** Re-issue any valid Digital Link in canonical form under `resolverBase` (query and prefix dropped). */
export function canonicalDigitalLink(uri: string, options: DigitalLinkOptions = {}): string {
  const link = parseDigitalLink(uri);
  return formatDigitalLink(link.primary, link.qualifiers, options);
}
