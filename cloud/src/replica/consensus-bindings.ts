import { decodeMessage, encodeMessage } from '../consensus/codec.ts';
import { defaultConsensusConfig } from '../consensus/config.ts';
import { createReplicaCore } from '../consensus/core.ts';
import { createConsensusCrypto } from '../consensus/crypto.ts';
import type { ConsensusBindings } from './replica-node.ts';

/** The real PBFT core, wired for the replica process. */
export const consensusBindings: ConsensusBindings = {
  codec: { encode: encodeMessage, decode: decodeMessage },
  defaultConsensusConfig,
  createConsensusCrypto,
  createReplicaCore,
};
