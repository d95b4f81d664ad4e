import { decodeMessage, encodeMessage } from '@suyuan/cloud/consensus/codec';
import { defaultConsensusConfig } from '@suyuan/cloud/consensus/config';
import { createReplicaCore } from '@suyuan/cloud/consensus/core';
import type { ConsensusConfig, ConsensusMessage } from '@suyuan/cloud/consensus/types';
import type { Topology } from './driver.ts';

/**
 * Consensus knobs for counting runs: a reliable network needs no retransmission and no view change,
 * so both are pushed out of reach (they would add messages that are not the protocol's good case).
 */
export function benchConsensusOverrides(requestsPerBatch: number): Partial<ConsensusConfig> {
  return {
    checkpointInterval: 16,
    watermarkWindow: 64,
    batchRequestsMax: requestsPerBatch,
    batchDelayTicks: 1,
    inflightBatchesMax: 8,
    retransmitTicks: 1_000_000_000,
    viewChangeTimeoutTicks: 1_000_000,
    viewChangeTimeoutTicksMax: 1_000_000,
    pendingRequestsMax: 100_000,
  };
}

/** Placeholder public keys: the counting crypto never reads them, the config only counts them. */
export function stubPublicKeys(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i % 256));
}

/** Flat PBFT (g = 1): the real core, every replica in one group, client requests to primary 0. */
export function flatTopology(
  n: number,
  requestsPerBatch: number,
  publicKeys: readonly Uint8Array[] = stubPublicKeys(n),
): Topology<ConsensusMessage> {
  const config = defaultConsensusConfig(publicKeys, benchConsensusOverrides(requestsPerBatch));
  return {
    n,
    g: 1,
    entryFor: () => 0,
    createCore: (id, crypto) => createReplicaCore({ id, config, crypto }),
    label: (m) => m.type,
    flatType: (m) => m.type,
    encode: encodeMessage,
    decode: decodeMessage,
  };
}
