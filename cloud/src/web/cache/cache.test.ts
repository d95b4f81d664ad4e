import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoWeb } from '../demo.ts';
import { defaultCloneSettings } from '../scans/clone-heuristics.ts';
import { demoWeb } from '../testing.ts';
import { defaultResponseCacheLimits, gzipOf, makeCachedResponse, ResponseCache } from './response-cache.ts';
import { acceptsGzip } from './send-cached.ts';

const limits = { ...defaultResponseCacheLimits, entriesMax: 3, bytesMax: 10_000, entryAgeMsMax: 1000 };
const entry = (stamp: string, body: string, at = 0) => makeCachedResponse(stamp, at, 'text/plain', body, 100);

describe('ResponseCache', () => {
  it('answers only for the same change stamp and while young enough', () => {
    const cache = new ResponseCache(limits);
    cache.set('a', entry('s1', 'x'));
    expect(cache.get('a', 's1', 500)?.body).toEqual(new TextEncoder().encode('x'));
    expect(cache.get('a', 's1', 1001)).toBeNull();
    cache.set('a', entry('s1', 'x'));
    expect(cache.get('a', 's2', 0)).toBeNull();
    expect(cache.size).toBe(0);
    expect(cache.byteSize).toBe(0);
  });

  it('keeps entries the stamp fully covers past entryAgeMsMax, until the stamp moves', async () => {
    const cache = new ResponseCache(limits);
    const make = async () => ({ contentType: 'application/linkset+json', body: '{}' });
    const kept = await cache.getOrMake('linkset', 's1', 0, make, false);
    expect(kept?.ages).toBe(false);
    expect(cache.get('linkset', 's1', 10 * limits.entryAgeMsMax)).toBe(kept);
    expect(cache.get('linkset', 's2', 10 * limits.entryAgeMsMax)).toBeNull();
    const page = await cache.getOrMake('page', 's1', 0, make);
    expect(page?.ages).toBe(true);
    expect(cache.get('page', 's1', limits.entryAgeMsMax + 1)).toBeNull();
  });

  it('keeps at most entriesMax and bytesMax, dropping the least recently used', () => {
    const cache = new ResponseCache(limits);
    for (const k of ['a', 'b', 'c']) cache.set(k, entry('s', k));
    cache.get('a', 's', 0);
    cache.set('d', entry('s', 'd'));
    expect(cache.get('b', 's', 0)).toBeNull();
    expect(cache.get('a', 's', 0)).not.toBeNull();
    cache.set('big', entry('s', 'y'.repeat(4000)));
    expect(cache.byteSize).toBeLessThanOrEqual(limits.bytesMax);
    cache.set('huge', entry('s', 'z'.repeat(20_000)));
    expect(cache.get('huge', 's', 0)).toBeNull();
    expect(cache.byteSize).toBeLessThanOrEqual(limits.bytesMax);
  });

  it('makes an entry once and gzips it once, only when that is smaller', async () => {
    const cache = new ResponseCache(limits);
    let made = 0;
    const make = async () => {
      made += 1;
      return { contentType: 'text/html', body: '<p>hello</p>'.repeat(200) };
    };
    const first = await cache.getOrMake('k', 's', 0, make);
    const second = await cache.getOrMake('k', 's', 0, make);
    expect(made).toBe(1);
    expect(second).toBe(first);
    expect(first?.etag).toMatch(/^"[\w-]{27}"$/);
    const gz = gzipOf(first!);
    expect(gunzipSync(gz!).toString()).toBe('<p>hello</p>'.repeat(200));
    expect(gzipOf(first!)).toBe(gz);
    expect(entry('s', 'tiny').gzip).toBeNull();
    expect(await cache.getOrMake('none', 's', 0, async () => null)).toBeNull();
  });

  it('reads Accept-Encoding', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1, gzip;q=0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('cached consumer pages', () => {
  let web: DemoWeb;
  let item: string;
  beforeAll(async () => {
    web = await demoWeb();
    const d = web.demo.demoItem;
    item = `/01/${d.gtin}/21/${d.serial}`;
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    web.app.request(path, { headers: { accept: 'text/html', ...headers } });

  it('gives an ETag, answers 304 to it, and serves the same page gzipped', async () => {
    const first = await get(item);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const html = await first.text();
    expect((await get(item)).headers.get('etag')).toBe(etag);
    const again = await get(item, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    const zipped = await get(item, { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(new Uint8Array(await zipped.arrayBuffer())).toString()).toBe(html);
    const linkset = await get(item, { accept: 'application/linkset+json' });
    const l304 = await get(item, {
      accept: 'application/linkset+json',
      'if-none-match': linkset.headers.get('etag')!,
    });
    expect(l304.status).toBe(304);
  });

  it('counts scans answered from the cache (a 304 is a scan), so clones are still flagged', async () => {
    const d = web.demo.demoItem;
    const serial = `${d.lot}0003`;
    const path = `/01/${d.gtin}/21/${serial}`;
    const etag = (await get(path)).headers.get('etag')!;
    for (let i = 1; i < defaultCloneSettings.expectedScansMax; i++) {
      expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    }
    const flagged = await get(path, { 'if-none-match': etag });
    expect(flagged.status).toBe(200);
    expect(await flagged.text()).toContain('id="notice-clone"');
    expect(web.deps.scans.suspected().some((s) => s.key.endsWith(`/21/${serial}`))).toBe(true);
  });

  it('shows a hold at once: a commit changes the stamp and retires cached pages', async () => {
    const lot = web.demo.lots[2]!;
    const path = `/01/${lot.gtin}/21/${lot.lot}0007`;
    const before = await get(path);
    expect(await before.text()).not.toContain('id="notice-hold"');
    const stamp = web.deps.model.changeStamp();
    web.demo.ledger.setStatus([lot.key], 'held');
    expect(web.deps.model.changeStamp()).not.toBe(stamp);
    const after = await get(path, { 'if-none-match': before.headers.get('etag')! });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('id="notice-hold"');
    const linkset = (await (await get(path, { accept: 'application/linkset+json' })).text()) as string;
    expect(linkset).toContain('held');
  });
});
