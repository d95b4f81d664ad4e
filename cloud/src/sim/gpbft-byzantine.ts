import { concatBytes } from '@suyuan/shared';
import type { ConsensusCrypto } from '../consensus/types.ts';
import { encodeGroupedMessage, type GroupedMessage, type GroupLayout, placementOf } from '../gpbft/index.ts';
import { misbehave } from './byzantine.ts';
import type { GpbftHost } from './gpbft-host.ts';

type Out = { to: number; bytes: Uint8Array };

/**
 * What a byzantine grouped replica sends to `target` instead of the honest `message` (twins and
 * honest hosts send it as it is). Group and top PBFT messages get byzantine.ts's rewrites at their
 * layer, signed with the replica's own key. The rest passes unchanged; `silent` sends nothing.
 */
export function misbehaveGrouped(
  host: GpbftHost,
  layout: GroupLayout,
  target: number,
  message: GroupedMessage,
): Out[] {
  if (host.behavior === 'silent') return [];
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
