import {
  canonicalDigitalLink,
  epcUriScheme,
  type Gs1Identifier,
  InputError,
  identifierToDigitalLink,
  parseEpcUri,
} from '@suyuan/shared';

/**
 * One identity, one key: items (SGTIN), lots (LGTIN) and logistic units (SSCC) are keyed in the ledger
 * by their canonical GS1 Digital Link under the default resolver base. A Digital Link needs no company
 * prefix length, so the EPC URI and the Digital Link of one item give the same key.
 */
export type TraceableKind = 'sgtin' | 'lgtin' | 'sscc';

export interface TraceableId {
  key: string;
  kind: TraceableKind;
}

function fromIdentifier(id: Gs1Identifier, text: string): TraceableId {
  if (id.scheme !== 'sgtin' && id.scheme !== 'lgtin' && id.scheme !== 'sscc') {
    throw new InputError('trace.badIdentity', `${text} is a ${id.scheme}, not an item, lot or logistic unit`);
  }
  return { key: identifierToDigitalLink(id), kind: id.scheme };
}

/** Parses an EPC URI or a GS1 Digital Link naming an item, lot or logistic unit. */
export function traceableId(text: string): TraceableId {
  if (epcUriScheme(text) !== undefined) return fromIdentifier(parseEpcUri(text), text);
  if (/^https?:\/\//i.test(text)) {
    const key = canonicalDigitalLink(text);
    const path = new URL(key).pathname;
    if (/^\/01\/\d{14}\/21\//.test(path)) return { key, kind: 'sgtin' };
    if (/^\/01\/\d{14}\/10\//.test(path)) return { key, kind: 'lgtin' };
    if (/^\/00\/\d{18}$/.test(path)) return { key, kind: 'sscc' };
    throw new InputError('trace.badIdentity', `${text} does not name an item, lot or logistic unit`);
  }
  throw new InputError('trace.badIdentity', `${text} is neither an EPC URI nor a GS1 Digital Link`);
}
