import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { commitWaitMsMax, parseWireRequest, type ReplicaHttpNode } from './http.ts';

/** Most requests in one POST /v1/requests/batch. */
export const batchRequestsPerCallMax = 256;
export const defaultBatchBytesMax = 8 * 1024 * 1024;

const batchSchema = z.object({ requests: z.array(z.unknown()).min(1).max(batchRequestsPerCallMax) });

type Outcome = { status: string; error?: string; batchSeq?: number };

/**
 * `POST /v1/requests/batch` `{requests: [{submitter, seq, body}, …]}`: many requests in one HTTP
 * call (a gateway sends batches anyway), each checked and proposed on its own. Answers 200 with one
 * outcome per request, in order. With `?wait=commit` it answers once every request that was taken
 * (accepted, forwarded or duplicate) executed here, or after commitWaitMsMax with 'pending' for
 * the rest.
 */
export function mountBatchRoute(app: Hono, node: ReplicaHttpNode, batchBytesMax: number): void {
  app.post(
    '/v1/requests/batch',
    bodyLimit({
      maxSize: batchBytesMax,
      onError: (c) => c.json({ error: `batch body over batchBytesMax (${batchBytesMax} bytes)` }, 413),
    }),
    async (c) => {
      let json: unknown;
      try {
        json = await c.req.json();
      } catch {
        return c.json({ error: 'body is not JSON' }, 400);
      }
      const parsed = batchSchema.safeParse(json);
      if (!parsed.success) {
        return c.json({ error: `requests: 1 to ${batchRequestsPerCallMax} requests expected` }, 400);
      }
      const wait = c.req.query('wait') === 'commit';
      const outcomes = await Promise.all(parsed.data.requests.map((raw) => submitOne(node, raw, wait)));
      return c.json({ results: outcomes });
    },
  );
}

async function submitOne(node: ReplicaHttpNode, raw: unknown, wait: boolean): Promise<Outcome> {
  const request = parseWireRequest(raw);
  if (typeof request === 'string') return { status: 'invalid', error: request };
  if (!node.verifyRequest(request))
    return { status: 'invalid', error: 'request is not signed by its submitter' };
  const result = node.propose(request);
  if (!wait || result === 'full' || result === 'rejected') return { status: result };
  const earlier = node.requestCommit(request.submitter, request.seq);
  if (earlier) return { status: 'committed', batchSeq: earlier.batchSeq };
  const batchSeq = await node.waitForCommit(request.submitter, request.seq, commitWaitMsMax);
  return batchSeq === null ? { status: 'pending' } : { status: 'committed', batchSeq };
}
