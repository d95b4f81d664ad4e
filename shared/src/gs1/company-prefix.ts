import { InputError } from '../errors.ts';

/**
 * GS1 Company Prefixes are 6 to 12 digits long, and nothing in a GTIN, GLN or SSCC says how long.
 * The EPC URI carries the split; a bare key (from a barcode or Digital Link) does not, so every
 * conversion to an EPC URI takes the length explicitly. We do not guess it: a GS1 prefix-length table
 * is out of scope, and a wrong guess yields an EPC that silently fails to match the same item.
 */

export const companyPrefixLengthMin = 6;
export const companyPrefixLengthMax = 12;

export function checkCompanyPrefixLength(length: number): number {
  if (!Number.isInteger(length) || length < companyPrefixLengthMin || length > companyPrefixLengthMax) {
    throw new InputError(
      'gs1.badLength',
      `company prefix length must be an integer from ${companyPrefixLengthMin} to ${companyPrefixLengthMax}, got ${length}`,
      { companyPrefixLength: length },
    );
  }
  return length;
}
