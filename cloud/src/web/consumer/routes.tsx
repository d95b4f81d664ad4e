import { type DigitalLink, isSuyuanError, parseDigitalLink } from '@suyuan/shared';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { verifierBundle } from '../bundle.ts';
import { sendCached } from '../cache/send-cached.ts';
import { type Lang, pickLang } from '../i18n.ts';
import { type ConsumerPages, canonicalPath, type Target } from './consumer-pages.tsx';
import { wantsLinkset } from './linkset.ts';

/**
 * The GS1 Digital Link resolver and the consumer page: `/01/<gtin>/21/<serial>` and `/01/<gtin>/10/<lot>`
 * answer a page to a browser and a link set to an API client; `/proofs/…` serves the events with their
 * ledger proofs for the page's own verification; `/assets/verify.js` is the verifier bundle. What they
 * answer comes from `consumer-pages.tsx`; the node:http fast path (`fast-resolver.ts`) answers the
 * common requests the same way without these routes.
 */

export { canonicalPath, lotSerialsShownMax } from './consumer-pages.tsx';

function langOf(c: Context): Lang {
  const query = c.req.query('lang');
  const lang = pickLang(query, getCookie(c, 'lang'), c.req.header('accept-language'));
  if (query === lang) setCookie(c, 'lang', lang, { path: '/', maxAge: 31_536_000, sameSite: 'Lax' });
  return lang;
}

/** Parse the request path as a Digital Link; the 400 answer when it is not one. */
export function parseTarget(path: string): Target | { error: string } {
  let link: DigitalLink;
  try {
    link = parseDigitalLink(`https://resolver${path}`);
  } catch (error) {
    if (isSuyuanError(error)) return { error: error.message };
    throw error;
  }
  if (link.primary.ai !== '01') return { error: 'this resolver serves trade items (AI 01) only' };
  const serial = link.qualifiers['21'];
  const lot = link.qualifiers['10'];
  if (serial === undefined && lot === undefined)
    return { error: 'a GTIN alone names a product class; add /21/<serial> or /10/<lot>' };
  return {
    gtin: link.primary.value,
    ...(serial === undefined ? {} : { serial }),
    ...(lot === undefined ? {} : { lot }),
  };
}

/** How clients may keep what the resolver answers: always ask again (a recall must show), ETag makes it a 304. */
export const revalidate = 'no-cache';

export function consumerRoutes(pages: ConsumerPages): Hono {
  const app = new Hono();
  const { deps } = pages;

  const errorPage = async (c: Context, status: 400 | 404, detail: string) => {
    const lang = langOf(c);
    if (wantsLinkset(c.req.header('accept'), c.req.query('linkType'))) {
      return c.json(
        { error: { code: status === 400 ? 'resolver.badLink' : 'resolver.notFound', message: detail } },
        status,
      );
    }
    return c.html(await pages.errorHtml(status, lang, detail), status);
  };

  app.get('/assets/verify.js', async (c) => {
    const bundle = await verifierBundle();
    c.header('ETag', bundle.etag);
    c.header('Cache-Control', 'public, max-age=300');
    if (c.req.header('if-none-match') === bundle.etag) return c.body(null, 304);
    return c.body(bundle.code, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  app.get('/proofs/01/*', async (c) => {
    const target = parseTarget(c.req.path.slice('/proofs'.length));
    if ('error' in target) return c.json({ error: { code: 'resolver.badLink', message: target.error } }, 400);
    const entry = await pages.proofs(target, canonicalPath(target), deps.clock.now());
    if (!entry)
      return c.json({ error: { code: 'resolver.notFound', message: 'unknown item or no events' } }, 404);
    return sendCached(c, entry, revalidate);
  });

  app.get('/01/*', async (c) => {
    const target = parseTarget(c.req.path);
    if ('error' in target) return errorPage(c, 400, target.error);
    const path = canonicalPath(target);
    const now = deps.clock.now();
    if (wantsLinkset(c.req.header('accept'), c.req.query('linkType'))) {
      const entry = await pages.linkset(target, path, now);
      return entry ? sendCached(c, entry, revalidate) : errorPage(c, 404, path);
    }
    // Count the scan before anything can come from the cache: a cached page is still a scan.
    let suspectedClone = false;
    if (target.serial !== undefined) {
      const region = c.req.query('region') ?? c.req.header(deps.regionHeader);
      const counted = await pages.countScan({ ...target, serial: target.serial }, region);
      if (counted === null) return errorPage(c, 404, path);
      suspectedClone = counted;
    }
    const entry = await pages.page(target, path, langOf(c), suspectedClone, now);
    if (!entry) return errorPage(c, 404, path);
    c.header('Link', pages.linkHeader(path));
    return sendCached(c, entry, revalidate);
  });

  return app;
}
