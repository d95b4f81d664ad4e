import { gunzipSync } from 'node:zlib';
import { SeededRng } from '@suyuan/shared';
import { describe, expect, it } from 'vitest';
import { type BodyPart, gzipParts } from '../cache/gzip-parts.ts';
import { gzipOf, ResponseCache } from '../cache/response-cache.ts';
import { createDemoWeb } from '../demo.ts';
import type { Lang } from '../i18n.ts';
import { canonicalPath, consumerPages, type Target } from './consumer-pages.tsx';

/**
 * The cached page path (shared sections rendered once per lot and kept as bytes, the body joined
 * from parts, the gzip joined from pre-deflated and stored blocks) must give byte for byte the page
 * the plain path renders whole — for every item and lot of the demo ledger, both languages, with
 * and without the clone warning, and after holds and recalls change the ledger.
 */

async function comparePages(
  web: Awaited<ReturnType<typeof createDemoWeb>>,
  targets: readonly Target[],
  clone: (t: Target) => boolean,
) {
  const fast = consumerPages(web.deps, new ResponseCache());
  const slow = consumerPages(web.deps, null);
  const now = web.deps.clock.now();
  let compared = 0;
  for (const lang of ['zh', 'en'] as Lang[]) {
    for (const target of targets) {
      const path = canonicalPath(target);
      const a = await fast.page(target, path, lang, clone(target), now);
      const b = await slow.page(target, path, lang, clone(target), now);
      expect(a, path).not.toBeNull();
      expect(Buffer.from(a!.body).equals(Buffer.from(b!.body)), `${lang} ${path}`).toBe(true);
      expect(a!.etag).toBe(b!.etag);
      expect(gunzipSync(gzipOf(a!)!).equals(Buffer.from(b!.body)), `gzip ${lang} ${path}`).toBe(true);
      compared += 1;
    }
  }
  return compared;
}

describe('consumer page from shared parts', () => {
  it('is byte-identical to the page rendered whole, for every item and lot, gzip included', async () => {
    const web = await createDemoWeb({ itemCount: 200 });
    const items = [...web.demo.ledger.items.values()];
    const lots = [...web.demo.ledger.lots.values()];
    expect(items.length).toBe(210); // 4 lots of 50 and the jam lot of 10
    // Two whole lots (their items share sections; item 1 of each is sold), the jam lot, every lot page.
    const shown = new Set([lots[0]!.lot, lots[1]!.lot, 'J0001']);
    const targets: Target[] = [
      ...items.filter((i) => shown.has(i.lot)).map((i) => ({ gtin: i.gtin, serial: i.serial })),
      ...lots.map((l) => ({ gtin: l.gtin, lot: l.lot })),
    ];
    const compared = await comparePages(web, targets, (t) => t.serial?.endsWith('3') ?? false);
    expect(compared).toBe(2 * (110 + lots.length));

    // A hold on a lot and a recall of one item move the stamp: fresh pages, still identical.
    const lot = lots[1]!;
    const lotItems = items.filter((i) => i.lot === lot.lot && i.gtin === lot.gtin);
    web.demo.ledger.setStatus([lot.key], 'held');
    web.demo.ledger.setStatus([lotItems[7]!.key], 'recalled');
    const again = [
      ...lotItems.map((i) => ({ gtin: i.gtin, serial: i.serial })),
      { gtin: lot.gtin, lot: lot.lot },
    ];
    await comparePages(web, again, () => false);
    const pages = consumerPages(web.deps, new ResponseCache());
    const held = await pages.page(again[0]!, canonicalPath(again[0]!), 'en', false, web.deps.clock.now());
    const recalled = await pages.page(again[7]!, canonicalPath(again[7]!), 'en', false, web.deps.clock.now());
    expect(Buffer.from(held!.body).toString()).toContain('id="notice-hold"');
    expect(Buffer.from(recalled!.body).toString()).toContain('id="notice-recall"');
  });
});

describe('gzipParts', () => {
  it('joins deflated and stored parts into one gzip member that inflates to the body', () => {
    const rng = new SeededRng(7);
    const text = (n: number) =>
      Buffer.from(Array.from({ length: n }, () => '农场 farm <li>,'[rng.int(14)]).join(''));
    for (const sizes of [[], [0], [5], [70_000], [300, 0, 4096, 140_000, 17], [1, 2, 3]]) {
      const parts: BodyPart[] = sizes.map((n, i) => ({ bytes: text(n), shared: i % 2 === 1 }));
      const body = Buffer.concat(parts.map((p) => p.bytes));
      expect(gunzipSync(gzipParts(parts)).equals(body), `sizes ${sizes.join(',')}`).toBe(true);
      // A shared part's deflate is kept and reused.
      expect(gunzipSync(gzipParts(parts)).equals(body)).toBe(true);
      for (const [i, p] of parts.entries())
        expect(p.deflated !== undefined).toBe(i % 2 === 1 && p.bytes.byteLength > 0);
    }
  });
});
