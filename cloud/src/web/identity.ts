import { formatDigitalLink, formatEpcUri } from '@suyuan/shared';

/**
 * Identity keys as the ledger stores them in item links: canonical GS1 Digital Links under the GS1
 * resolver base. EPC URIs (what EPCIS events carry) need the company prefix length as well.
 */

export function sgtinKey(gtin: string, serial: string): string {
  return formatDigitalLink({ ai: '01', value: gtin }, { '21': serial });
}

export function lotKey(gtin: string, lot: string): string {
  return formatDigitalLink({ ai: '01', value: gtin }, { '10': lot });
}

export function ssccKey(sscc: string): string {
  return formatDigitalLink({ ai: '00', value: sscc });
}

export function sgtinEpc(gtin: string, serial: string, companyPrefixLength: number): string {
  return formatEpcUri({ scheme: 'sgtin', gtin, serial, companyPrefixLength });
}

export function lgtinEpc(gtin: string, lot: string, companyPrefixLength: number): string {
  return formatEpcUri({ scheme: 'lgtin', gtin, lot, companyPrefixLength });
}

export function ssccEpc(sscc: string, companyPrefixLength: number): string {
  return formatEpcUri({ scheme: 'sscc', sscc, companyPrefixLength });
}

export function sglnEpc(gln: string, companyPrefixLength: number, extension?: string): string {
  return extension === undefined
    ? formatEpcUri({ scheme: 'sgln', gln, companyPrefixLength })
    : formatEpcUri({ scheme: 'sgln', gln, extension, companyPrefixLength });
}

export function pglnEpc(gln: string, companyPrefixLength: number): string {
  return formatEpcUri({ scheme: 'pgln', gln, companyPrefixLength });
}

/** The path of an identity key on our own resolver: `/01/<gtin>/21/<serial>`. */
export function resolverPath(key: string): string {
  return key.replace(/^https?:\/\/[^/]+/, '');
}
