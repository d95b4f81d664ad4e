import type { ClientRequest } from '@suyuan/cloud/consensus/types';
import { isAuthenticRequest } from '@suyuan/cloud/replica/request-auth';
import type { Submission } from '@suyuan/shared';
import { submissionHeader, submissionSigningBytes, verify } from '@suyuan/shared';

/**
 * This machine's single-core Ed25519 verification rate for exactly what a replica checks per
 * request (the submission header signature), and the rate of the whole request check (parse,
 * Merkle root of payloads, key validation, verify) for comparison. Runs each for `durationMs`.
 */
export function measureVerifyRates(request: ClientRequest, durationMs: number) {
  const parsed = JSON.parse(Buffer.from(request.body).toString('utf8')) as {
    publicKey: string;
    submission: Submission;
  };
  const publicKey = new Uint8Array(Buffer.from(parsed.publicKey, 'base64url'));
  const message = submissionSigningBytes(submissionHeader(parsed.submission));
  const signature = new Uint8Array(Buffer.from(parsed.submission.signature, 'base64url'));
  const rate = (work: () => boolean) => {
    let count = 0;
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      for (let i = 0; i < 100; i++) if (!work()) throw new Error('verification failed');
      count += 100;
    }
    return Math.round(count / ((performance.now() - start) / 1000));
  };
  return {
    ed25519VerifyPerS: rate(() => verify(publicKey, message, signature)),
    fullRequestCheckPerS: rate(() => isAuthenticRequest(request)),
  };
}
