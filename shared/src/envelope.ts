import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { canonicalBytes, type JsonValue } from './canonical.ts';
import { sign, verify } from './ed25519.ts';
import { InputError, LimitError } from './errors.ts';
import { limits } from './limits.ts';
import { merkleLeafHash, merkleRoot } from './merkle.ts';

/**
 * The signed submission: `{submitter, seq, created, payloads, signature}`. (submitter, seq) is the
 * idempotency key end to end. The signature covers a small header that commits to the payloads by
 * their Merkle root, so each payload (one reading, one event) stays provable on its own with an
 * inclusion path plus this header, without carrying its siblings. Signing once per batch is what
 * keeps signatures off the hot path.
 */
export interface Submission<P extends JsonValue = JsonValue> {
  submitter: string;
  seq: number;
  created: number;
  payloads: P[];
  signature: string;
}

export interface SubmissionHeader {
  v: 1;
  submitter: string;
  seq: number;
  created: number;
  payloadCount: number;
  payloadsRoot: string;
}

const SIGNING_CONTEXT = utf8('suyuan/submission/v1\n');

const keyIdText = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a key id is 43 base64url characters');

/**
 * Shape check for an envelope from outside; payload contents are checked by whoever consumes them.
 * The count bound is the larger one, a reading batch's: the typed schema (`typedSubmissionSchema`)
 * holds submissions that are not all readings to `submissionPayloadsMax`.
 */
export const submissionSchema = z.object({
  submitter: keyIdText,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  created: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  payloads: z.array(z.json()).min(1).max(Math.max(limits.submissionPayloadsMax, limits.batchReadingsMax)),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a signature is 86 base64url characters'),
});

export function payloadLeafHash(payload: unknown): Uint8Array {
  return merkleLeafHash(canonicalBytes(payload));
}

export function submissionHeader(body: Omit<Submission, 'signature'>): SubmissionHeader {
  const root = merkleRoot(body.payloads.map(payloadLeafHash));
  return {
    v: 1,
    submitter: body.submitter,
    seq: body.seq,
    created: body.created,
    payloadCount: body.payloads.length,
    payloadsRoot: toBase64Url(root),
  };
}

export function submissionSigningBytes(header: SubmissionHeader): Uint8Array {
  return concatBytes(SIGNING_CONTEXT, canonicalBytes(header));
}

export function signSubmission<P extends JsonValue>(
  body: Omit<Submission<P>, 'signature'>,
  privateKey: KeyObject,
): Submission<P> {
  const signature = sign(privateKey, submissionSigningBytes(submissionHeader(body)));
  return { ...body, signature: toBase64Url(signature) };
}

/**
 * Parses an envelope from outside and checks its signature against the submitter's public key.
 * Throws InputError('envelope.invalid') with the reason; returns the typed submission and header.
 */
export function verifySubmission(
  raw: unknown,
  publicKey: Uint8Array,
): { submission: Submission; header: SubmissionHeader } {
  const parsed = parseSubmission(raw);
  const header = submissionHeader(parsed);
  const signature = fromBase64Url(parsed.signature, 'signature');
  if (!verify(publicKey, submissionSigningBytes(header), signature)) {
    throw new InputError(
      'envelope.invalid',
      `submission ${parsed.submitter}#${parsed.seq}: signature does not verify`,
    );
  }
  return { submission: parsed, header };
}

export function parseSubmission(raw: unknown): Submission {
  const result = submissionSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new InputError('envelope.invalid', `submission ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const size = canonicalBytes(result.data).length;
  if (size > limits.submissionBytesMax)
    throw new LimitError('submissionBytesMax', limits.submissionBytesMax, size);
  return result.data as Submission;
}
