/**
 * Limits and policy of the durable outbox, unit last. The full policy is declared here so that one
 * place says what happens when the disk budget is spent.
 *
 * Full policy `refuse`: when pending submissions hold `pendingBytesMax` bytes, new readings are
 * refused before anything is written. The broker then does not acknowledge the device's PUBLISH
 * (MQTT 3.1.1 has no negative PUBACK, so the connection is closed) and the device retransmits it
 * after reconnecting. Nothing already accepted is ever dropped to make room. Business events may
 * use `criticalReserveBytes` beyond the limit, so a full telemetry backlog never blocks a harvest.
 */
export interface OutboxLimits {
  /** Bytes of pending (not yet committed) submission bodies before new readings are refused. */
  pendingBytesMax: number;
  /** Extra room for critical submissions (business events) beyond `pendingBytesMax`. */
  criticalReserveBytes: number;
  /** A submission not committed this long after it was created becomes a dead letter (`expired`). */
  submissionAgeMsMax: number;
  /** First retry delay; doubles per failed attempt up to `retryDelayMsMax` (full jitter). */
  retryDelayMsBase: number;
  retryDelayMsMax: number;
  /** How soon to ask about a submission the cloud accepted (202) but has not committed yet. */
  commitPollDelayMs: number;
  /** Committed submissions (with receipts) are kept this long, then pruned. */
  committedRetentionMs: number;
}

export const defaultOutboxLimits: OutboxLimits = {
  pendingBytesMax: 512 * 1024 * 1024,
  criticalReserveBytes: 16 * 1024 * 1024,
  submissionAgeMsMax: 30 * 24 * 3600_000,
  retryDelayMsBase: 500,
  retryDelayMsMax: 5 * 60_000,
  commitPollDelayMs: 250,
  committedRetentionMs: 7 * 24 * 3600_000,
};

export const outboxFullPolicy = 'refuse' as const;
