import { InputError, quorumSize } from '@suyuan/shared';
import type { ConsensusConfig } from './types.ts';

/** Fully resolved configuration: every optional knob has its value. */
export type ResolvedConfig = Required<Omit<ConsensusConfig, 'unsafeCommitQuorum' | 'smallTopLevel'>> & {
  /** Faults tolerated, f = floor((n - 1) / 3). */
  f: number;
  /** Commit votes needed (equals `quorum` unless the test-only planted bug is on). */
  commitQuorum: number;
};

export function defaultConsensusConfig(
  replicaPublicKeys: readonly Uint8Array[],
  overrides: Partial<ConsensusConfig> = {},
): ConsensusConfig {
  const n = replicaPublicKeys.length;
  return {
    n,
    replicaPublicKeys,
    checkpointInterval: 16,
    watermarkWindow: 64,
    batchRequestsMax: 256,
    batchBytesMax: 1_048_576,
    batchDelayTicks: 1,
    viewChangeTimeoutTicks: 200,
    viewChangeTimeoutTicksMax: 3_200,
    pendingRequestsMax: 10_000,
    inflightBatchesMax: 8,
    quorum: byzantineQuorum(n),
    retransmitTicks: 50,
    fetchTimeoutTicks: 100,
    fetchBatchesMax: 64,
    ...overrides,
  };
}

function positiveInteger(config: ConsensusConfig, name: keyof ConsensusConfig): void {
  const value = config[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InputError(
      'config.invalid',
      `consensus config ${name} must be a positive integer, got ${value}`,
    );
  }
}

/** Checks a configuration and fills in the optional knobs; throws InputError('config.invalid'). */
export function resolveConfig(config: ConsensusConfig): ResolvedConfig {
  const defaults = defaultConsensusConfig(config.replicaPublicKeys);
  const merged = { ...defaults, ...dropUndefined(config) };
  for (const name of [
    'n',
    'checkpointInterval',
    'watermarkWindow',
    'batchRequestsMax',
    'batchBytesMax',
    'batchDelayTicks',
    'viewChangeTimeoutTicks',
    'viewChangeTimeoutTicksMax',
    'pendingRequestsMax',
    'inflightBatchesMax',
    'quorum',
    'retransmitTicks',
    'fetchTimeoutTicks',
    'fetchBatchesMax',
  ] as const) {
    positiveInteger(merged, name);
  }
  const invalid = (why: string): never => {
    throw new InputError('config.invalid', `consensus config: ${why}`);
  };
  const n = merged.n;
  // Flat PBFT needs n >= 4; only grouped PBFT's top level over 2..3 groups runs smaller (f = 0).
  if (config.smallTopLevel === true) {
    if (n < 2) invalid(`a grouped top level needs n >= 2, got ${n}`);
  } else if (n < 4) invalid(`n must be at least 4 (3f + 1 with f >= 1), got ${n}`);
  if (merged.replicaPublicKeys.length !== n) invalid(`${merged.replicaPublicKeys.length} keys for n = ${n}`);
  const f = Math.floor((n - 1) / 3);
  const quorum = merged.quorum ?? byzantineQuorum(n);
  // Two quorums must intersect in an honest replica: 2q - n >= f + 1.
  if (2 * quorum - n < f + 1 || quorum > n - f) invalid(`quorum ${quorum} is unsafe or unlive for n = ${n}`);
  if (merged.watermarkWindow % merged.checkpointInterval !== 0) {
    invalid('watermarkWindow must be a multiple of checkpointInterval');
  }
  if (merged.watermarkWindow < 2 * merged.checkpointInterval) {
    invalid('watermarkWindow must span at least two checkpoints');
  }
  if (merged.viewChangeTimeoutTicksMax < merged.viewChangeTimeoutTicks) {
    invalid('viewChangeTimeoutTicksMax must be at least viewChangeTimeoutTicks');
  }
  const commitQuorum = config.unsafeCommitQuorum ?? quorum;
  return {
    n,
    replicaPublicKeys: merged.replicaPublicKeys,
    checkpointInterval: merged.checkpointInterval,
    watermarkWindow: merged.watermarkWindow,
    batchRequestsMax: merged.batchRequestsMax,
    batchBytesMax: merged.batchBytesMax,
    batchDelayTicks: merged.batchDelayTicks,
    viewChangeTimeoutTicks: merged.viewChangeTimeoutTicks,
    viewChangeTimeoutTicksMax: merged.viewChangeTimeoutTicksMax,
    pendingRequestsMax: merged.pendingRequestsMax,
    inflightBatchesMax: merged.inflightBatchesMax,
    quorum,
    retransmitTicks: merged.retransmitTicks ?? 50,
    fetchTimeoutTicks: merged.fetchTimeoutTicks ?? 100,
    fetchBatchesMax: merged.fetchBatchesMax ?? 64,
    f,
    commitQuorum,
  };
}

function dropUndefined(config: ConsensusConfig): Partial<ConsensusConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (value !== undefined) out[key] = value;
  return out as Partial<ConsensusConfig>;
}

/**
 * Smallest quorum whose any two instances share an honest replica: ceil((n + f + 1) / 2), which is
 * 2f + 1 (shared `quorumSize`) when n = 3f + 1.
 */
export function byzantineQuorum(n: number): number {
  const f = Math.floor((n - 1) / 3);
  return Math.max(quorumSize(n), Math.ceil((n + f + 1) / 2));
}

/** The primary of a view: round robin over replica ids. */
export function primaryOf(view: number, n: number): number {
  return view % n;
}
