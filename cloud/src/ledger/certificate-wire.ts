import { type StateCertificateWire, toBase64Url } from '@suyuan/shared';
import type { StateCertificate } from '../consensus/types.ts';

/*
 * The wire form of a state certificate, in its own file so that what checks certificates without a
 * ledger (the grouped-PBFT simulator) does not load SQLite to get it.
 */

/** Flat, or with `groups` (gpbft, signers by global id) the tagged grouped form (shared/wire/block.ts). */
export function certificateToWire(
  c: StateCertificate,
  groups?: readonly (readonly number[])[],
): StateCertificateWire {
  if (groups !== undefined) {
    return {
      kind: 'grouped',
      seq: c.seq,
      stateDigest: toBase64Url(c.stateDigest),
      groups: groups.map((members) => [...members]),
      signatures: c.signatures.map((s) => ({
        group: groups.findIndex((members) => members.includes(s.replica)),
        replica: s.replica,
        signature: toBase64Url(s.signature),
      })),
    };
  }
  return {
    seq: c.seq,
    stateDigest: toBase64Url(c.stateDigest),
    signatures: c.signatures.map((s) => ({ replica: s.replica, signature: toBase64Url(s.signature) })),
  };
}
