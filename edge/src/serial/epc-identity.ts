import { AssertionError, decodeSgtin96, type RawTag, type Sgtin96Tag } from '@suyuan/shared';

/**
 * What an EPC read off a tag names: an SGTIN-96 decoded by the shared GS1 module, or the raw hex for
 * anything else (factory codes such as E2…, other lengths, other schemes). A tag never breaks a read.
 */
export type EpcIdentity = Sgtin96Tag | RawTag;

export function identifyEpc(epcHex: string): EpcIdentity {
  if (epcHex.length !== 24) return { kind: 'raw', hex: epcHex };
  try {
    return decodeSgtin96(epcHex);
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    return { kind: 'raw', hex: epcHex };
  }
}
