import { fromBase64Url, toBase64Url } from '@suyuan/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { ClientRequest, CommitCertificate } from '../consensus/types.ts';
import type { ProposeResult } from './core-port.ts';
import { defaultBatchBytesMax, mountBatchRoute } from './http-batch.ts';
import type { RequestCommit } from './replica-store.ts';

/** What the HTTP layer needs from a running replica. */
export interface ReplicaHttpNode {
  status(): Record<string, unknown>;
  verifyRequest(request: ClientRequest): boolean;
  propose(request: ClientRequest): ProposeResult;
  requestCommit(submitter: string, seq: number): RequestCommit | undefined;
  isPending(submitter: string, seq: number): boolean;
  /** Batch seq once executed here, null on timeout. */
  waitForCommit(submitter: string, seq: number, timeoutMs: number): Promise<number | null>;
}

export interface ReplicaHttpOptions {
  node: ReplicaHttpNode;
  /** Largest POST /v1/requests body (JSON text, base64url inflates the request body by 4/3). */
  requestBytesMax?: number;
  /** Largest POST /v1/requests/batch body. */
  batchBytesMax?: number;
  /** Mount more routes (the ledger's /v1 API) on the same app. */
  extraRoutes?: (app: Hono) => void;
}

export const defaultRequestBytesMax = 2 * 1024 * 1024;
/** Longest a `?wait=commit` submission is held before answering 202 pending. */
export const commitWaitMsMax = 10_000;

const keyId = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'submitter is a 43-character base64url key id');
const requestSchema = z.object({
  submitter: keyId,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  body: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_-]+$/, 'body is unpadded base64url'),
});

const KEY_ID = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A `{submitter, seq, body}` JSON value as a ClientRequest, or the reason it is not one. */
export function parseWireRequest(json: unknown): ClientRequest | string {
  // The common shape checked directly (the schema costs about as much as the rest of intake);
  // anything else goes through the schema for its message. http.test.ts compares both.
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const { submitter, seq, body } = json as { submitter?: unknown; seq?: unknown; body?: unknown };
    if (
      typeof submitter === 'string' &&
      KEY_ID.test(submitter) &&
      Number.isSafeInteger(seq) &&
      (seq as number) >= 1 &&
      typeof body === 'string' &&
      BASE64URL.test(body)
    ) {
      try {
        return { submitter, seq: seq as number, body: fromBase64Url(body, 'body') };
      } catch (error) {
        return (error as Error).message;
      }
    }
  }
  return parseWireRequestBySchema(json);
}

export function parseWireRequestBySchema(json: unknown): ClientRequest | string {
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
  }
  try {
    const body = fromBase64Url(parsed.data.body, 'body');
    return { submitter: parsed.data.submitter, seq: parsed.data.seq, body };
  } catch (error) {
    return (error as Error).message;
  }
}

export function certificateJson(certificate: CommitCertificate) {
  return {
    view: certificate.view,
    seq: certificate.seq,
    batchDigest: toBase64Url(certificate.batchDigest),
    signatures: certificate.signatures.map((s) => ({
      replica: s.replica,
      signature: toBase64Url(s.signature),
    })),
  };
}

const statusCodes = { accepted: 202, forwarded: 202, duplicate: 409, full: 503, rejected: 400 } as const;

/** What an in-process caller learns from `POST /v1/requests` (no wait): 202, 409, 503 or any other. */
export type SubmitOutcome = 'accepted' | 'duplicate' | 'full' | 'rejected';

/** UTF-8 bytes of `{"submitter":…,"seq":…,"body":<unpadded base64url>}` for this request. */
export function wireRequestBytes(request: ClientRequest): number {
  const frame = JSON.stringify({ submitter: request.submitter, seq: request.seq, body: '' }).length;
  return frame + Math.ceil((request.body.byteLength * 4) / 3);
}

/**
 * What `POST /v1/requests` answers for `request`, decided the same way without the HTTP round trip
 * (the ledger API's intake on the same replica, ledger-replica-app.ts): the body limit on the wire
 * form it would have sent, the shape, the signature, then propose. Before, the entry replica
 * wrote every ~1 MB body as base64url JSON into a fetch Request and read it back (about a fifth of
 * its intake CPU); the request object now goes to consensus as it is.
 */
export function submitInProcess(
  node: Pick<ReplicaHttpNode, 'verifyRequest' | 'propose'>,
  request: ClientRequest,
  requestBytesMax: number,
): SubmitOutcome {
  if (wireRequestBytes(request) > requestBytesMax) return 'rejected'; // the route's 413
  const { submitter, seq, body } = request;
  if (!KEY_ID.test(submitter) || !Number.isSafeInteger(seq) || seq < 1 || body.byteLength === 0)
    return 'rejected'; // the route's 400 for the shape
  if (!node.verifyRequest(request)) return 'rejected';
  const result = node.propose(request);
  return result === 'forwarded' ? 'accepted' : result;
}

/**
 * The replica's HTTP API. Client requests are checked here (shape, size, submitter signature)
 * before the core sees them, so a bad one gets a 400 with the reason instead of silence.
 * `POST /v1/requests?wait=commit` answers 200 once this replica executed the request (or 202
 * pending after commitWaitMsMax), for clients that want one round trip per commit.
 */
export function createReplicaHttp(options: ReplicaHttpOptions): Hono {
  const { node } = options;
  const requestBytesMax = options.requestBytesMax ?? defaultRequestBytesMax;
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/v1/status', (c) => c.json(node.status()));
  app.post(
    '/v1/requests',
    bodyLimit({
      maxSize: requestBytesMax,
      onError: (c) => c.json({ error: `request body over requestBytesMax (${requestBytesMax} bytes)` }, 413),
    }),
    async (c) => {
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: 'body is not JSON' }, 400);
      }
      const request = parseWireRequest(json);
      if (typeof request === 'string') return c.json({ error: request }, 400);
      if (!node.verifyRequest(request))
        return c.json({ error: 'request is not signed by its submitter' }, 400);
      const result = node.propose(request);
      const wait = c.req.query('wait') === 'commit';
      if (!wait || result === 'full' || result === 'rejected')
        return c.json({ status: result }, statusCodes[result]);
      const earlier = node.requestCommit(request.submitter, request.seq);
      if (earlier) return c.json({ status: 'committed', batchSeq: earlier.batchSeq }, 200);
      const batchSeq = await node.waitForCommit(request.submitter, request.seq, commitWaitMsMax);
      if (batchSeq === null) return c.json({ status: 'pending' }, 202);
      return c.json({ status: 'committed', batchSeq }, 200);
    },
  );
  app.get('/v1/requests/:submitter/:seq', (c) => {
    const submitter = c.req.param('submitter');
    const seq = Number(c.req.param('seq'));
    if (!keyId.safeParse(submitter).success || !Number.isSafeInteger(seq) || seq < 1) {
      return c.json({ error: 'expected /v1/requests/<key id>/<seq ≥ 1>' }, 400);
    }
    const commit = node.requestCommit(submitter, seq);
    if (commit) {
      return c.json({
        status: 'committed',
        batchSeq: commit.batchSeq,
        certificate: certificateJson(commit.certificate),
      });
    }
    if (node.isPending(submitter, seq)) return c.json({ status: 'pending' });
    return c.json({ status: 'unknown' }, 404);
  });
  mountBatchRoute(app, node, options.batchBytesMax ?? defaultBatchBytesMax);
  options.extraRoutes?.(app);
  return app;
}
