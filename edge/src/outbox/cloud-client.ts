import {
  compactReceiptForm,
  errorBodySchema,
  receiptFormParam,
  rejectionReasonSchema,
  statusWaitHeader,
} from '@suyuan/shared';
import { z } from 'zod';
import { getBytes, type PostAnswer, postBytes } from './http-post.ts';

/**
 * One HTTP exchange with one cloud replica, reduced to what the outbox decides on. Transport
 * failures, timeouts, 5xx, 408 and 429 are `retry` (try later or elsewhere); any other 4xx is
 * `reject` (permanent: the request itself is wrong, so it becomes a dead letter); a body that does
 * not parse is `retry` against another replica, since a broken replica must not kill a submission.
 */
export type CloudOutcome =
  /** `holdsStatus`: the replica holds status GETs until the commit (it sent `statusWaitHeader`). */
  | { kind: 'pending'; holdsStatus: boolean }
  | { kind: 'committed'; receipt: unknown }
  | { kind: 'rejected'; code: string; message: string }
  | { kind: 'unknown' }
  | { kind: 'retry'; reason: string };

/**
 * The answer's outer shape (shared/src/wire/submit.ts: SubmitResponse and SubmissionStatus) with the
 * receipt left as it came: `receiptProblem` checks it once, against the hashes and the replica keys.
 * Parsing the full status schema here ran zod over every reading in the receipt a second time.
 */
const statusAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unknown') }).strict(),
  z.object({ status: z.literal('pending') }).strict(),
  z.object({ status: z.literal('committed'), receipt: z.unknown() }).strict(),
  z.object({ status: z.literal('rejected'), reason: rejectionReasonSchema, receipt: z.unknown() }).strict(),
]);

export interface CloudClientOptions {
  requestTimeoutMs: number;
  responseBytesMax: number;
}

export const defaultCloudClientOptions: CloudClientOptions = {
  requestTimeoutMs: 10_000,
  responseBytesMax: 4 * 1024 * 1024,
};

/**
 * `body`: the outbox row's bytes as stored (or its text): sent as they are, without a copy
 * (http-post.ts; `fetch` copies a byte body first).
 */
export async function postSubmission(
  baseUrl: string,
  body: string | Uint8Array,
  options: CloudClientOptions = defaultCloudClientOptions,
): Promise<CloudOutcome> {
  const url = `${baseUrl}/v1/submissions`;
  const signal = AbortSignal.timeout(options.requestTimeoutMs);
  let answer: PostAnswer;
  try {
    answer = await postBytes(url, body, 'application/json', signal, options.responseBytesMax);
  } catch (error) {
    return { kind: 'retry', reason: `${url}: ${(error as Error).message}` };
  }
  return outcomeOf(url, answer.status, answer.text, statusWaitHeader in answer.headers, 'submit');
}

/**
 * Asks for a submission's status. With `waitMs` > 0 it asks the replica to hold the answer until
 * the submission commits (at most `waitMs`; a replica before session 6 answers at once), and allows
 * that much longer than `requestTimeoutMs`. `stop` aborts it (the uploader is stopping). It asks
 * for a compact receipt (reading batches without their readings, which the outbox body holds); a
 * replica before session 7 ignores that and sends the full one, which the receipt check takes too.
 */
export async function getSubmissionStatus(
  baseUrl: string,
  submitter: string,
  seq: number,
  options: CloudClientOptions = defaultCloudClientOptions,
  waitMs = 0,
  stop?: AbortSignal,
): Promise<CloudOutcome> {
  const wait = waitMs > 0 ? `&waitMs=${Math.round(waitMs)}` : '';
  const query = `?${receiptFormParam}=${compactReceiptForm}${wait}`;
  const url = `${baseUrl}/v1/submissions/${encodeURIComponent(submitter)}/${seq}${query}`;
  const timeout = AbortSignal.timeout(options.requestTimeoutMs + Math.max(0, waitMs));
  const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
  let answer: PostAnswer;
  try {
    answer = await getBytes(url, 'application/json', signal, options.responseBytesMax);
  } catch (error) {
    return { kind: 'retry', reason: `${url}: ${(error as Error).message}` };
  }
  return outcomeOf(url, answer.status, answer.text, statusWaitHeader in answer.headers, 'status');
}

/** What an answer means for the outbox (see `CloudOutcome`). */
function outcomeOf(
  url: string,
  status: number,
  text: string,
  holdsStatus: boolean,
  what: 'submit' | 'status',
): CloudOutcome {
  const json = parseJson(text);
  if (status >= 400) return errorOutcome(status, json, url);
  const parsed = statusAnswerSchema.safeParse(json);
  if (!parsed.success) return { kind: 'retry', reason: `${url}: unexpected ${status} body` };
  const value = parsed.data;
  switch (value.status) {
    case 'pending':
      return { kind: 'pending', holdsStatus };
    case 'unknown':
      // A submit is never answered 'unknown' (SubmitResponse has no such status).
      return what === 'submit'
        ? { kind: 'retry', reason: `${url}: unexpected ${status} body` }
        : { kind: 'unknown' };
    case 'committed':
      return { kind: 'committed', receipt: value.receipt };
    case 'rejected':
      return { kind: 'rejected', code: value.reason.code, message: value.reason.message };
  }
}

function errorOutcome(status: number, json: unknown, url: string): CloudOutcome {
  const parsed = errorBodySchema.safeParse(json);
  const code = parsed.success ? parsed.data.error.code : `http.${status}`;
  const message = parsed.success ? parsed.data.error.message : `HTTP ${status}`;
  if (status >= 500 || status === 408 || status === 429) {
    return { kind: 'retry', reason: `${url}: ${status} ${code}: ${message}` };
  }
  return { kind: 'rejected', code, message: `${status} ${message}` };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
