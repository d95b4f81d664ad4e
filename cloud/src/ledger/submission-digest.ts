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
import type { ClientRequest } from '../consensus/types.ts';

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
  /**
   * The payloads array's canonical contents: each payload's canonical text, joined by commas.
   * Absent when `payloadsBytes` is present and nobody had the text at hand: making it would turn
   * ~1 MB into one string (`payloadsTextOf` does, for whoever needs it).
   */
  payloadsText?: string;
  /** domainHash('envelope', canonical body bytes): the same as `bodyHashOf(canonicalBytes(body))`. */
  bodyHash: Uint8Array;
  /** UTF-8 bytes of the canonical submission (what `submissionBytesMax` limits). */
  submissionBytes: number;
  /** The canonical body `{publicKey, submission}` as UTF-8: what intake hands to consensus. */
  bodyBytes: Uint8Array;
  /**
   * `payloadsText` as UTF-8, when the digest has it without encoding (a slice of a canonical body):
   * a reading batch's transaction leaf is then hashed from these bytes (executor.ts).
   */
  payloadsBytes?: Uint8Array;
}

/** The payloads' canonical text: the digest's, else decoded from its bytes (one of them is there). */
export function payloadsTextOf(digest: {
  payloadsText?: string | undefined;
  payloadsBytes?: Uint8Array | undefined;
}): string {
  if (digest.payloadsText !== undefined) return digest.payloadsText;
  const bytes = digest.payloadsBytes;
  if (bytes === undefined) throw new Error('a submission digest has its payloads as text or bytes');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
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

/** A submission's canonical texts and body, before any hashing. */
export interface EncodedSubmission {
  payloadTexts: string[];
  payloadsText: string;
  submissionText: string;
  bodyBytes: Uint8Array;
}

/** `plain`: the request passed `plainReadingRequest`, so its payloads take the written-out encoder. */
export function encodeSubmission(request: SubmitRequest, plain: boolean): EncodedSubmission {
  const s = request.submission;
  const payloads = s.payloads as unknown[];
  const payloadTexts = plain
    ? (s.payloads as Parameters<typeof plainReadingPayloadText>[0][]).map(plainReadingPayloadText)
    : payloads.map((p) => canonicalize(p));
  const payloadsText = payloadTexts.join(',');
  const submissionText = canonicalWithArray(s, 'payloads', [payloadsText], payloads);
  // {publicKey, submission}: the only two members (the schema is strict), in code-unit order.
  const bodyBytes = utf8(`{"publicKey":${JSON.stringify(request.publicKey)},"submission":${submissionText}}`);
  return { payloadTexts, payloadsText, submissionText, bodyBytes };
}

/** The hashes of an encoded submission: its leaves, signed header and body hash. */
export function digestEncoded(request: SubmitRequest, encoded: EncodedSubmission): SubmissionDigest {
  const s = request.submission;
  const leaves = encoded.payloadTexts.map((t) => merkleLeafHash(utf8(t)));
  const header: SubmissionHeader = {
    v: 1,
    submitter: s.submitter,
    seq: s.seq,
    created: s.created,
    payloadCount: s.payloads.length,
    payloadsRoot: toBase64Url(merkleRoot(leaves)),
  };
  return {
    header,
    leaves,
    payloadsText: encoded.payloadsText,
    bodyHash: domainHash('envelope', encoded.bodyBytes),
    submissionBytes: Buffer.byteLength(encoded.submissionText),
    bodyBytes: encoded.bodyBytes,
  };
}

export function digestSubmission(request: SubmitRequest, plain: boolean): SubmissionDigest {
  return digestEncoded(request, encodeSubmission(request, plain));
}

/**
 * What this replica's own request check derived from a request's bytes when it verified them as a
 * canonical body (cloud/src/replica/request-check-canonical.ts `CheckedSubmission`): the signed
 * header, each payload's leaf (the hash of its slice of the body), where the payloads are in the
 * body, and the canonical submission's size. Only ever from this process's check of these very
 * bytes (the verifier hands it out for equal bytes only), never from a peer.
 */
export interface CheckedDerivation {
  header: SubmissionHeader;
  leaves: Uint8Array[];
  payloadsStart: number;
  payloadsEnd: number;
  submissionBytes: number;
  /** Each payload's start and end in the body, flat, and the frame's two texts (checked-body.ts). */
  payloadSpans: readonly number[];
  publicKey: string;
  signature: string;
}

/**
 * The digest of a canonical body from its check's derivation, without encoding or hashing any
 * payload again: the body is canonical (the check proved it), so it is its own canonical bytes and
 * the payloads' canonical bytes are its slice (`payloadsBytes`). Equal to `digestSubmission` of the
 * parsed body (tested, with `payloadsTextOf`); the one hash left is the body's, for idempotency.
 * No payloads text: the transaction is built and hashed from the bytes (reading-batch-tx.ts), and
 * a ~1 MB string per batch costs more than the rest of the decode (docs/ledger.md, session 8).
 */
export function digestFromChecked(body: Uint8Array, checked: CheckedDerivation): SubmissionDigest {
  const { payloadsStart, payloadsEnd } = checked;
  return {
    header: checked.header,
    leaves: checked.leaves,
    bodyHash: domainHash('envelope', body),
    submissionBytes: checked.submissionBytes,
    bodyBytes: body,
    payloadsBytes: body.subarray(payloadsStart, payloadsEnd),
  };
}

/**
 * Intake's digest of a body it encoded (POST /v1/submissions): for a plain reading batch that the
 * replica's verifier accepts, from what the verifier derived checking these bytes, so each reading
 * is hashed once at intake instead of once to digest and again to check; otherwise hashed from the
 * encoding. A body the verifier refuses is digested in full, for `decodeRequest` to word the refusal.
 */
export function intakeDigest(
  request: ClientRequest,
  body: SubmitRequest,
  plain: boolean,
  encoded: EncodedSubmission,
  verifier?: (request: ClientRequest) => boolean,
  takeChecked?: (request: ClientRequest) => CheckedDerivation | undefined,
): SubmissionDigest {
  if (plain && verifier?.(request)) {
    const checked = takeChecked?.(request);
    // The verifier checked these very bytes, which `encoded` made.
    if (checked !== undefined) return digestFromChecked(request.body, checked);
  }
  return digestEncoded(body, encoded);
}
