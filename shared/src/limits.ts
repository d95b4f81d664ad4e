/**
 * Named limits shared across packages, unit last. Package-specific limits live beside their code;
 * these are the ones two sides of a wire must agree on.
 */
export const limits = {
  /** Deepest nesting canonical JSON accepts: guards the recursive encoder against hostile input. */
  canonicalDepthMax: 64,
  /** Largest signed submission (envelope with payloads) a replica accepts. */
  submissionBytesMax: 1_048_576,
  /** Most payloads (events or reading batches) in one submission. */
  submissionPayloadsMax: 256,
  /** Most readings in one signed reading batch. */
  batchReadingsMax: 4096,
  /** How far a submission's `created` may be ahead of or behind a replica's clock. */
  clockSkewMs: 5 * 60_000,
  /** Largest Merkle proof accepted (2^64 leaves is far beyond any ledger). */
  merkleProofLengthMax: 64,
} as const;

export type Limits = typeof limits;
