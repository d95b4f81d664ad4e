import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * A node:http handler tried before hono for hot GET routes (the consumer pages behind every QR
 * scan): it answers from precomputed bytes without building fetch Request/Response objects, which
 * cost more than the answer itself. It resolves false, having written nothing, to let hono answer.
 */
export type HttpFastPath = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A request listener that says when it is done with the request (fair-turns.ts waits for it). */
export type AwaitableListener = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

/**
 * One request listener: the fast path first (when there is one; `fastPath` is read per request,
 * since an app mounts its routes after the server is created), hono otherwise. A fast path that
 * throws answers 500 like hono's own error handler, never a hung socket. The returned promise
 * settles when the request is handled, so a caller can account handler time per request.
 */
export function withFastPath(
  viaHono: RequestListener,
  fastPath: () => HttpFastPath | null,
): AwaitableListener {
  return (req, res) => {
    const fast = fastPath();
    if (!fast) return Promise.resolve(viaHono(req, res));
    return fast(req, res).then(
      (answered) => (answered ? undefined : viaHono(req, res)),
      (error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'http.internal', message: 'internal error' } }));
      },
    );
  };
}
