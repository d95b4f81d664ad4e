import type { Context } from 'hono';
import { type CachedResponse, gzipOf } from './response-cache.ts';

/**
 * Answer from a cached response: 304 when the client already holds this ETag, the stored gzip when
 * the client accepts it (no per-request compression), the plain bytes otherwise. `cacheControl`
 * says how long others may keep it: pages say `no-cache` so every view comes back (and is counted)
 * and costs only a 304.
 */
export function sendCached(c: Context, entry: CachedResponse, cacheControl: string, status: 200 = 200) {
  c.header('ETag', entry.etag);
  c.header('Cache-Control', cacheControl);
  c.header('Vary', 'Accept, Accept-Language, Accept-Encoding', { append: false });
  // On a 304 too: @hono/node-server would otherwise add text/plain, which a cache could copy onto
  // its stored response.
  c.header('Content-Type', entry.contentType);
  if (ifNoneMatch(c.req.header('if-none-match'), entry.etag)) return c.body(null, 304);
  const gzip = entry.gzip !== null && acceptsGzip(c.req.header('accept-encoding')) ? gzipOf(entry) : null;
  if (gzip) {
    c.header('Content-Encoding', 'gzip');
    return c.body(gzip as Uint8Array<ArrayBuffer>, status);
  }
  return c.body(entry.body as Uint8Array<ArrayBuffer>, status);
}

export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** gzip listed and not refused with q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
