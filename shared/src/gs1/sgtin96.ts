import epcTds from 'epc-tds';
import { assert, InputError } from '../errors.ts';
import { checkCompanyPrefixLength } from './company-prefix.ts';
import { identifierToDigitalLink } from './convert.ts';
import type { DigitalLinkOptions } from './digital-link.ts';
import { parseEpcUri } from './epc-uri.ts';
import { normaliseGtin } from './gtin.ts';

/**
 * SGTIN-96 RFID tag encodings (header 0x30), by way of epc-tds. We check everything epc-tds would
 * misread or throw on before handing it over, so a tag we cannot interpret (another header, a factory
 * code such as E2…, an invalid partition or an out-of-range field) comes back as `raw`, never a crash.
 */

const SGTIN96_HEADER = 0x30;
const HEX96 = /^[0-9A-Fa-f]{24}$/;
/** SGTIN-96 holds the serial in 38 bits, as a decimal number without leading zeros. */
export const sgtin96SerialMax = 2n ** 38n - 1n;
export const sgtin96FilterMax = 7;

export interface Sgtin96Tag {
  kind: 'sgtin96';
  hex: string;
  filter: number;
  partition: number;
  companyPrefix: string;
  /** Indicator digit followed by the item reference, as in the EPC URI. */
  itemRef: string;
  serial: string;
  gtin: string;
  companyPrefixLength: number;
  idUri: string;
  tagUri: string;
  digitalLink: string;
}

/** An EPC that is not a valid SGTIN-96: kept verbatim (upper-case hex) so nothing read is lost. */
export interface RawTag {
  kind: 'raw';
  hex: string;
}

type Sgtin96Epc = InstanceType<typeof epcTds.Sgtin96>;

function fieldsInRange(epc: Sgtin96Epc): boolean {
  const partition = epcTds.Sgtin96.PARTITIONS[epc.getPartition()];
  if (partition === undefined) return false; // partition 7 is unassigned
  return epc.getCompanyPrefix() <= partition.a.maxValue && epc.getItemReference() <= partition.b.maxValue;
}

/** Decode a 96-bit EPC given as 24 hex characters. */
export function decodeSgtin96(hex: string, options: DigitalLinkOptions = {}): Sgtin96Tag | RawTag {
  if (!HEX96.test(hex)) {
    throw new InputError('epc.badHex', `EPC must be 24 hex characters (96 bits), got ${JSON.stringify(hex)}`);
  }
  const upper = hex.toUpperCase();
  if (Number.parseInt(upper.slice(0, 2), 16) !== SGTIN96_HEADER) return { kind: 'raw', hex: upper };
  const epc = new epcTds.Sgtin96(upper);
  if (!fieldsInRange(epc)) return { kind: 'raw', hex: upper };
  const idUri = epc.toIdURI();
  const id = parseEpcUri(idUri);
  assert(id.scheme === 'sgtin', 'an SGTIN-96 decodes to an SGTIN EPC URI');
  const [companyPrefix = '', itemRef = ''] = idUri.slice('urn:epc:id:sgtin:'.length).split('.');
  return {
    kind: 'sgtin96',
    hex: upper,
    filter: epc.getFilter(),
    partition: epc.getPartition(),
    companyPrefix,
    itemRef,
    serial: id.serial,
    gtin: id.gtin,
    companyPrefixLength: id.companyPrefixLength,
    idUri,
    tagUri: epc.toTagURI(),
    digitalLink: identifierToDigitalLink(id, options),
  };
}

export interface Sgtin96Input {
  gtin: string;
  /** Decimal, no leading zeros, below 2^38 (SGTIN-198 would carry alphanumeric serials). */
  serial: string;
  companyPrefixLength: number;
  /** 0..7; 1 = point-of-sale trade item, 2 = full case, 6 = unit load. */
  filter: number;
}

function checkSerial(serial: string): bigint {
  if (!/^[0-9]+$/.test(serial)) {
    throw new InputError(
      'gs1.badCharacter',
      `SGTIN-96 serial must be decimal digits, got ${JSON.stringify(serial)}`,
    );
  }
  if (serial.length > 1 && serial.startsWith('0')) {
    throw new InputError(
      'gs1.badSyntax',
      `SGTIN-96 serial ${serial} has leading zeros, which 96 bits cannot keep`,
    );
  }
  const value = BigInt(serial);
  if (value > sgtin96SerialMax) {
    throw new InputError(
      'epc.outOfRange',
      `SGTIN-96 serial ${serial} exceeds ${sgtin96SerialMax} (38 bits)`,
      {
        serial,
      },
    );
  }
  return value;
}

/** Encode an SGTIN as 24 upper-case hex characters of SGTIN-96. */
export function encodeSgtin96(input: Sgtin96Input): string {
  const gtin = normaliseGtin(input.gtin);
  const cpl = checkCompanyPrefixLength(input.companyPrefixLength);
  const serial = checkSerial(input.serial);
  if (!Number.isInteger(input.filter) || input.filter < 0 || input.filter > sgtin96FilterMax) {
    throw new InputError(
      'epc.outOfRange',
      `filter must be an integer from 0 to ${sgtin96FilterMax}, got ${input.filter}`,
    );
  }
  const epc = new epcTds.Sgtin96()
    .setFilter(input.filter)
    .setPartition(12 - cpl)
    .setGtin(gtin)
    .setSerial(Number(serial));
  const hex = epc.toHexString().toUpperCase();
  const back = decodeSgtin96(hex);
  assert(
    back.kind === 'sgtin96' && back.gtin === gtin && back.serial === input.serial,
    'SGTIN-96 round trip',
  );
  return hex;
}
