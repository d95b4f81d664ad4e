import {
  type Ed25519KeyPair,
  type JsonValue,
  limits,
  publicKeyToText,
  type Reading,
  readingPayload,
  signSubmission,
} from '@suyuan/shared';

/**
 * Turns payloads into the exact POST /v1/submissions body, signed once over the Merkle root of the
 * payloads. The body is what the outbox stores and re-sends unchanged.
 */
export function submitBody(
  key: Ed25519KeyPair,
  seq: number,
  created: number,
  payloads: readonly JsonValue[],
): string {
  const submission = signSubmission(
    { submitter: key.keyId, seq, created, payloads: payloads.slice() },
    key.privateKey,
  );
  return JSON.stringify({ publicKey: publicKeyToText(key.publicKey), submission });
}

/** Splits readings into reading batches of at most `submissionPayloadsMax` payloads. */
export function readingBatches(readings: readonly Reading[]): JsonValue[][] {
  const batches: JsonValue[][] = [];
  for (let i = 0; i < readings.length; i += limits.submissionPayloadsMax) {
    const chunk = readings.slice(i, i + limits.submissionPayloadsMax);
    batches.push(chunk.map((r) => readingPayload(r) as unknown as JsonValue));
  }
  return batches;
}
