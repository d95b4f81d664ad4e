import epcTds from 'epc-tds';
import { assert, InputError } from '../errors.ts';

/**
 * GS1 keys with a mod-10 check digit: GTIN (8/12/13/14 digits, always normalised to GTIN-14 here),
 * GLN (13) and SSCC (18). The check-digit arithmetic is epc-tds's; this module adds the input checks
 * and clear errors.
 */

const GTIN_LENGTHS: readonly number[] = [8, 12, 13, 14];

/** The GS1 mod-10 check digit of `body` (the key without its last digit). */
export function gs1CheckDigit(body: string): number {
  assert(/^[0-9]+$/.test(body), 'gs1CheckDigit takes digits only');
  return epcTds.Utils.computeCheckDigit(body);
}

/** Append the check digit to a key body: e.g. 13 GTIN digits become a GTIN-14. */
export function withCheckDigit(body: string): string {
  return body + String(gs1CheckDigit(body));
}

function checkKeyDigits(value: string, what: string, lengths: readonly number[]): string {
  if (!/^[0-9]*$/.test(value)) {
    throw new InputError('gs1.badCharacter', `${what} must be digits only, got ${JSON.stringify(value)}`, {
      what,
    });
  }
  if (!lengths.includes(value.length)) {
    throw new InputError(
      'gs1.badLength',
      `${what} must have ${lengths.join(' or ')} digits, got ${value.length}`,
      { what, length: value.length },
    );
  }
  const expected = gs1CheckDigit(value.slice(0, -1));
  const actual = Number(value.at(-1));
  if (expected !== actual) {
    throw new InputError(
      'gs1.badCheckDigit',
      `${what} ${value} has check digit ${actual}, expected ${expected}`,
      { what, expected, actual },
    );
  }
  return value;
}

/** Validate a GTIN-8, -12, -13 or -14 and return it as GTIN-14 (left-padded with zeros). */
export function normaliseGtin(gtin: string): string {
  return checkKeyDigits(gtin, 'GTIN', GTIN_LENGTHS).padStart(14, '0');
}

/** Validate a 13-digit GLN (location or party). */
export function checkGln(gln: string): string {
  return checkKeyDigits(gln, 'GLN', [13]);
}

/** Validate an 18-digit SSCC. */
export function checkSscc(sscc: string): string {
  return checkKeyDigits(sscc, 'SSCC', [18]);
}

/** True when `code` is all digits and its last digit is the right GS1 check digit. */
export function hasValidCheckDigit(code: string): boolean {
  if (!/^[0-9]{2,}$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === Number(code.at(-1));
}
