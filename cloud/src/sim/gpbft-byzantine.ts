import { attestationBytes, concatBytes, sha256 } from '@suyuan/shared';
import type { ConsensusCrypto, StateCertificate } from '../consensus/types.ts';
import { encodeGroupedMessage, type GroupedMessage, type GroupLayout, placementOf } from '../gpbft/index.ts';
import { misbehave } from './byzantine.ts';
import type { GpbftHost } from './gpbft-host.ts';

type Out = { to: number; bytes: Uint8Array };

/**
 * What a byzantine grouped replica sends to `target` instead of the honest `message` (twins and
 * honest hosts send it as it is). Group and top PBFT messages get byzantine.ts's rewrites at their
 * layer, signed with the replica's own key. State certificates (`certified`, from a representative
 * or from a member answering a fetch) are tampered with: `badDigest` sends certificates for another
 * digest signed by itself alone, the other behaviours pass each certificate on with one group's
 * signature only. Honest members must refuse both (the certificate checks in gpbft-certificates.ts
 * catch a member that does not). The rest passes unchanged; `silent` sends nothing.
 */
export function misbehaveGrouped(
  host: GpbftHost,
  layout: GroupLayout,
  target: number,
  message: GroupedMessage,
): Out[] {
  if (host.behavior === 'silent') return [];
  if (message.layer === 'certified') {
    const certificates = message.certificates.map((c) =>
      host.behavior === 'badDigest' ? otherDigest(host.groupCrypto, host.replica, c) : oneGroupOnly(c),
    );
    return [{ to: target, bytes: encodeGroupedMessage({ layer: 'certified', certificates }) }];
  }
  if (message.layer !== 'group' && message.layer !== 'top') {
    return [{ to: target, bytes: encodeGroupedMessage(message) }];
  }
  const { group, member } = placementOf(layout, host.replica);
  const top = message.layer === 'top';
  const crypto: ConsensusCrypto | null = top ? host.topCrypto : host.groupCrypto;
  if (crypto === null) return [];
  const n = top ? layout.groups.length : layout.groups[group]!.length;
  const ctx = { rng: host.rng, crypto, replica: top ? group : member, n };
  const tag = Uint8Array.of(top ? 2 : 1);
  return misbehave(host.behavior, ctx, target, message.message).map((out) => ({
    to: out.to,
    bytes: concatBytes(tag, out.bytes),
  }));
}

/** The certificate with its first signature only: one group, short of any top quorum (g ≥ 2). */
function oneGroupOnly(cert: StateCertificate): StateCertificate {
  return { ...cert, signatures: cert.signatures.slice(0, 1) };
}

/** A certificate for a digest nobody reached, validly signed by the byzantine replica alone. */
function otherDigest(crypto: ConsensusCrypto, replica: number, cert: StateCertificate): StateCertificate {
  const stateDigest = sha256(cert.stateDigest);
  const signature = crypto.sign(attestationBytes(cert.seq, stateDigest));
  return { seq: cert.seq, stateDigest, signatures: [{ replica, signature }] };
}
