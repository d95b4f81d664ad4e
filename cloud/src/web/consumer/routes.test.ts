import { fromBase64Url } from '@suyuan/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoWeb } from '../demo.ts';
import { Client, sharedDemoWeb } from '../testing.ts';
import { type ProofsDocument, verifyProofs } from '../verify/verify-trace.ts';

let web: DemoWeb;
let item: string;
let lot: string;
beforeAll(async () => {
  web = await sharedDemoWeb();
  const d = web.demo.demoItem;
  item = `/01/${d.gtin}/21/${d.serial}`;
  lot = `/01/${d.gtin}/10/${d.lot}`;
});

const get = (path: string, headers: Record<string, string> = {}) => web.app.request(path, { headers });

describe('resolver: browsers get the consumer page', () => {
  it('shows product, journey, charts and the badge, in Chinese by default', async () => {
    const res = await get(item, { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toContain('Accept');
    expect(res.headers.get('link')).toContain('rel="linkset"');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN"');
    expect(html).toContain('丹东草莓');
    for (const step of ['播种', '施药', '采收', '贴码', '发运', '收货', '冷库储存'])
      expect(html).toContain(step);
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html).toContain('id="verify-badge"');
    expect(html).toContain(`data-proofs="/proofs${item}"`);
    expect(html).not.toContain('id="notice-hold"');
    expect(html).not.toContain('id="notice-recall"');
  });

  it('follows Accept-Language, and ?lang sets a cookie the switch relies on', async () => {
    expect(await (await get(item, { 'accept-language': 'en-GB,en;q=0.9' })).text()).toContain(
      'Dandong strawberries',
    );
    const client = new Client(web.app);
    await client.page(`${item}?lang=en`);
    expect(client.cookies.get('lang')).toBe('en');
    expect(await (await client.page(item)).text()).toContain('Planted');
  });

  it('shows a lot page listing its items', async () => {
    const html = await (await get(lot, { accept: 'text/html' })).text();
    expect(html).toContain(`href="/01/${web.demo.demoItem.gtin}/21/${web.demo.demoItem.lot}0050"`);
  });

  it('answers 400 for malformed links and 404 for unknown items, with the reason', async () => {
    const badCheck = await get('/01/06901234000017/21/X1', { accept: 'text/html' });
    expect(badCheck.status).toBe(400);
    expect(await badCheck.text()).toContain('check digit');
    expect((await get('/01/06901234000016')).status).toBe(400);
    expect((await get('/01/06901234000016/21/A/10/B')).status).toBe(400);
    expect((await get('/01/abc/21/1')).status).toBe(400);
    const unknown = await get('/01/06901234000016/21/NOPE', { accept: 'text/html' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('/01/06901234000016/21/NOPE');
    expect((await get('/01/00000000000000/21/1')).status).toBe(404);
  });
});

describe('resolver: API clients get a GS1 link set', () => {
  it('by Accept header or linkType=all', async () => {
    for (const [path, accept] of [
      [item, 'application/linkset+json'],
      [`${item}?linkType=all`, '*/*'],
    ] as const) {
      const res = await get(path, { accept });
      expect(res.headers.get('content-type')).toBe('application/linkset+json');
      const body = (await res.json()) as { linkset: Record<string, unknown>[] };
      expect(body.linkset[0]!.anchor).toBe(`${web.deps.publicBase}${item}`);
      expect(body.linkset[0]!['https://gs1.org/voc/pip']).toHaveLength(2);
      expect(JSON.stringify(body)).toContain(`/proofs${item}`);
    }
  });

  it('errors are JSON for API clients', async () => {
    const res = await get('/01/06901234000017/21/X1', { accept: 'application/linkset+json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'resolver.badLink' } });
  });
});

describe('proofs, verifier bundle, QR codes and labels', () => {
  it('serves proofs that verify with the replica keys', async () => {
    const res = await get(`/proofs${item}`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as ProofsDocument;
    // The item's chain, its lot's, and the pallet it rode on (one packing event in the fixture).
    expect(doc.chains.map((c) => c.events.length)).toEqual([5, 6, 1]);
    expect(doc.chains[2]?.key).toContain('/00/');
    const keys = web.deps.model
      .replicaPublicKeys()
      .map((k) => fromBase64Url(Buffer.from(k).toString('base64url')));
    expect(verifyProofs(doc, keys).ok).toBe(true);
    expect((await get(`/proofs${lot}`)).status).toBe(200);
    expect((await get('/proofs/01/06901234000016/21/NOPE')).status).toBe(404);
    expect((await get('/proofs/01/1/21/1')).status).toBe(400);
  });

  it('serves the verifier bundle with an ETag', async () => {
    const res = await get('/assets/verify.js');
    expect(res.headers.get('content-type')).toContain('javascript');
    expect((await res.text()).length).toBeGreaterThan(10_000);
    expect((await get('/assets/verify.js', { 'if-none-match': res.headers.get('etag')! })).status).toBe(304);
  });

  it('draws item QR codes as PNG and SVG', async () => {
    const png = await get(`/qr${item}.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await (await get(`/qr${item}.svg`)).text()).toMatch(/^<svg/);
    expect((await get(`/qr${item}.gif`)).status).toBe(400);
    expect((await get(`/qr${lot}.png`)).status).toBe(400);
    expect((await get('/qr/01/06901234000016/21/NOPE.png')).status).toBe(404);
  });

  it('prints a label sheet per lot', async () => {
    const html = await (await get(`/labels${lot}`)).text();
    expect(html.match(/<svg/g)?.length).toBe(50);
    expect((await get(`/labels${item}`)).status).toBe(400);
    expect((await get('/labels/01/06901234000016/10/NOPE')).status).toBe(404);
  });

  it('unknown routes are JSON 404s', async () => {
    expect(await (await get('/nothing')).json()).toMatchObject({ error: { code: 'http.notFound' } });
  });
});

describe('scan counting', () => {
  it('flags a serial scanned in regions it was not shipped to, and warns the consumer', async () => {
    const other = `/01/${web.demo.demoItem.gtin}/21/${web.demo.demoItem.lot}0003`;
    const first = await (await get(`${other}?region=CN-SH`)).text();
    expect(first).not.toContain('notice-clone');
    for (let i = 0; i < 3; i++) await get(other, { 'x-suyuan-region': 'US-CA' });
    expect(await (await get(other)).text()).toContain('id="notice-clone"');
    expect(web.deps.scans.suspected().map((s) => s.key)).toContain(`https://id.gs1.org${other}`);
  });
});
