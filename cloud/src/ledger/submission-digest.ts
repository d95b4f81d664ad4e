import {
  canonicalize,
  domainHash,
  merkleLeafHash,
  merkleRoot,
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

/**
 * Canonical JSON of `{...frame, [key]: items}` given each item's canonical text: `frame` is encoded
 * with an empty array under `key` and the texts are spliced in. Exactly `canonicalize` of the whole
 * value (the empty-array marker is looked for once; if the frame holds it twice, the whole value is
 * encoded instead). Tested against `canonicalize`.
 */
export function canonicalWithArray(
  frame: Record<string, unknown>,
  key: string,
  itemTexts: readonly string[],
  items: readonly unknown[],
): string {
  const text = canonicalize({ ...frame, [key]: [] });
  const marker = `${JSON.stringify(key)}:[]`;
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + 1) >= 0) return canonicalize({ ...frame, [key]: items });
  const cut = at + marker.length - 1;
  return `${text.slice(0, cut)}${itemTexts.join(',')}${text.slice(cut)}`;
}

/**
 * Canonical text of a reading payload that passed `plainReading` (its fields are a device id of
 * [A-Za-z0-9._:-], safe integers, a known type and unit, a finite number): members in code-unit
 * order, numbers as JSON.stringify writes them, which is what RFC 8785 asks. Tested against
 * `canonicalize`.
 */
export function plainReadingPayloadText(payload: {
  reading: { deviceId: string; seq: number; time: number; type: string; uom: string; value: number };
}): string {
  const r = payload.reading;
  return `{"kind":"reading","reading":{"deviceId":${JSON.stringify(r.deviceId)},"seq":${JSON.stringify(r.seq)},"time":${JSON.stringify(r.time)},"type":${JSON.stringify(r.type)},"uom":${JSON.stringify(r.uom)},"value":${JSON.stringify(r.value)}}}`;
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
