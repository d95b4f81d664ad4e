import {
  createConsensusCrypto,
  createReplicaCore,
  decodeMessage,
  defaultConsensusConfig,
  encodeMessage,
  encodeMessagePieces,
  encodeMessageWithHeadroom,
} from '../consensus/index.ts';
import type { ConsensusBindings } from './replica-node.ts';

/** The real PBFT core, wired for the replica process. */
export const consensusBindings: ConsensusBindings = {
  codec: {
    encode: encodeMessage,
    encodeWithHeadroom: encodeMessageWithHeadroom,
    encodePieces: encodeMessagePieces,
    decode: decodeMessage,
  },
  defaultConsensusConfig,
  createConsensusCrypto,
  createReplicaCore,
};
