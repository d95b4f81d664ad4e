import {
  type Ed25519KeyPair,
  type JsonValue,
  limits,
  publicKeyToText,
  type Reading,
  readingPayload,
  type SubmissionHeader,
  sign,
  submissionHeader,
  submissionSigningBytes,
  toBase64Url,
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
  return sealSubmission(key, seq, created, payloads).body;
}

/**
 * The same as shared `signSubmission`, but keeps the header it signed: the uploader needs it to
 * check receipts, and recomputing it would canonicalize and hash every payload a second time.
 */
export function sealSubmission(
  key: Ed25519KeyPair,
  seq: number,
  created: number,
  payloads: readonly JsonValue[],
): { body: string; header: SubmissionHeader } {
  const unsigned = { submitter: key.keyId, seq, created, payloads: payloads.slice() };
  const header = submissionHeader(unsigned);
  const signature = toBase64Url(sign(key.privateKey, submissionSigningBytes(header)));
  const body = JSON.stringify({
    publicKey: publicKeyToText(key.publicKey),
    submission: { ...unsigned, signature },
  });
  return { body, header };
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
