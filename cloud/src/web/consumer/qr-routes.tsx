import { Hono } from 'hono';
import { raw } from 'hono/html';
import QRCode from 'qrcode';
import { defaultResponseCacheLimits, ResponseCache } from '../cache/response-cache.ts';
import { sendCached } from '../cache/send-cached.ts';
import { strings } from '../i18n.ts';
import { Page } from '../layout.tsx';
import type { WebDeps } from '../web-deps.ts';
import { canonicalPath, parseTarget } from './routes.tsx';

/**
 * QR codes: one per item (PNG or SVG, the item's Digital Link on this resolver) and a printable label
 * sheet per lot (inline SVG codes, A4, 3 × 8 labels a page).
 */

export const labelSheetItemsMax = 1000;
export const qrPngWidthPx = 300;

const qrOptions = { errorCorrectionLevel: 'M' as const, margin: 2 };

export function qrRoutes(deps: WebDeps, cache: ResponseCache | null): Hono {
  const app = new Hono();

  app.get('/qr/01/*', async (c) => {
    const m = /^(.*)\.(png|svg)$/.exec(c.req.path.slice('/qr'.length));
    if (!m) return c.json({ error: { code: 'qr.badFormat', message: 'ask for .png or .svg' } }, 400);
    const target = parseTarget(m[1] ?? '');
    if ('error' in target) return c.json({ error: { code: 'resolver.badLink', message: target.error } }, 400);
    if (target.serial === undefined) {
      return c.json(
        { error: { code: 'qr.notItem', message: 'QR images are per item; lots get /labels' } },
        400,
      );
    }
    const serial = target.serial;
    // A QR code names a path on this resolver: it never changes once the item exists.
    const entry = await (
      cache ?? new ResponseCache({ ...defaultResponseCacheLimits, entriesMax: 0 })
    ).getOrMake(
      `qr|${m[1]}.${m[2]}`,
      'qr',
      deps.clock.now(),
      async () => {
        if (!(await deps.model.item(target.gtin, serial))) return null;
        const url = `${deps.publicBase}${canonicalPath(target)}`;
        if (m[2] === 'svg') {
          return {
            contentType: 'image/svg+xml',
            body: await QRCode.toString(url, { ...qrOptions, type: 'svg' }),
          };
        }
        const png = await QRCode.toBuffer(url, { ...qrOptions, type: 'png', width: qrPngWidthPx });
        return { contentType: 'image/png', body: new Uint8Array(png) };
      },
      false,
    );
    if (!entry) return c.json({ error: { code: 'resolver.notFound', message: 'unknown item' } }, 404);
    return sendCached(c, entry, 'public, max-age=86400');
  });

  app.get('/labels/01/*', async (c) => {
    const target = parseTarget(c.req.path.slice('/labels'.length));
    if ('error' in target) return c.json({ error: { code: 'resolver.badLink', message: target.error } }, 400);
    if (target.lot === undefined || target.serial !== undefined) {
      return c.json(
        { error: { code: 'labels.notLot', message: 'label sheets are per lot: /labels/01/<gtin>/10/<lot>' } },
        400,
      );
    }
    const [lot, product] = [
      await deps.model.lot(target.gtin, target.lot),
      await deps.model.product(target.gtin),
    ];
    if (!lot || !product)
      return c.json({ error: { code: 'resolver.notFound', message: 'unknown lot' } }, 404);
    const serials = await deps.model.lotSerials(target.gtin, target.lot, labelSheetItemsMax);
    const labels = await Promise.all(
      serials.map(async (serial) => {
        const path = canonicalPath({ gtin: target.gtin, serial });
        return {
          serial,
          svg: await QRCode.toString(`${deps.publicBase}${path}`, { ...qrOptions, type: 'svg' }),
        };
      }),
    );
    const css = `@page{size:A4;margin:10mm}.sheet{display:grid;grid-template-columns:repeat(3,1fr);gap:4mm}
.label{border:1px dashed #9fb3a7;padding:3mm;text-align:center;break-inside:avoid;font-size:9pt}.label svg{width:32mm;height:32mm}`;
    return c.html(
      <Page title={`${strings.zh.qrLabels} · ${lot.lot}`} lang="zh-CN">
        <style>{raw(css)}</style>
        <h1>
          {product.name.zh} {product.name.en} · {lot.lot}
        </h1>
        <div class="sheet">
          {labels.map((l) => (
            <div class="label">
              {raw(l.svg)}
              <div>{product.name.zh}</div>
              <div>
                <code>{l.serial}</code>
              </div>
            </div>
          ))}
        </div>
      </Page>,
    );
  });

  return app;
}
