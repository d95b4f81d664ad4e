import {
  canonicalize,
  canonicalWithArray,
  domainHash,
  merkleLeafHash,
  merkleRoot,
  readingPayloadText,
  type SubmissionHeader,
  type SubmitRequest,
  toBase64Url,
  utf8,
} from '@suyuan/shared';

/**
 * Everything a replica derives from a submission's payloads, from ONE canonical encoding of each
 * payload: the Merkle leaves and signed header (signature check, the transactions' `signed`), the
 * body hash (idempotency and conflicts), the submission's canonical size (its limit) and, for a
 * reading batch, the transaction's canonical text (its leaf in the block). Before, each of these
 * encoded every payload again: four canonical passes per reading on every replica.
 */
export interface SubmissionDigest {
  header: SubmissionHeader;
  /** merkleLeafHash of each payload's canonical bytes, in order. */
  leaves: Uint8Array[];
  /** Each payload's canonical JSON text, in order. */
  payloadTexts: string[];
  /** domainHash('envelope', canonical body bytes): the same as `bodyHashOf(canonicalBytes(body))`. */
  bodyHash: Uint8Array;
  /** UTF-8 bytes of the canonical submission (what `submissionBytesMax` limits). */
  submissionBytes: number;
  /** The canonical body `{publicKey, submission}` as UTF-8: what intake hands to consensus. */
  bodyBytes: Uint8Array;
}

/** Moved to shared (the gateway's receipt check splices reading batches too); kept here for callers. */
export { canonicalWithArray };

/**
 * Canonical text of a reading payload that passed `plainReading` (its fields are a device id of
 * [A-Za-z0-9._:-], safe integers, a known type and unit, a finite number): members in code-unit
 * order, numbers as JSON.stringify writes them, which is what RFC 8785 asks. Tested against
 * `canonicalize`.
 */
export function plainReadingPayloadText(payload: {
  reading: { deviceId: string; seq: number; time: number; type: string; uom: string; value: number };
}): string {
  return readingPayloadText(payload.reading);
}

/** `plain`: the request passed `plainReadingRequest`, so its payloads take the written-out encoder. */
export function digestSubmission(request: SubmitRequest, plain: boolean): SubmissionDigest {
  const s = request.submission;
  const payloads = s.payloads as unknown[];
  const payloadTexts = plain
    ? (s.payloads as Parameters<typeof plainReadingPayloadText>[0][]).map(plainReadingPayloadText)
    : payloads.map((p) => canonicalize(p));
  const leaves = payloadTexts.map((t) => merkleLeafHash(utf8(t)));
  const header: SubmissionHeader = {
    v: 1,
    submitter: s.submitter,
    seq: s.seq,
    created: s.created,
    payloadCount: payloads.length,
    payloadsRoot: toBase64Url(merkleRoot(leaves)),
  };
  const submissionText = canonicalWithArray(s, 'payloads', payloadTexts, payloads);
  // {publicKey, submission}: the only two members (the schema is strict), in code-unit order.
  const body = utf8(`{"publicKey":${JSON.stringify(request.publicKey)},"submission":${submissionText}}`);
  return {
    header,
    leaves,
    payloadTexts,
    bodyHash: domainHash('envelope', body),
    submissionBytes: Buffer.byteLength(submissionText),
    bodyBytes: body,
  };
}
