import { limits } from '@suyuan/shared';

/** Limits of the ingest path, unit last. */
export interface IngestLimits {
  /** Most readings in one device message. */
  readingsPerMessageMax: number;
  /** A reading stamped further ahead of the gateway clock than this is quarantined. */
  readingFutureMsMax: number;
  /** A reading older than this (a device that buffered for too long) is quarantined. */
  readingAgeMsMax: number;
  /** Largest device message payload. */
  messageBytesMax: number;
  /**
   * Most readings signed into one submission (one telemetry transaction). Every submission costs a
   * POST, status polls, a receipt check and a consensus request, so bigger is cheaper per reading.
   * Replicas before session 5 take at most 256 payloads: set 256 for them. Batches are also cut so
   * the body stays under the submission byte limit.
   */
  readingsPerSubmissionMax: number;
  /** Most messages waiting for one flush; a full buffer flushes at once. */
  flushMessagesMax: number;
  /**
   * Most payload bytes waiting for one flush (a full buffer flushes at once). Messages carry up to 256
   * readings, so a count of messages alone let one transaction hold 100,000s of readings: seconds
   * before the first PUBACK on a starved CPU, and all of them in memory at once.
   */
  flushPayloadBytesMax: number;
  /** Quarantine rows kept; beyond it the oldest are deleted and counted. */
  quarantineRowsMax: number;
  /** Bytes of a bad payload kept in the quarantine row. */
  quarantinePayloadBytesMax: number;
  /** Dedupe memory: (device, seq) pairs older than this are forgotten. */
  dedupeWindowMs: number;
}

export const defaultIngestLimits: IngestLimits = {
  readingsPerMessageMax: 256,
  readingsPerSubmissionMax: limits.batchReadingsMax,
  readingFutureMsMax: 5 * 60_000,
  readingAgeMsMax: 30 * 24 * 3600_000,
  messageBytesMax: 64 * 1024,
  flushMessagesMax: 4096,
  flushPayloadBytesMax: 1024 * 1024,
  quarantineRowsMax: 100_000,
  quarantinePayloadBytesMax: 2048,
  dedupeWindowMs: 30 * 24 * 3600_000,
};

/** A device seq lives in 32 bits; the boot epoch sits above it, so (epoch, seq) is one safe integer. */
export const DEVICE_SEQ_LIMIT = 2 ** 32;
export const BOOT_EPOCH_MAX = 2 ** 21 - 1;
