import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWeb, type DemoWeb } from '../demo.ts';
import { startWebServer } from '../server.ts';
import type { FastPath } from './fast-resolver.ts';

/**
 * The node:http fast path answers exactly what the hono routes answer. Each pair asks for the same
 * identity once plainly (fast path) and once with an extra query parameter the routes ignore (hono),
 * and the spy below records which one answered.
 */

let web: DemoWeb;
let server: { url: string; close: () => Promise<void> };
const answered: boolean[] = [];
let item: string;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers that differ per response or per server whatever the route. */
const perResponse = new Set(['date', 'connection', 'keep-alive']);
const comparable = (r: Raw) =>
  Object.fromEntries(Object.entries(r.headers).filter(([k]) => !perResponse.has(k)));

beforeAll(async () => {
  web = await createDemoWeb({ itemCount: 200 });
  const spy: FastPath = async (req, res) => {
    const done = await web.fastPath(req, res);
    answered.push(done);
    return done;
  };
  server = await startWebServer(web.app, 0, '127.0.0.1', spy);
  const d = web.demo.demoItem;
  item = `/01/${d.gtin}/21/${d.serial}`;
});
afterAll(() => server.close());

/** Fetch via the fast path, then via hono; both answers and which path answered each. */
async function pair(path: string, headers: Record<string, string>) {
  answered.length = 0;
  const fast = await get(path, headers);
  const slow = await get(`${path}?via=hono`, headers);
  expect(answered).toEqual([true, false]);
  return { fast, slow };
}

describe('resolver fast path', () => {
  it.each([
    ['link set', { accept: 'application/linkset+json' }],
    ['page', { accept: 'text/html', 'accept-language': 'en-GB,en;q=0.9' }],
    ['page, gzip', { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' }],
    ['page, lang cookie', { accept: 'text/html', cookie: 'a=b; lang=en' }],
  ])('answers the %s as the hono route does (headers, bytes)', async (_name, headers) => {
    // Twice: the first pair may make the entry, the second is served from the cache by both.
    for (let i = 0; i < 2; i++) {
      const { fast, slow } = await pair(item, headers);
      expect(fast.status).toBe(200);
      expect(slow.status).toBe(200);
      expect(comparable(fast)).toEqual(comparable(slow));
      expect(fast.body.equals(slow.body)).toBe(true);
    }
  });

  it('gzips for browsers that accept it, in the language they ask for', async () => {
    const { fast } = await pair(item, { accept: 'text/html', 'accept-encoding': 'gzip', cookie: 'lang=en' });
    expect(fast.headers['content-encoding']).toBe('gzip');
    expect(fast.headers['content-security-policy']).toContain("script-src 'self'");
    expect(fast.headers.link).toContain('rel="linkset"');
    const html = gunzipSync(fast.body).toString('utf8');
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('Dandong strawberries');
  });

  it('answers 304 to a client holding the ETag', async () => {
    const first = await get(item, { accept: 'application/linkset+json' });
    const etag = String(first.headers.etag);
    const { fast, slow } = await pair(item, { accept: 'application/linkset+json', 'if-none-match': etag });
    expect(fast.status).toBe(304);
    expect(fast.body.byteLength).toBe(0);
    expect(comparable(fast)).toEqual(comparable(slow));
  });

  it('counts every page scan once, so the clone warning comes on the 26th scan', async () => {
    const d = web.demo.demoItem;
    const other = `/01/${d.gtin}/21/${d.lot}0007`;
    answered.length = 0;
    for (let i = 1; i <= 25; i++) {
      const page = await get(other, { accept: 'text/html' });
      expect(page.body.toString('utf8')).not.toContain('id="notice-clone"');
    }
    const flagged = await get(other, { accept: 'text/html' });
    expect(flagged.body.toString('utf8')).toContain('id="notice-clone"');
    expect(answered.every((a) => a)).toBe(true);
    expect(web.deps.scans.suspected().map((s) => s.key)).toContain(
      `https://id.gs1.org/01/${d.gtin}/21/${d.lot}0007`,
    );
  });

  it('leaves bad links, unknown items and query strings to hono, without counting them', async () => {
    answered.length = 0;
    const bad = await get('/01/06901234000017/21/X1', { accept: 'text/html' });
    expect(bad.status).toBe(400);
    expect(bad.body.toString('utf8')).toContain('check digit');
    const unknown = await get(`/01/${web.demo.demoItem.gtin}/21/NOPE`, { accept: 'text/html' });
    expect(unknown.status).toBe(404);
    const lang = await get(`${item}?lang=en`, { accept: 'text/html' });
    expect(lang.headers['set-cookie']?.[0]).toContain('lang=en');
    expect(answered).toEqual([false, false, false]);
  });
});
