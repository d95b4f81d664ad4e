import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * A node:http handler tried before hono for hot GET routes (the consumer pages behind every QR
 * scan): it answers from precomputed bytes without building fetch Request/Response objects, which
 * cost more than the answer itself. It resolves false, having written nothing, to let hono answer.
 */
export type HttpFastPath = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * One request listener: the fast path first (when there is one; `fastPath` is read per request,
 * since an app mounts its routes after the server is created), hono otherwise. A fast path that
 * throws answers 500 like hono's own error handler, never a hung socket.
 */
export function withFastPath(viaHono: RequestListener, fastPath: () => HttpFastPath | null): RequestListener {
  return (req, res) => {
    const fast = fastPath();
    if (!fast) return void viaHono(req, res);
    fast(req, res).then(
      (answered) => (answered ? undefined : viaHono(req, res)),
      (error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'http.internal', message: 'internal error' } }));
      },
    );
  };
}
