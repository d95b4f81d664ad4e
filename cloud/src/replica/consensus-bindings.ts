import {
  createConsensusCrypto,
  createReplicaCore,
  decodeMessage,
  defaultConsensusConfig,
  encodeMessage,
  encodeMessageWithHeadroom,
} from '../consensus/index.ts';
import type { ConsensusBindings } from './replica-node.ts';

/** The real PBFT core, wired for the replica process. */
export const consensusBindings: ConsensusBindings = {
  codec: { encode: encodeMessage, encodeWithHeadroom: encodeMessageWithHeadroom, decode: decodeMessage },
  defaultConsensusConfig,
  createConsensusCrypto,
  createReplicaCore,
};
