import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookies } from 'hono/utils/cookie';
import { type CachedResponse, gzipOf } from '../cache/response-cache.ts';
import { acceptsGzip, ifNoneMatch } from '../cache/send-cached.ts';
import { pickLang } from '../i18n.ts';
import { securityHeaderPairs } from '../security-headers.ts';
import { type ConsumerPages, canonicalPath } from './consumer-pages.tsx';
import { wantsLinkset } from './linkset.ts';
import { parseTarget, revalidate } from './routes.tsx';

/**
 * The resolver's common requests answered straight on node:http, before hono: `GET /01/…` with no
 * query string and no percent-escapes (what a QR code scan or an API client sends) whose identity
 * exists. A cache hit then costs a map lookup and one `writeHead` + `end` of stored bytes — no
 * WHATWG Request/Response objects, no routing, no header copying — which is most of what a hit cost
 * through hono. Answers are the hono routes' answers (same `ConsumerPages`, same headers, ETag/304,
 * gzip, scan counting, Accept-Language and `lang` cookie), and a test holds them equal. Everything
 * else (query strings: `?lang`, `?region`, `?linkType`; bad or unknown links; other routes) returns
 * false before any side effect, and hono answers it.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Per cached response, its three heads (200, 200 gzip, 304) as flat name/value lists for writeHead. */
interface Heads {
  plain: string[];
  gzip: string[] | null;
  notModified: string[];
}

export function resolverFastPath(pages: ConsumerPages): FastPath {
  const { deps } = pages;
  const regionHeader = deps.regionHeader.toLowerCase();
  const heads = new WeakMap<CachedResponse, Heads>();
  let security: string[] | null = null;

  const headsOf = (entry: CachedResponse, link: string | null, wantGzip: boolean): Heads => {
    let h = heads.get(entry);
    if (!h) {
      const common = [
        ...(security ?? []),
        ...['etag', entry.etag, 'cache-control', revalidate],
        ...['vary', 'Accept, Accept-Language, Accept-Encoding'],
        ...(link === null ? [] : ['link', link]),
      ];
      const typed = [...common, 'content-type', entry.contentType];
      h = { plain: typed, gzip: null, notModified: typed };
      heads.set(entry, h);
    }
    if (wantGzip && h.gzip === null && entry.gzip !== null) {
      const packed = gzipOf(entry);
      if (packed) h.gzip = [...h.plain, 'content-encoding', 'gzip'];
    }
    return h;
  };

  const send = (req: IncomingMessage, res: ServerResponse, entry: CachedResponse, link: string | null) => {
    const wantGzip = entry.gzip !== null && acceptsGzip(req.headers['accept-encoding']);
    const h = headsOf(entry, link, wantGzip);
    if (ifNoneMatch(req.headers['if-none-match'], entry.etag)) {
      res.writeHead(304, h.notModified).end();
      return;
    }
    const gzip = wantGzip && h.gzip ? entry.gzip : null;
    const body = gzip ?? entry.body;
    res.writeHead(200, [...(gzip ? h.gzip! : h.plain), 'content-length', String(body.byteLength)]);
    res.end(body);
  };

  return async (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith('/01/')) return false;
    if (url.includes('?') || url.includes('%')) return false;
    const target = parseTarget(url);
    if ('error' in target) return false;
    security ??= (await securityHeaderPairs()).flat();
    const path = canonicalPath(target);
    const now = deps.clock.now();
    if (wantsLinkset(req.headers.accept, undefined)) {
      const entry = await pages.linkset(target, path, now);
      if (!entry) return false;
      send(req, res, entry, null);
      return true;
    }
    let suspectedClone = false;
    if (target.serial !== undefined) {
      const region = req.headers[regionHeader];
      const counted = await pages.countScan(
        { ...target, serial: target.serial },
        typeof region === 'string' ? region : undefined,
      );
      if (counted === null) return false; // unknown item: nothing counted, hono answers the 404
      suspectedClone = counted;
    }
    const cookie = req.headers.cookie;
    const lang = pickLang(
      undefined,
      cookie ? parseCookies(cookie, 'lang').lang : undefined,
      req.headers['accept-language'],
    );
    const entry = await pages.page(target, path, lang, suspectedClone, now);
    const link = pages.linkHeader(path);
    if (!entry) {
      // The item exists but its page cannot be made (its lot or product is missing): a 404 page,
      // written here because the scan is already counted.
      const html = Buffer.from(await pages.errorHtml(404, lang, path));
      res.writeHead(404, [...(security ?? []), 'content-type', 'text/html; charset=UTF-8']);
      res.end(html);
      return true;
    }
    send(req, res, entry, link);
    return true;
  };
}
