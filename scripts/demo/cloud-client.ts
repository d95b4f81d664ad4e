import {
  type JsonValue,
  type Payload,
  type SubmissionStatus,
  signSubmission,
  toBase64Url,
} from '../../shared/src/index.ts';
import { nextSeq, type Party } from './parties.ts';
import { pollUntil } from './wait.ts';

/**
 * Signs a submission with a party's key and sends it to every replica (any one that is up orders
 * it; the others answer 200/409 for the same body), then polls until it is decided.
 */
export const commitPollAttemptsMax = 600;
export const commitPollIntervalMs = 100;
const requestTimeoutMs = 5000;

export class CloudClient {
  readonly urls: readonly string[];
  readonly abort: AbortSignal | undefined;

  constructor(urls: readonly string[], abort?: AbortSignal) {
    this.urls = urls;
    this.abort = abort;
  }

  async getJson<T>(path: string): Promise<{ status: number; body: T | null }> {
    let lastError: unknown = null;
    for (const base of this.urls) {
      try {
        const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(requestTimeoutMs) });
        const text = await res.text();
        return { status: res.status, body: text ? (JSON.parse(text) as T) : null };
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no replica answered GET ${path}: ${(lastError as Error)?.message}`);
  }

  /** Submits and waits until committed or rejected; returns the status (the caller decides). */
  async submit(party: Party, payloads: Payload[], what: string): Promise<SubmissionStatus> {
    const created = Date.now();
    const seq = nextSeq(party, created);
    const submission = signSubmission(
      { submitter: party.key.keyId, seq, created, payloads: payloads as unknown as JsonValue[] },
      party.key.privateKey,
    );
    const body = JSON.stringify({ publicKey: toBase64Url(party.key.publicKey), submission });
    const codes = await Promise.all(
      this.urls.map(async (base) => {
        try {
          const res = await fetch(new URL('/v1/submissions', base), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(requestTimeoutMs),
          });
          await res.arrayBuffer();
          return res.status;
        } catch {
          return 0;
        }
      }),
    );
    if (!codes.some((c) => c === 200 || c === 202))
      throw new Error(`${what}: no replica took the submission (HTTP ${codes.join(', ')})`);
    return pollUntil(
      `${what} to commit`,
      async () => {
        const { body: status } = await this.getJson<SubmissionStatus>(
          `/v1/submissions/${party.key.keyId}/${seq}`,
        );
        return status && (status.status === 'committed' || status.status === 'rejected') ? status : null;
      },
      {
        attemptsMax: commitPollAttemptsMax,
        intervalMs: commitPollIntervalMs,
        ...(this.abort ? { abort: this.abort } : {}),
      },
    );
  }

  /** Submits and throws unless it committed. */
  async commit(party: Party, payloads: Payload[], what: string): Promise<void> {
    const status = await this.submit(party, payloads, what);
    if (status.status !== 'committed') {
      const reason = status.status === 'rejected' ? `${status.reason.code}: ${status.reason.message}` : '';
      throw new Error(`${what} was ${status.status} ${reason}`);
    }
  }
}
