import { assignGroups } from '@suyuan/cloud/gpbft/layout';
import {
  decodeGroupedMessage,
  encodeGroupedMessage,
  type GroupedMessage,
} from '@suyuan/cloud/gpbft/messages';
import { createGroupedCore } from '@suyuan/cloud/gpbft/node';
import type { Topology } from './driver.ts';
import { benchConsensusOverrides, stubPublicKeys } from './flat.ts';

/**
 * Grouped PBFT (issue #4's "GH"): the real grouped node over the layout `assignGroups` deals from a
 * public seed. Clients are spread over the groups: batch b goes to group b mod g, to its
 * representative (the group's view-0 primary), so no request is forwarded inside a group.
 */
export function groupedTopology(
  n: number,
  g: number,
  requestsPerBatch: number,
  publicKeys: readonly Uint8Array[] = stubPublicKeys(n),
): Topology<GroupedMessage> {
  const layout = assignGroups(publicKeys, g, 'suyuan-bench-groups');
  const config = { layout, publicKeys, consensus: benchConsensusOverrides(requestsPerBatch) };
  return {
    n,
    g,
    entryFor: (batch) => layout.groups[batch % g]![0]!,
    createCore: (id, crypto) =>
      createGroupedCore({
        id,
        config,
        sign: (message) => crypto.sign(message),
        verifyGlobal: (replica, message, signature) => crypto.verifyReplica(replica, message, signature),
        verifyClientRequest: (request) => crypto.verifyRequest(request),
      }),
    label: (m) => (m.layer === 'group' || m.layer === 'top' ? `${m.layer}.${m.message.type}` : m.layer),
    flatType: (m) =>
      m.layer === 'group' || m.layer === 'top'
        ? m.message.type
        : m.layer === 'decisions'
          ? 'batches'
          : 'other',
    encode: encodeGroupedMessage,
    decode: decodeGroupedMessage,
  };
}
