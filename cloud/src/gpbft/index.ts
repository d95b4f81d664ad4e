export {
  decodeGroupDecision,
  flattenTopBatch,
  type GroupDecision,
  groupOfSubmitter,
  groupSubmitter,
  topRequestOf,
} from './decision.ts';
export {
  groupCrypto,
  groupDigest,
  type LayerKeys,
  SignerHints,
  topCrypto,
  topDigest,
  verifyFinalBatch,
  verifyGroupCertificate,
  verifyTopCertificate,
} from './layer-crypto.ts';
export {
  assignGroups,
  type GroupLayout,
  groupFaultsTolerated,
  groupQuorum,
  groupSizeMin,
  type Placement,
  placementOf,
  topFaultsTolerated,
  validateLayout,
} from './layout.ts';
export { decodeGroupedMessage, encodeGroupedMessage, type GroupedMessage } from './messages.ts';
export { createGroupedCore } from './node.ts';
export { type NodeSetup, setupNode } from './node-layers.ts';
export { decodeGroupedRecord, encodeGroupedRecord, type GroupedRecord } from './records.ts';
export type * from './types.ts';
