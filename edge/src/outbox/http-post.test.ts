import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getBytes, postBytes } from './http-post.ts';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function serve(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const timeout = () => AbortSignal.timeout(10_000);

describe('postBytes', () => {
  it('sends exactly the viewed bytes (a view into a larger buffer) and reads the answer', async () => {
    const seen: { body: Buffer; type: string | undefined; length: string | undefined }[] = [];
    const url = await serve((req, body, res) => {
      seen.push({ body, type: req.headers['content-type'], length: req.headers['content-length'] });
      res.writeHead(202, { 'content-type': 'application/json', 'x-held': '1' });
      res.end(JSON.stringify({ status: 'pending', echo: '\u6e29\u5ea6' }));
    });
    const whole = Buffer.from(`xx${'{"a":"\u00e4\u{1f331}"}'.repeat(50_000)}yy`);
    const view = whole.subarray(2, whole.length - 2);
    for (const body of [view, view.toString('utf8')]) {
      const answer = await postBytes(`${url}/v1/submissions`, body, 'application/json', timeout(), 1 << 20);
      expect(answer.status).toBe(202);
      expect(answer.headers['x-held']).toBe('1');
      expect(JSON.parse(answer.text)).toEqual({ status: 'pending', echo: '\u6e29\u5ea6' });
    }
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(Buffer.compare(s.body, view)).toBe(0);
      expect(s.type).toBe('application/json');
      expect(s.length).toBe(String(view.length));
    }
  });

  it('fails an answer over responseBytesMax, and a request past its signal', async () => {
    const url = await serve((req, _body, res) => {
      if (req.url === '/big') res.end('x'.repeat(10_000));
      // '/silent' never answers
    });
    await expect(postBytes(`${url}/big`, 'a', 'text/plain', timeout(), 9_999)).rejects.toThrow(/too large/);
    await expect(postBytes(`${url}/big`, 'a', 'text/plain', timeout(), 10_000)).resolves.toMatchObject({
      status: 200,
    });
    const stop = new AbortController();
    const silent = postBytes(`${url}/silent`, 'a', 'text/plain', stop.signal, 100);
    stop.abort();
    await expect(silent).rejects.toThrow(/abort/i);
  });

  it('fails when nothing listens', async () => {
    const url = await serve(() => {});
    const closed = servers.pop()!;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(postBytes(url, 'a', 'text/plain', timeout(), 100)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('getBytes', () => {
  it('asks without a body, decodes the answer as Response.text() does, and keeps to the limit', async () => {
    const seen: { method: string | undefined; url: string | undefined; body: number; length: unknown }[] = [];
    const answer = `\ufeff${JSON.stringify({ status: 'committed', receipt: { t: '\u6e29\u5ea6' } })}`;
    const url = await serve((req, body, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        body: body.length,
        length: req.headers['content-length'],
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-held': '1' });
      res.end(Buffer.concat([Buffer.from(answer), Buffer.from([0xff])]));
    });
    const got = await getBytes(
      `${url}/v1/submissions/k/7?receipt=compact`,
      'application/json',
      timeout(),
      1024,
    );
    expect(got.status).toBe(200);
    expect(got.headers['x-held']).toBe('1');
    const fetched = await (await fetch(`${url}/v1/submissions/k/7?receipt=compact`)).text();
    expect(got.text).toBe(fetched); // the BOM dropped, a malformed byte as U+FFFD
    expect(JSON.parse(got.text.slice(0, -1))).toEqual({
      status: 'committed',
      receipt: { t: '\u6e29\u5ea6' },
    });
    expect(seen[0]).toEqual({
      method: 'GET',
      url: '/v1/submissions/k/7?receipt=compact',
      body: 0,
      length: undefined,
    });
    const bytes = Buffer.byteLength(answer) + 1;
    await expect(getBytes(url, 'application/json', timeout(), bytes - 1)).rejects.toThrow('too large');
    await expect(getBytes(url, 'application/json', timeout(), bytes)).resolves.toMatchObject({ status: 200 });
  });

  it('fails when aborted (the uploader stopping a held GET)', async () => {
    const url = await serve(() => {}); // never answers
    const stop = new AbortController();
    const asked = getBytes(url, 'application/json', AbortSignal.any([timeout(), stop.signal]), 1024);
    stop.abort();
    await expect(asked).rejects.toThrow();
  });
});
