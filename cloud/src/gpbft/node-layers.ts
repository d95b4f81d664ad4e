import { domainHash } from '@suyuan/shared';
import { defaultConsensusConfig } from '../consensus/config.ts';
import { encodeRequests } from '../consensus/statements.ts';
import type {
  ClientRequest,
  CommitCertificate,
  ConsensusConfig,
  ConsensusCrypto,
} from '../consensus/types.ts';
import { groupCrypto, type LayerKeys, SignerHints, topCrypto, verifyTopCertificate } from './layer-crypto.ts';
import { type GroupLayout, groupQuorum, placementOf, validateLayout } from './layout.ts';
import type { GpbftConfig } from './types.ts';

/** Everything a grouped node derives once from its configuration and keys. */
export interface NodeSetup {
  id: number;
  layout: GroupLayout;
  group: number;
  member: number;
  members: readonly number[];
  /** g = 1: the single group's PBFT is the whole protocol (exactly flat PBFT, flat digests). */
  flat: boolean;
  keys: LayerKeys;
  hints: SignerHints;
  groupConfig: ConsensusConfig;
  groupCrypto: ConsensusCrypto;
  topConfig: ConsensusConfig | null;
  topCrypto: ConsensusCrypto | null;
  representativeTimeoutTicks: number;
  decisionsPerMessageMax: number;
  retransmitTicks: number;
  fetchBatchesMax: number;
  batchRequestsMax: number;
  /** 2f_g+1 of this group: members that must hold a top certificate before our commit goes out. */
  groupQuorum: number;
  /** Groups whose signatures a top state certificate needs (a top quorum; a test may plant fewer). */
  certificateQuorum: number;
  verifyTop: (batch: { certificate: CommitCertificate; requests: ClientRequest[] }) => boolean;
}

export function setupNode(options: {
  id: number;
  config: GpbftConfig;
  sign: LayerKeys['sign'];
  verifyGlobal: LayerKeys['verifyGlobal'];
  verifyClientRequest: (request: ClientRequest) => boolean;
  /** Flat crypto over all N keys, used when g = 1. */
  flatCrypto?: ConsensusCrypto;
}): NodeSetup {
  const { id, config } = options;
  const layout = validateLayout(config.layout, config.publicKeys.length);
  const { group, member } = placementOf(layout, id);
  const members = layout.groups[group]!;
  const keys: LayerKeys = {
    layout,
    publicKeys: config.publicKeys,
    sign: options.sign,
    verifyGlobal: options.verifyGlobal,
  };
  const hints = new SignerHints(layout);
  const flat = layout.groups.length === 1;
  // A flat planted bug (`unsafeCommitQuorum`) never leaks into both layers: each has its own switch.
  const { unsafeCommitQuorum: _unsafe, ...base } = config.consensus;
  const unsafeGroup =
    config.unsafeGroupCommitQuorum === undefined
      ? {}
      : { unsafeCommitQuorum: config.unsafeGroupCommitQuorum };
  const unsafeTop =
    config.unsafeTopCommitQuorum === undefined ? {} : { unsafeCommitQuorum: config.unsafeTopCommitQuorum };
  const memberKeys = members.map((g) => config.publicKeys[g]!);
  const groupConfig = defaultConsensusConfig(memberKeys, {
    ...base,
    ...unsafeGroup,
    quorum: groupQuorum(members.length),
  });
  groupConfig.n = members.length;
  groupConfig.replicaPublicKeys = memberKeys;
  const gCrypto =
    flat && options.flatCrypto !== undefined
      ? options.flatCrypto
      : flat
        ? { ...groupCrypto(keys, group, options.verifyClientRequest), digest: flatDigest() }
        : groupCrypto(keys, group, options.verifyClientRequest);
  let topConfig: ConsensusConfig | null = null;
  let tCrypto: ConsensusCrypto | null = null;
  if (!flat) {
    const topKeys = layout.groups.map((g) => config.publicKeys[g[0]!]!);
    topConfig = defaultConsensusConfig(topKeys, {
      ...base,
      ...unsafeTop,
      quorum: groupQuorum(layout.groups.length),
      // g = 2..3: the top runs with f_t = 0 (quorum 2), safe while no group is byzantine.
      smallTopLevel: layout.groups.length < 4,
    });
    topConfig.n = layout.groups.length;
    topConfig.replicaPublicKeys = topKeys;
    tCrypto = topCrypto(keys, hints, encodeRequests);
  }
  const resolved = defaultConsensusConfig(memberKeys, base);
  return {
    id,
    layout,
    group,
    member,
    members,
    flat,
    keys,
    hints,
    groupConfig,
    groupCrypto: gCrypto,
    topConfig,
    topCrypto: tCrypto,
    representativeTimeoutTicks: config.representativeTimeoutTicks ?? 2 * resolved.viewChangeTimeoutTicks,
    decisionsPerMessageMax: config.decisionsPerMessageMax ?? resolved.fetchBatchesMax ?? 64,
    retransmitTicks: resolved.retransmitTicks ?? 50,
    fetchBatchesMax: resolved.fetchBatchesMax ?? 64,
    batchRequestsMax: resolved.batchRequestsMax,
    groupQuorum: groupQuorum(members.length),
    certificateQuorum: config.unsafeCertificateQuorum ?? groupQuorum(layout.groups.length),
    verifyTop: (batch) =>
      verifyTopCertificate(keys, hints, batch.certificate, encodeRequests(batch.requests)),
  };
}

/** The flat core's batch digest (consensus batch domain, no group prefix): g = 1 is flat PBFT. */
function flatDigest(): ConsensusCrypto['digest'] {
  return (bytes) => domainHash('consensusBatch', bytes);
}
