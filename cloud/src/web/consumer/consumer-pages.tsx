import { randomBytes } from 'node:crypto';
import { toBase64Url } from '@suyuan/shared';
import { raw } from 'hono/html';
import { memoReadModel } from '../cache/memo-read-model.ts';
import { type CachedResponse, defaultResponseCacheLimits, ResponseCache } from '../cache/response-cache.ts';
import type { Lang } from '../i18n.ts';
import { lotKey } from '../identity.ts';
import { pageCss } from '../layout.tsx';
import type { ItemInfo, ItemStatus, ProductInfo, ReadModel } from '../read-model.ts';
import { parseRegion } from '../scans/clone-heuristics.ts';
import type { WebDeps } from '../web-deps.ts';
import { ChartMemo } from './chart-memo.ts';
import { containerHistories } from './containers.ts';
import { ErrorPage } from './error-page.tsx';
import { ItemPage, ItemSections } from './item-page.tsx';
import { loadItemView, worstStatus } from './item-view.ts';
import { buildLinkset, linksetMediaType } from './linkset.ts';
import { joinParts, sharedPart } from './page-parts.ts';
import { StampMemo } from './stamp-memo.ts';

/**
 * What the resolver answers, apart from HTTP: the link set, the consumer page and the proof bundle of
 * an identity, each made once per ledger change stamp and kept in the response cache, and the scan
 * count. Both front ends use it — the hono routes (`routes.tsx`) and the raw node:http fast path
 * (`fast-resolver.ts`) — so they answer the same bytes.
 */

export const lotSerialsShownMax = 200;

export type Target = { gtin: string; serial?: string; lot?: string };

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

/** The events of an item (and its lot) with their proofs, as the page's verifier fetches them. */
async function proofBundle(model: ReadModel, target: Target) {
  const item = target.serial === undefined ? null : await model.item(target.gtin, target.serial);
  const lotId = target.serial === undefined ? target.lot : item?.lot;
  if (lotId === undefined) return null;
  const keys = [lotKey(target.gtin, lotId)];
  if (item) keys.unshift(item.key);
  const chains = [];
  for (const key of keys) chains.push({ key, events: await model.eventsFor(key) });
  // The pallets the item rode on: their whole chains, so the page can check their hash links.
  if (item && chains[0]) {
    for (const { span, history } of await containerHistories(model, item.key, chains[0].events))
      chains.push({ key: span.key, events: history });
  }
  if (chains.every((ch) => ch.events.length === 0)) return null;
  return { contentType: 'application/json', body: JSON.stringify({ v: 1, chains }) };
}

export interface ConsumerPages {
  readonly deps: WebDeps;
  /** The `Link` header every page carries, pointing at its link set. */
  linkHeader(path: string): string;
  linkset(target: Target, path: string, nowMs: number): Promise<CachedResponse | null>;
  proofs(target: Target, path: string, nowMs: number): Promise<CachedResponse | null>;
  /**
   * Count a scan of a serial (before any cache: a cached page is still a scan); null when the item
   * is unknown, else whether it is now a suspected clone. `regionRaw`: `?region=` or the proxy header.
   */
  countScan(target: Target & { serial: string }, regionRaw: string | undefined): Promise<boolean | null>;
  page(
    target: Target,
    path: string,
    lang: Lang,
    suspectedClone: boolean,
    nowMs: number,
  ): Promise<CachedResponse | null>;
  errorHtml(status: 400 | 404, lang: Lang, detail: string): Promise<string>;
}

/** `cache` null: nothing kept between requests (the benchmark's baseline). */
export function consumerPages(deps: WebDeps, cache: ResponseCache | null): ConsumerPages {
  const replicaKeys = deps.model.replicaPublicKeys().map(toBase64Url);
  const replicaGroups = deps.model.replicaGroups?.();
  const stamp = () => deps.model.changeStamp();
  // What a page miss reads (a lot's history, readings, parties) is shared by the lot's items.
  const model = cache ? memoReadModel(deps.model, () => deps.clock.now()) : deps.model;
  const charts = cache ? new ChartMemo() : undefined;
  const responses = cache ?? new ResponseCache({ ...defaultResponseCacheLimits, entriesMax: 0 });

  // The journey and charts of a lot's items, rendered once per lot, language and story (see
  // ItemView.storyKey) while the stamp holds, kept as bytes with their deflate (page-parts.ts).
  const sectionsMemo = cache ? new StampMemo(stamp, () => deps.clock.now()) : undefined;
  const sectionsNeedle = `<!--sections ${randomBytes(12).toString('base64url')}-->`;
  const cssPart = sharedPart(pageCss, pageCss);

  const renderPage = async (target: Target, path: string, lang: Lang, clone: boolean, now: number) => {
    const view = await loadItemView(model, target.gtin, target, now, sectionsMemo);
    if (!view) return null;
    const lotSerials = view.item ? [] : await model.lotSerials(target.gtin, view.lot.lot, lotSerialsShownMax);
    const sections = await sectionsMemo?.get(`sections|${lang}|${view.storyKey}`, async () =>
      sharedPart(
        sectionsNeedle,
        String(await (<ItemSections view={view} lang={lang} charts={charts} />).toString()),
      ),
    );
    const render = async (withSections: boolean) =>
      String(
        await (
          <ItemPage
            view={view}
            lang={lang}
            path={path}
            proofsUrl={`/proofs${path}`}
            replicaKeys={replicaKeys}
            {...(replicaGroups ? { replicaGroups } : {})}
            scriptUrl="/assets/verify.js"
            suspectedClone={clone}
            lotSerials={lotSerials}
            charts={charts}
            sections={withSections ? raw(sectionsNeedle) : undefined}
          />
        ).toString(),
      );
    const contentType = 'text/html; charset=UTF-8';
    const joined = sections ? joinParts(await render(true), [cssPart, sections]) : null;
    return joined ? { contentType, ...joined } : { contentType, body: await render(false) };
  };

  return {
    deps,
    linkHeader: (path) =>
      `<${deps.publicBase}${path}?linkType=all>; rel="linkset"; type="${linksetMediaType}"`,
    linkset: (target, path, now) =>
      responses.getOrMake(
        `linkset|${path}`,
        stamp(),
        now,
        async () => {
          const found = await findIdentity(model, target);
          if (!found) return null;
          const body = buildLinkset({
            anchor: `${deps.publicBase}${path}`,
            title: `${found.product.name.zh} ${found.product.name.en}`,
            proofsUrl: `${deps.publicBase}/proofs${path}`,
            qrSvgUrl: target.serial === undefined ? null : `${deps.publicBase}/qr${path}.svg`,
            labelsUrl: target.serial === undefined ? `${deps.publicBase}/labels${path}` : null,
            status: found.status,
          });
          return { contentType: linksetMediaType, body: JSON.stringify(body) };
        },
        false,
      ),
    // Committed proofs never change; new events move the stamp.
    proofs: (target, path, now) =>
      responses.getOrMake(`proofs|${path}`, stamp(), now, () => proofBundle(model, target), false),
    async countScan(target, regionRaw) {
      const item: ItemInfo | null = await deps.model.item(target.gtin, target.serial);
      if (!item) return null;
      return deps.scans.record(item.key, parseRegion(regionRaw), item.lastShipmentRegion).suspected;
    },
    page: (target, path, lang, clone, now) =>
      responses.getOrMake(`page|${lang}|${clone ? 'clone' : 'ok'}|${path}`, stamp(), now, () =>
        renderPage(target, path, lang, clone, now),
      ),
    errorHtml: async (status, lang, detail) =>
      String(await (<ErrorPage status={status} lang={lang} detail={detail} />).toString()),
  };
}
