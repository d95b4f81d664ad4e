import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpFastPath, withFastPath } from './http-fast-path.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const viaHono: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hono');
};

/** Answers /fast itself, declines everything else, throws on /boom. */
const fast: HttpFastPath = async (req, res) => {
  if (req.url === '/boom') throw new Error('planted');
  if (req.url !== '/fast') return false;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('fast');
  return true;
};

describe('withFastPath', () => {
  it('lets the fast path answer what it takes and hono the rest', async () => {
    const url = await serve(withFastPath(viaHono, () => fast));
    expect(await (await fetch(`${url}/fast`)).text()).toBe('fast');
    expect(await (await fetch(`${url}/other`)).text()).toBe('hono');
  });

  it('reads the fast path per request: none yet means hono answers everything', async () => {
    let current: HttpFastPath | null = null;
    const url = await serve(withFastPath(viaHono, () => current));
    expect(await (await fetch(`${url}/fast`)).text()).toBe('hono');
    current = fast;
    expect(await (await fetch(`${url}/fast`)).text()).toBe('fast');
  });

  it('answers 500 with a JSON error when the fast path throws', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const url = await serve(withFastPath(viaHono, () => fast));
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'http.internal', message: 'internal error' } });
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });
});
