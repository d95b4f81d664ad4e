import { type DigitalLink, isSuyuanError, parseDigitalLink, toBase64Url } from '@suyuan/shared';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { verifierBundle } from '../bundle.ts';
import { memoReadModel } from '../cache/memo-read-model.ts';
import { defaultResponseCacheLimits, ResponseCache } from '../cache/response-cache.ts';
import { sendCached } from '../cache/send-cached.ts';
import { type Lang, pickLang } from '../i18n.ts';
import { lotKey } from '../identity.ts';
import type { ItemStatus, ProductInfo, ReadModel } from '../read-model.ts';
import { parseRegion } from '../scans/clone-heuristics.ts';
import type { WebDeps } from '../web-deps.ts';
import { ChartMemo } from './chart-memo.ts';
import { ErrorPage } from './error-page.tsx';
import { ItemPage } from './item-page.tsx';
import { loadItemView, worstStatus } from './item-view.ts';
import { buildLinkset, linksetMediaType, wantsLinkset } from './linkset.ts';

/**
 * The GS1 Digital Link resolver and the consumer page: `/01/<gtin>/21/<serial>` and `/01/<gtin>/10/<lot>`
 * answer a page to a browser and a link set to an API client; `/proofs/…` serves the events with their
 * ledger proofs for the page's own verification; `/assets/verify.js` is the verifier bundle.
 */

export const lotSerialsShownMax = 200;

type Target = { gtin: string; serial?: string; lot?: string };

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

export function canonicalPath(t: Target): string {
  const gtin = `/01/${t.gtin}`;
  return t.serial === undefined
    ? `${gtin}/10/${encodeURIComponent(t.lot ?? '')}`
    : `${gtin}/21/${encodeURIComponent(t.serial)}`;
}

/** Just enough to answer a link set: the product and the identity's status, no history. */
async function findIdentity(
  model: ReadModel,
  t: Target,
): Promise<{ product: ProductInfo; status: ItemStatus } | null> {
  const product = await model.product(t.gtin);
  const item = t.serial === undefined ? null : await model.item(t.gtin, t.serial);
  if (!product || (t.serial !== undefined && !item)) return null;
  const lot = await model.lot(t.gtin, item?.lot ?? t.lot ?? '');
  return lot ? { product, status: worstStatus(lot.status, item?.status ?? 'active') } : null;
}

/** How clients may keep what the resolver answers: always ask again (a recall must show), ETag makes it a 304. */
const revalidate = 'no-cache';

/** The events of an item (and its lot) with their proofs, as the page's verifier fetches them. */
async function proofBundle(model: ReadModel, target: Target) {
  const item = target.serial === undefined ? null : await model.item(target.gtin, target.serial);
  const lotId = target.serial === undefined ? target.lot : item?.lot;
  if (lotId === undefined) return null;
  const keys = [lotKey(target.gtin, lotId)];
  if (item) keys.unshift(item.key);
  const chains = [];
  for (const key of keys) chains.push({ key, events: await model.eventsFor(key) });
  if (chains.every((ch) => ch.events.length === 0)) return null;
  return { contentType: 'application/json', body: JSON.stringify({ v: 1, chains }) };
}

/** `cache` null: nothing kept between requests (the benchmark's baseline). */
export function consumerRoutes(deps: WebDeps, cache: ResponseCache | null): Hono {
  const app = new Hono();
  const replicaKeys = deps.model.replicaPublicKeys().map(toBase64Url);
  const stamp = () => deps.model.changeStamp();
  // What a page miss reads (a lot's history, readings, parties) is shared by the lot's items.
  const model = cache ? memoReadModel(deps.model, () => deps.clock.now()) : deps.model;
  const charts = cache ? new ChartMemo() : undefined;
  const responses = cache ?? new ResponseCache({ ...defaultResponseCacheLimits, entriesMax: 0 });

  const errorPage = (c: Context, status: 400 | 404, detail: string) => {
    const lang = langOf(c);
    if (wantsLinkset(c.req.header('accept'), c.req.query('linkType'))) {
      return c.json(
        { error: { code: status === 400 ? 'resolver.badLink' : 'resolver.notFound', message: detail } },
        status,
      );
    }
    return c.html(<ErrorPage status={status} lang={lang} detail={detail} />, status);
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
    const entry = await responses.getOrMake(
      `proofs|${canonicalPath(target)}`,
      stamp(),
      deps.clock.now(),
      () => proofBundle(model, target),
      // Committed proofs never change; new events move the stamp.
      false,
    );
    if (!entry)
      return c.json({ error: { code: 'resolver.notFound', message: 'unknown item or no events' } }, 404);
    return sendCached(c, entry, revalidate);
  });

  app.get('/01/*', async (c) => {
    const target = parseTarget(c.req.path);
    if ('error' in target) return errorPage(c, 400, target.error);
    const path = canonicalPath(target);
    const anchor = `${deps.publicBase}${path}`;
    const now = deps.clock.now();
    if (wantsLinkset(c.req.header('accept'), c.req.query('linkType'))) {
      const entry = await responses.getOrMake(
        `linkset|${path}`,
        stamp(),
        now,
        async () => {
          const found = await findIdentity(model, target);
          if (!found) return null;
          const body = buildLinkset({
            anchor,
            title: `${found.product.name.zh} ${found.product.name.en}`,
            proofsUrl: `${deps.publicBase}/proofs${path}`,
            qrSvgUrl: target.serial === undefined ? null : `${deps.publicBase}/qr${path}.svg`,
            labelsUrl: target.serial === undefined ? `${deps.publicBase}/labels${path}` : null,
            status: found.status,
          });
          return { contentType: linksetMediaType, body: JSON.stringify(body) };
        },
        false,
      );
      return entry ? sendCached(c, entry, revalidate) : errorPage(c, 404, path);
    }
    // Count the scan before anything can come from the cache: a cached page is still a scan.
    let suspectedClone = false;
    if (target.serial !== undefined) {
      const item = await deps.model.item(target.gtin, target.serial);
      if (!item) return errorPage(c, 404, path);
      const region = parseRegion(c.req.query('region') ?? c.req.header(deps.regionHeader));
      suspectedClone = deps.scans.record(item.key, region, item.lastShipmentRegion).suspected;
    }
    const lang = langOf(c);
    const key = `page|${lang}|${suspectedClone ? 'clone' : 'ok'}|${path}`;
    const entry = await responses.getOrMake(key, stamp(), now, async () => {
      const view = await loadItemView(model, target.gtin, target, now);
      if (!view) return null;
      const lotSerials = view.item
        ? []
        : await model.lotSerials(target.gtin, view.lot.lot, lotSerialsShownMax);
      const page = (
        <ItemPage
          view={view}
          lang={lang}
          path={path}
          proofsUrl={`/proofs${path}`}
          replicaKeys={replicaKeys}
          scriptUrl="/assets/verify.js"
          suspectedClone={suspectedClone}
          lotSerials={lotSerials}
          charts={charts}
        />
      );
      return { contentType: 'text/html; charset=UTF-8', body: String(await page.toString()) };
    });
    if (!entry) return errorPage(c, 404, path);
    c.header('Link', `<${anchor}?linkType=all>; rel="linkset"; type="${linksetMediaType}"`);
    return sendCached(c, entry, revalidate);
  });

  return app;
}
