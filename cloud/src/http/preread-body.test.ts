import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { isSubmissionPost, prereadBody, prereadBytes } from './preread-body.ts';

/**
 * Bodies pre-read before hono reach the handler as the same bytes hono would read; a body without
 * a Content-Length, or over the limit, is left to hono (which still reads or refuses it).
 */
const bodyBytesMax = 64 * 1024;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(): Promise<number> {
  const hono = new Hono<{ Bindings: HttpBindings }>();
  hono.post(
    '/v1/submissions',
    bodyLimit({ maxSize: bodyBytesMax, onError: (c) => c.json({ error: 'too large' }, 413) }),
    async (c) => {
      const pre = prereadBytes(c.env);
      const bytes = pre ?? new Uint8Array(await c.req.arrayBuffer());
      return c.json({ preread: pre !== undefined, text: Buffer.from(bytes).toString('latin1') });
    },
  );
  server = createServer(
    (req, res) => void prereadBody(getRequestListener(hono.fetch), isSubmissionPost, bodyBytesMax)(req, res),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function post(port: number, path: string, chunks: Buffer[], headers: Record<string, string | number>) {
  return new Promise<{ status: number; json: { preread?: boolean; text?: string } }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        resolve({ status: res.statusCode!, json: res.statusCode === 200 ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('pre-reading request bodies', () => {
  const body = Buffer.from(
    Array.from({ length: 3000 }, (_, i) => String.fromCharCode(32 + (i % 90))).join(''),
  );
  const halves = [body.subarray(0, 1000), body.subarray(1000)];

  it('hands the handler the bytes sent with a Content-Length, in one piece', async () => {
    const port = await serve();
    const res = await post(port, '/v1/submissions?x=1', halves, { 'content-length': body.length });
    expect(res).toEqual({ status: 200, json: { preread: true, text: body.toString('latin1') } });
  });

  it('leaves chunked bodies, other paths and bodies over the limit to hono', async () => {
    const port = await serve();
    const chunked = await post(port, '/v1/submissions', halves, { 'transfer-encoding': 'chunked' });
    expect(chunked).toEqual({ status: 200, json: { preread: false, text: body.toString('latin1') } });
    const big = Buffer.alloc(bodyBytesMax + 1, 0x61);
    const over = await post(port, '/v1/submissions', [big], { 'content-length': big.length });
    expect(over.status).toBe(413);
    const other = await post(port, '/v1/other', [body], { 'content-length': body.length });
    expect(other.status).toBe(404);
  });

  it('says which requests are submission posts', () => {
    const req = (url: string) => ({ url }) as Parameters<typeof isSubmissionPost>[0];
    expect(['/v1/submissions', '/v1/submissions?waitMs=1'].map((u) => isSubmissionPost(req(u)))).toEqual([
      true,
      true,
    ]);
    expect(['/v1/submissionsx', '/v1/submissions/a/1', '/'].map((u) => isSubmissionPost(req(u)))).toEqual([
      false,
      false,
      false,
    ]);
  });
});
