/**
 * Named limits shared across packages, unit last. Package-specific limits live beside their code;
 * these are the ones two sides of a wire must agree on.
 */
export const limits = {
  /** Deepest nesting canonical JSON accepts: guards the recursive encoder against hostile input. */
  canonicalDepthMax: 64,
  /** Largest signed submission (envelope with payloads) a replica accepts. */
  submissionBytesMax: 1_048_576,
  /** Most payloads in one submission of events or registry actions. */
  submissionPayloadsMax: 256,
  /**
   * Most readings in one signed reading batch (a submission whose payloads are all readings). Since
   * session 5; replicas before it take at most `submissionPayloadsMax` (256) of any kind, so a
   * gateway talking to them sets `ingest.readingsPerSubmissionMax` to 256. The byte limit
   * (`submissionBytesMax`) still holds: gateways also cut batches by size.
   */
  batchReadingsMax: 4096,
  /** How far a submission's `created` may be ahead of or behind a replica's clock. */
  clockSkewMs: 5 * 60_000,
  /** Largest Merkle proof accepted (2^64 leaves is far beyond any ledger). */
  merkleProofLengthMax: 64,
} as const;

export type Limits = typeof limits;
