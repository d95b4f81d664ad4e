import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reads a request's body from the socket before hono sees the request, for routes that take large
 * bodies (POST /v1/submissions: ~1 MB per 4,096-reading batch). Read by hono, the body goes
 * through a fetch Request over a web stream of the socket and undici's body reader; here the
 * chunks are joined once into one Buffer and handed over in `rawBody`, @hono/node-server's own hook
 * (it builds the Request's body from it, so `c.req` still works), and the handler takes the bytes
 * as they are (`prereadBytes`).
 *
 * Only a body with a Content-Length within `bodyBytesMax` and no Transfer-Encoding is pre-read;
 * anything else goes to hono untouched, whose `bodyLimit` answers it as before (413 over the limit).
 */
type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

export function prereadBody(
  listener: Listener,
  wants: (req: IncomingMessage) => boolean,
  bodyBytesMax: number,
): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  return async (req, res) => {
    if (req.method !== 'POST' || !wants(req)) return listener(req, res);
    const lengthText = req.headers['content-length'];
    const length = lengthText !== undefined && /^\d{1,15}$/.test(lengthText) ? Number(lengthText) : -1;
    if (length < 0 || length > bodyBytesMax || req.headers['transfer-encoding'] !== undefined)
      return listener(req, res);
    const body = await readAll(req);
    // A body cut short (the client went away) is left to hono, which fails to read it as before.
    if (body !== null) (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    return listener(req, res);
  };
}

function readAll(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    req.once('end', () => resolve(Buffer.concat(chunks, bytes)));
    req.once('error', () => resolve(null));
    req.once('aborted', () => resolve(null));
  });
}

/** POST /v1/submissions (any query): the ledger API's intake of submissions. */
export function isSubmissionPost(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const end = url.indexOf('?');
  return (end < 0 ? url : url.slice(0, end)) === '/v1/submissions';
}

/** The pre-read body of this request (hono's `c.env` under @hono/node-server), if there is one. */
export function prereadBytes(env: unknown): Uint8Array | undefined {
  const incoming = (env as { incoming?: { rawBody?: unknown } } | undefined)?.incoming;
  const raw = incoming?.rawBody;
  return raw instanceof Buffer ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
}
