import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { prereadBody, prereadBytes } from './preread-body.ts';

/**
 * For test/src/bench/http-body-cost.ts: the same POST route served two ways — the body read by
 * hono (`c.req.arrayBuffer()` through undici) or pre-read before hono (`prereadBody`). The route
 * answers 202 once it holds `expectedBytes` bytes, like POST /v1/submissions' first step.
 */
export function bodyReadListeners(
  path: string,
  bodyBytesMax: number,
  expectedBytes: number,
): [string, (req: IncomingMessage, res: ServerResponse) => unknown][] {
  const hono = new Hono<{ Bindings: HttpBindings }>();
  hono.post(path, bodyLimit({ maxSize: bodyBytesMax }), async (c) => {
    const bytes = prereadBytes(c.env) ?? new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length !== expectedBytes) return c.json({ error: `read ${bytes.length} bytes` }, 400);
    return c.json({ status: 'pending' }, 202);
  });
  const viaHono = getRequestListener(hono.fetch);
  return [
    ['c.req.arrayBuffer() (undici)', viaHono],
    ['pre-read before hono', prereadBody(viaHono, (req) => req.url === path, bodyBytesMax)],
  ];
}
