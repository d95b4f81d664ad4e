import type { DeviceMessageInput, GatewayReadingInput, IngestResult, TagReadInput } from './ingest-source.ts';

/**
 * One input waiting for the ingest pipeline's next flush (ingest-pipeline.ts), with the promise
 * its source waits on (the broker's PUBACK, the serial reader's acknowledgement), and what it
 * weighs against the flush's byte limit.
 */
export type IngestJob =
  | { kind: 'message'; input: DeviceMessageInput; done: Settle<IngestResult> }
  | {
      kind: 'gateway';
      deviceId: string;
      readings: readonly GatewayReadingInput[];
      done: Settle<IngestResult>;
    }
  | { kind: 'tag'; input: TagReadInput; done: Settle<void> };

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Rough size of one reading inside a stored submission body, for the full-policy check. */
const readingBodyBytesEstimate = 260;

/** A tag read's share of a flush (its row and maybe an event), for `flushPayloadBytesMax`. */
const tagReadBytesEstimate = 512;

/** What a job weighs against `flushPayloadBytesMax` while it waits. */
export function jobBytes(job: IngestJob): number {
  if (job.kind === 'message') return job.input.payload.length;
  if (job.kind === 'gateway') return job.readings.length * readingBodyBytesEstimate;
  return tagReadBytesEstimate;
}
