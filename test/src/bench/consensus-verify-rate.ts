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
  /** Calls per wall-clock second, and per second of this process's CPU time (what a busy machine distorts less). */
  const rate = (work: () => boolean) => {
    let count = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - start < durationMs) {
      for (let i = 0; i < 100; i++) if (!work()) throw new Error('verification failed');
      count += 100;
    }
    const cpu = process.cpuUsage(cpuStart);
    return {
      perS: Math.round(count / ((performance.now() - start) / 1000)),
      perCpuS: Math.round(count / ((cpu.user + cpu.system) / 1e6)),
    };
  };
  const ed25519 = rate(() => verify(publicKey, message, signature));
  const full = rate(() => isAuthenticRequest(request));
  return {
    ed25519VerifyPerS: ed25519.perS,
    fullRequestCheckPerS: full.perS,
    ed25519VerifyPerCpuS: ed25519.perCpuS,
    fullRequestCheckPerCpuS: full.perCpuS,
  };
}
