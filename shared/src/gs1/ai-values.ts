import { InputError } from '../errors.ts';

/**
 * Alphanumeric GS1 Application Identifier values (serial AI 21, lot AI 10, CPV AI 22, GLN extension AI 254)
 * and their two text encodings: the EPC URI escape rules of the Tag Data Standard and the percent-encoding
 * of GS1 Digital Link. Both encode the same underlying value drawn from GS1 "character set 82".
 */

/** AI 21, 10, 22 and 254 all allow at most 20 characters (GS1 General Specifications). */
export const aiValueCharsMax = 20;

/** GS1 AI encodable character set 82: digits, letters and 20 symbols. */
const CHARSET_82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

/** Characters the Tag Data Standard requires to be %-escaped inside an EPC URI component. */
const EPC_URI_ESCAPED = /["%&/<>?]/g;

/** What may appear unescaped in an EPC URI component: character set 82 minus the escaped seven. */
const EPC_URI_RAW_OR_ESCAPE = /^(?:[!'()*+,\-.0-9:;=A-Z_a-z]|%[0-9A-Fa-f]{2})*$/;

/** Check an already-decoded alphanumeric AI value: 1..20 characters of set 82. */
export function checkAiValue(value: string, what: string): string {
  if (value.length === 0 || value.length > aiValueCharsMax) {
    throw new InputError(
      'gs1.badLength',
      `${what} must be 1 to ${aiValueCharsMax} characters, got ${value.length}`,
      { what, length: value.length },
    );
  }
  if (!CHARSET_82.test(value)) {
    const bad = [...value].find((c) => !CHARSET_82.test(c)) ?? '';
    throw new InputError(
      'gs1.badCharacter',
      `${what} contains ${JSON.stringify(bad)}, which is not in the GS1 AI encodable character set 82`,
      { what, character: bad },
    );
  }
  return value;
}

/** Check a purely numeric component (company prefix, item reference...). */
export function checkDigitsOnly(value: string, what: string): string {
  if (!/^[0-9]*$/.test(value)) {
    throw new InputError('gs1.badCharacter', `${what} must be digits only, got ${JSON.stringify(value)}`, {
      what,
    });
  }
  return value;
}

/** Encode a value for an EPC URI component (TDS: escape `" % & / < > ?` only). */
export function encodeEpcUriComponent(value: string): string {
  return value.replace(EPC_URI_ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decode and check an alphanumeric EPC URI component (serial, lot, GLN extension). */
export function decodeEpcUriComponent(text: string, what: string): string {
  if (!EPC_URI_RAW_OR_ESCAPE.test(text)) {
    const bad = text.match(/%(?![0-9A-Fa-f]{2})/)
      ? 'a % not followed by two hex digits'
      : 'a character that must be %-escaped or is outside character set 82';
    throw new InputError('gs1.badCharacter', `${what} ${JSON.stringify(text)} contains ${bad}`, { what });
  }
  const decoded = text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  return checkAiValue(decoded, what);
}

/**
 * Encode a value for a Digital Link path segment. Everything but letters, digits and `-._` is
 * percent-encoded, which is what the GS1 Digital Link standard asks of set-82 symbols.
 */
export function encodeDigitalLinkValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Percent-decode one URI component; malformed escapes are a syntax error, not a crash. */
export function percentDecode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InputError('gs1.badSyntax', `${what} ${JSON.stringify(text)} has a malformed %-escape`, {
      what,
    });
  }
}
