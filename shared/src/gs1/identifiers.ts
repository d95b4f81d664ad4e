/**
 * The GS1 identities Suyuan uses, in one element-string form each, plus the company prefix length that
 * the EPC URI form needs. Every text form (EPC URI, Digital Link, SGTIN-96 tag) converts to and from these.
 */

/** One trade item instance: GTIN-14 + serial (AI 01 + AI 21). */
export interface Sgtin {
  scheme: 'sgtin';
  gtin: string;
  serial: string;
  companyPrefixLength: number;
}

/** One lot of a trade item: GTIN-14 + batch/lot (AI 01 + AI 10). An EPC class, not an instance. */
export interface Lgtin {
  scheme: 'lgtin';
  gtin: string;
  lot: string;
  companyPrefixLength: number;
}

/** A logistic unit (pallet, case): 18-digit SSCC (AI 00). */
export interface Sscc {
  scheme: 'sscc';
  sscc: string;
  companyPrefixLength: number;
}

/** A place: 13-digit GLN (AI 414) with an optional extension (AI 254), e.g. one field of a farm. */
export interface Sgln {
  scheme: 'sgln';
  gln: string;
  extension?: string;
  companyPrefixLength: number;
}

/** A party (farm, cooperative, carrier): 13-digit party GLN (AI 417). */
export interface Pgln {
  scheme: 'pgln';
  gln: string;
  companyPrefixLength: number;
}

export type Gs1Identifier = Sgtin | Lgtin | Sscc | Sgln | Pgln;
