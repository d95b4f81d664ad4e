import { concatBytes, utf8 } from '@suyuan/shared/bytes';
import { canonicalBytes } from '@suyuan/shared/canonical';

/**
 * The bytes a submitter signs (shared/src/envelope.ts `submissionSigningBytes`), restated here so the
 * browser bundle does not pull envelope.ts and with it zod (~400 kB). signing-bytes.test.ts checks
 * that both give identical bytes, so a change to the envelope cannot slip past the page's verifier.
 */
const SIGNING_CONTEXT = utf8('suyuan/submission/v1\n');

export interface SignedHeaderFields {
  v: 1;
  submitter: string;
  seq: number;
  created: number;
  payloadCount: number;
  payloadsRoot: string;
}

export function submissionSigningBytes(header: SignedHeaderFields): Uint8Array {
  return concatBytes(SIGNING_CONTEXT, canonicalBytes(header));
}
