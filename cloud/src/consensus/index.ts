export {
  decodeMessage,
  encodeMessage,
  encodeMessagePieces,
  encodeMessageWithHeadroom,
  wireLimits,
} from './codec.ts';
export { byzantineQuorum, defaultConsensusConfig, primaryOf, resolveConfig } from './config.ts';
export { createReplicaCore } from './core.ts';
export { createConsensusCrypto } from './crypto.ts';
export { decodePersistRecord, encodePersistRecord } from './payload.ts';
export { batchDigestOf, requestKey, withRequestsEncoding } from './statements.ts';
export type * from './types.ts';
