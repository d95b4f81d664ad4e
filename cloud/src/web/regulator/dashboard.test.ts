import { readReferenceJson } from '@suyuan/shared/epcis/reference-files';
import { compileEpcisSchema } from '@suyuan/shared/epcis/schema-validate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoWeb } from '../demo.ts';
import { Client, demoWeb } from '../testing.ts';
import { type ProofsDocument, verifyProofs } from '../verify/verify-trace.ts';

let web: DemoWeb;
let lotKey: string;
beforeAll(async () => {
  web = await demoWeb();
  lotKey = web.demo.lots[0]!.key;
});

describe('login and sessions', () => {
  it('sends pages to the login form and data routes a 401', async () => {
    const c = new Client(web.app, 'en');
    const page = await c.page('/regulator');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/regulator/login');
    expect((await c.request('/regulator/alerts.json')).status).toBe(401);
    expect((await c.request('/regulator/export/epcis?key=L00001')).status).toBe(401);
  });

  it('logs in with an HttpOnly SameSite=Strict session cookie and logs out with the CSRF token', async () => {
    const c = new Client(web.app, 'en');
    const res = await c.login('regulator');
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('sy_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await c.page('/regulator')).status).toBe(200);
    expect((await c.post('/regulator/logout', { _csrf: 'wrong' })).status).toBe(403);
    expect((await c.post('/regulator/logout', { _csrf: await c.csrf() })).status).toBe(303);
    expect((await c.page('/regulator')).status).toBe(303);
  });

  it('refuses a login form without its CSRF token, and a wrong password', async () => {
    const c = new Client(web.app, 'en');
    expect(
      (await c.post('/regulator/login', { _csrf: 'x', username: 'auditor', password: 'auditor-demo-pass' }))
        .status,
    ).toBe(403);
    const form = await (await c.page('/regulator/login')).text();
    const wrong = await c.post('/regulator/login', {
      _csrf: Client.field(form, '_csrf'),
      username: 'auditor',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong user name or password');
  });

  it('throttles a user name after five failures, even for the right password', async () => {
    const c = new Client(web.app, 'en');
    const attempt = async (password: string) => {
      const form = await (await c.page('/regulator/login')).text();
      return c.post('/regulator/login', { _csrf: Client.field(form, '_csrf'), username: 'ghost', password });
    };
    for (let i = 0; i < 5; i++) expect((await attempt('bad')).status).toBe(401);
    const limited = await attempt('bad');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('dashboard pages', () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client(web.app, 'en');
    await c.login('auditor');
  });
  const html = async (path: string, status = 200) => {
    const res = await c.page(path);
    expect(res.status, path).toBe(status);
    return res.text();
  };

  it('network: replicas, groups, heights and lag per chain', async () => {
    const page = await html('/regulator');
    expect(page).toContain('id="replicas"');
    expect(page).toContain('replica-3');
    expect(page).toContain('telemetry height (lag)');
  });

  it('explorer: blocks per chain, one block with its transactions, rejections with reasons', async () => {
    const page = await html('/regulator/explorer?chain=trace');
    expect(page).toContain('href="/regulator/explorer/trace/1"');
    expect(page).toContain('registry.unknownDevice');
    expect(await html('/regulator/explorer/trace/1')).toContain('ObjectEvent');
    expect(await html('/regulator/explorer/telemetry/1')).toContain('readings');
    await html('/regulator/explorer?chain=BAD!', 400);
    await html('/regulator/explorer?chain=trace&before=0', 400);
    await html('/regulator/explorer/trace/99999', 404);
    await html('/regulator/explorer/trace/x', 400);
  });

  it('search finds items, lots, participants and devices', async () => {
    expect(await html('/regulator/search?q=L00001')).toContain('lot L00001');
    expect(
      await html(`/regulator/search?q=${encodeURIComponent(`urn:epc:id:sgtin:6901234.000001.L000010002`)}`),
    ).toContain('item L000010002');
    expect(await html('/regulator/search?q=FreshMart')).toContain('FreshMart Shanghai');
    expect(await html('/regulator/search?q=truck-02')).toContain('truck-02');
    expect(await html('/regulator/search?q=https://x/01/1/21/1')).toContain('class="bad"');
    expect(await html('/regulator/search?q=zzz')).toContain('No matches');
  });

  it('trace draws backward and forward, crossing the jam made from the lot', async () => {
    const page = await html(`/regulator/trace?key=${encodeURIComponent(lotKey)}`);
    expect(page).toContain('id="trace-graph"');
    expect(page).toContain('lot J0001');
    const itemPage = await html('/regulator/trace?key=L000010002');
    expect(itemPage).toMatch(/Backward \(2\)/);
    await html('/regulator/trace?key=', 400);
  });

  it('alerts list every kind the demo contains', async () => {
    const page = await html('/regulator/alerts');
    for (const kind of ['coldChain', 'preHarvestInterval', 'rejected', 'unknownDevice', 'sequenceGap']) {
      expect(page, kind).toContain(`data-kind="${kind}"`);
    }
    const json = (await (await c.request('/regulator/alerts.json')).json()) as {
      alerts: { kind: string; subject: string }[];
    };
    expect(json.alerts.find((a) => a.kind === 'preHarvestInterval')?.subject).toBe(web.demo.lots[2]!.key);
    expect(json.alerts.find((a) => a.kind === 'coldChain')?.subject).toBe(web.demo.lots[1]!.key);
  });

  it('exports an EPCIS 2.0 document valid against the GS1 schema', async () => {
    const validate = compileEpcisSchema(
      readReferenceJson('standards/epcis/EPCIS-JSON-Schema.json') as object,
    );
    for (const key of [lotKey, 'L000010002', 'J00010001']) {
      const res = await c.request(`/regulator/export/epcis?key=${encodeURIComponent(key)}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { epcisBody: { eventList: unknown[] } };
      expect(validate(doc)).toEqual({ ok: true });
      expect(doc.epcisBody.eventList.length).toBeGreaterThan(5);
    }
    expect((await c.request('/regulator/export/epcis?key=nothing')).status).toBe(404);
  });

  it('exports the FSMA 204 sortable spreadsheet, one row per CTE and lot', async () => {
    const res = await c.request(`/regulator/export/fsma204.csv?key=${encodeURIComponent(lotKey)}`);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toContain('Traceability Lot Code,Product Description,Quantity');
    const ctes = new Set(lines.slice(1).map((l) => l.split(',')[4]));
    expect(ctes).toEqual(
      new Set(['Harvesting', 'Initial Packing', 'Shipping', 'Receiving', 'Transformation']),
    );
    expect((await c.request('/regulator/export/fsma204.csv?key=x')).status).toBe(404);
  });

  it('recall shows every affected item, lot and holder; auditors may not hold', async () => {
    const page = await html(`/regulator/recall?lot=${encodeURIComponent(lotKey)}`);
    expect(page).toMatch(/<strong>60<\/strong> items in <strong>2<\/strong> lot/);
    expect(page).not.toContain('id="hold-form"');
    const csv = await (await c.request(`/regulator/recall.csv?lot=${encodeURIComponent(lotKey)}`)).text();
    expect(csv.trim().split('\r\n')).toHaveLength(61);
    await html('/regulator/recall?lot=NOPE', 404);
    const forbidden = await c.post('/regulator/recall/hold', {
      _csrf: await c.csrf(),
      lot: lotKey,
      kind: 'hold',
      reason: 'x',
    });
    expect(forbidden.status).toBe(403);
  });
});

describe('hold', () => {
  it('signs a hold with the regulator key, records it on the ledger, and the consumer sees it', async () => {
    const c = new Client(web.app, 'en');
    await c.login('regulator');
    const lot = web.demo.lots[1]!;
    const path = `/regulator/recall?lot=${encodeURIComponent(lot.key)}`;
    expect(
      (await c.post('/regulator/recall/hold', { _csrf: 'bad', lot: lot.key, kind: 'hold', reason: 'x' }))
        .status,
    ).toBe(403);
    const csrf = await c.csrf(path);
    expect(
      (await c.post('/regulator/recall/hold', { _csrf: csrf, lot: lot.key, kind: 'bogus', reason: 'x' }))
        .status,
    ).toBe(400);
    const before = web.demo.ledger.chains.height('trace');
    const res = await c.post('/regulator/recall/hold', {
      _csrf: csrf,
      lot: lot.key,
      kind: 'hold',
      reason: 'cold chain excursion',
    });
    expect(res.status).toBe(303);
    expect(web.demo.ledger.chains.height('trace')).toBe(before + 1);
    expect(web.demo.ledger.lots.get(lot.key)?.status).toBe('held');
    const item = `/01/${lot.gtin}/21/${lot.lot}0005`;
    expect(await (await c.page(item)).text()).toContain('id="notice-hold"');
    const proofs = (await (await web.app.request(`/proofs${item}`)).json()) as ProofsDocument;
    const result = verifyProofs(proofs, web.deps.model.replicaPublicKeys());
    expect(result.ok).toBe(true);
    // + 1: the pallet the item rode on (its packing event)
    expect(result.eventsChecked).toBe(5 + 5 + 2 + 1);
  });
});
