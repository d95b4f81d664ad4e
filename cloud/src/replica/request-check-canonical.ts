import { isUtf8 } from 'node:buffer';
import { domainHash, limits, merkleRoot, type SubmissionHeader, toBase64Url, verify } from '@suyuan/shared';
import { knownKey } from './request-check-fast.ts';
import { requestFrame } from './request-frame.ts';

/**
 * The request check for canonical bodies, the form every client of ours sends. The body's bytes are
 * proven canonical by a scan (request-frame.ts, canonical-scan.ts) instead of being decoded, parsed
 * and every payload encoded again, so each payload's Merkle leaf is the hash of its slice of the
 * body, the canonical submission's size is its span, and the signed header is written out. What is
 * signed and the wire format are unchanged; a body of any other form answers 'fallback' and takes
 * the plain-form or general check (request-auth.ts), which decide exactly as before.
 *
 * An accepted request comes with what the check derived from its bytes (`CheckedSubmission`), so
 * the ledger need not encode and hash every payload again (docs/replica.md "What the check hands on").
 */
export interface CheckedSubmission {
  /** The header the signature verified over. */
  header: SubmissionHeader;
  /** merkleLeafHash of each payload's canonical bytes, in order. */
  leaves: Uint8Array[];
  /** The payloads array's contents in the body (the canonical payload texts joined by commas). */
  payloadsStart: number;
  payloadsEnd: number;
  /** UTF-8 bytes of the canonical submission (what `submissionBytesMax` limits). */
  submissionBytes: number;
  /**
   * Where each payload is in the body, flat ([start0, end0, …]), and the frame's two texts: the
   * ledger reads the body from these in pieces instead of decoding ~1 MB into one string.
   */
  payloadSpans: readonly number[];
  publicKey: string;
  signature: string;
}

/** The verdict with what it derived, false for a forged request, or 'fallback' (not canonical). */
export type CanonicalVerdict = CheckedSubmission | false | 'fallback';

const SIGNING_CONTEXT = 'suyuan/submission/v1\n';

/**
 * `submissionSigningBytes(header)` written out: the context line and the header's canonical JSON,
 * members in code-unit order. Every field is ASCII here (base64url texts and safe integers), so
 * latin1 is its UTF-8. Tested equal to the shared encoder.
 */
export function headerSigningBytes(h: SubmissionHeader): Uint8Array {
  const text = `${SIGNING_CONTEXT}{"created":${h.created},"payloadCount":${h.payloadCount},"payloadsRoot":"${h.payloadsRoot}","seq":${h.seq},"submitter":"${h.submitter}","v":1}`;
  const bytes = Buffer.from(text, 'latin1');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * 86 base64url characters carry 516 bits for 512: the last character's 4 low bits must be zero for
 * the text to be canonical (`fromBase64Url` refuses it otherwise: the general check says false).
 */
function signatureBytes(text: string): Uint8Array | null {
  const last = text.charCodeAt(text.length - 1);
  // A, Q, g, w: the base64url digits 0, 16, 32, 48.
  if (last !== 0x41 && last !== 0x51 && last !== 0x67 && last !== 0x77) return null;
  return Buffer.from(text, 'base64url');
}

export function canonicalRequestCheck(body: Uint8Array, submitter: string, seq: number): CanonicalVerdict {
  if (!isUtf8(body)) return 'fallback';
  const frame = requestFrame(body);
  if (frame === null) return 'fallback';
  const key = knownKey(frame.publicKey);
  if (key === null || key.keyId !== submitter) return false;
  const submissionBytes = frame.submissionEnd - frame.submissionStart;
  // The general check refuses any submission over the limit, whatever its signature.
  if (submissionBytes > limits.submissionBytesMax) return false;
  if (frame.submitter !== submitter || frame.seq !== seq) return false;
  const spans = frame.payloadSpans;
  const leaves: Uint8Array[] = new Array(spans.length / 2);
  for (let i = 0; i < leaves.length; i++) {
    leaves[i] = domainHash('merkleLeaf', body.subarray(spans[2 * i], spans[2 * i + 1]));
  }
  const header: SubmissionHeader = {
    v: 1,
    submitter: frame.submitter,
    seq: frame.seq,
    created: frame.created,
    payloadCount: leaves.length,
    payloadsRoot: toBase64Url(merkleRoot(leaves)),
  };
  const signature = signatureBytes(frame.signature);
  if (signature === null || !verify(key.key, headerSigningBytes(header), signature)) return false;
  return {
    header,
    leaves,
    payloadsStart: frame.payloadsStart,
    payloadsEnd: frame.payloadsEnd,
    submissionBytes,
    payloadSpans: spans,
    publicKey: frame.publicKey,
    signature: frame.signature,
  };
}
