import { farmFields, type JsonValue, type Reading, readingPayload, verifySubmission } from '@suyuan/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestStore } from '../ingest/ingest-store.ts';
import { sealSubmission } from '../outbox/seal.ts';
import { dayMs } from './pre-harvest.ts';
import { uiHarness, uiTestStart } from './ui-test-support.ts';

let h: ReturnType<typeof uiHarness>;
afterEach(() => h.cleanup());

type Payload = { kind: string; event: Record<string, unknown> };
function queuedEvents(): Payload[][] {
  const rows = h.db.prepare("SELECT body FROM outbox WHERE kind = 'event' ORDER BY seq").all() as {
    body: string;
  }[];
  return rows.map((r) => {
    const body = JSON.parse(r.body) as { submission: unknown };
    return verifySubmission(body.submission, h.key.publicKey).submission.payloads as unknown as Payload[];
  });
}

async function addPlot(code = 'A1') {
  await h.get('/plots');
  const { res } = await h.post('/plots', { code, name: 'East field', crop: 'Tomato', areaHa: '1.5' });
  expect(res.status).toBe(303);
  return Number((h.db.prepare('SELECT id FROM plot WHERE code = ?').get(code) as { id: number }).id);
}

describe('farmer UI: language, status, sessions', () => {
  it('speaks Chinese by default and English from Accept-Language; the switch sticks', async () => {
    h = uiHarness();
    expect((await h.get('/')).text).toContain('与云端同步');
    expect((await h.get('/', { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' })).text).toContain(
      'Sync with the cloud',
    );
    await h.get('/?lang=en');
    expect((await h.get('/', { 'accept-language': 'zh-CN' })).text).toContain('Sync with the cloud');
    expect((await h.get('/?lang=zh')).text).toContain('lang="zh-CN"');
  });

  it('shows devices with their latest readings, the backlog, dead letters and the last commit', async () => {
    h = uiHarness();
    new IngestStore(h.db);
    h.db
      .prepare(
        `INSERT INTO device_seq (device_id, epoch, high_seq, last_time_ms, resets, gaps, last_seen_ms)
         VALUES ('soil-1', 0, 2, ?, 0, 0, ?)`,
      )
      .run(uiTestStart, uiTestStart);
    const readings: Reading[] = [
      { deviceId: 'soil-1', seq: 1, time: uiTestStart - 1000, type: 'Temperature', value: 19.5, uom: 'CEL' },
      { deviceId: 'soil-1', seq: 2, time: uiTestStart, type: 'Temperature', value: 21.25, uom: 'CEL' },
    ];
    const append = (seq: number) => {
      const { body, header } = sealSubmission(
        h.key,
        seq,
        uiTestStart,
        readings.map((r) => readingPayload(r) as unknown as JsonValue),
      );
      h.outbox.append([
        { seq, kind: 'readings', body, header: JSON.stringify(header), payloadCount: 2, critical: false },
      ]);
    };
    for (const seq of [h.outbox.allocateSeq(), h.outbox.allocateSeq(), h.outbox.allocateSeq()]) append(seq);
    h.outbox.markDead(2, 'rejected');
    h.outbox.markCommitted(3, '{}');
    const { text } = await h.get('/?lang=en');
    expect(text).toContain('soil-1');
    expect(text).toContain('21.25 CEL');
    expect(text).not.toContain('19.5 CEL');
    expect(text).toMatch(/Waiting to upload<\/dt><dd>1 submissions/);
    expect(text).toMatch(/dead letters\)<\/dt><dd[^>]*>1</);
    expect(text).toContain('2026-06-01 08:00 UTC');
  });

  it('refuses a POST without or with a wrong CSRF token, and an oversized form', async () => {
    h = uiHarness();
    await h.get('/plots');
    const missing = await h.post('/plots', { code: 'A1', name: 'x', crop: 'x', areaHa: '1' }, false);
    expect(missing.res.status).toBe(403);
    expect(missing.text).toContain('表单已过期');
    const wrong = await h.post(
      '/plots',
      { csrf: 'forged', code: 'A1', name: 'x', crop: 'x', areaHa: '1' },
      false,
    );
    expect(wrong.res.status).toBe(403);
    const big = await h.post('/plots', { code: 'A1', name: 'x'.repeat(20_000), crop: 'x', areaHa: '1' });
    expect(big.res.status).toBe(413);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM plot').get()).toEqual({ n: 0 });
  });

  it('asks for the password when one is set', async () => {
    h = uiHarness({ password: 'correct horse' });
    const first = await h.get('/');
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get('location')).toBe('/login');
    await h.get('/login');
    expect((await h.post('/login', { password: 'wrong one' })).res.status).toBe(401);
    expect((await h.post('/login', { password: 'correct horse' })).res.status).toBe(303);
    expect((await h.get('/')).res.status).toBe(200);
  });

  it('answers an unknown path with a 404 page', async () => {
    h = uiHarness();
    const { res, text } = await h.get('/nowhere?lang=en');
    expect(res.status).toBe(404);
    expect(text).toContain('Not found.');
  });
});

describe('farmer UI: plots and field work', () => {
  it('adds a plot, refuses bad input and a duplicate code', async () => {
    h = uiHarness();
    await addPlot('A1');
    expect((await h.get('/plots')).text).toContain('East field');
    const bad = await h.post('/plots?lang=en', { code: 'A 1!', name: '', crop: 'Rice', areaHa: 'abc' });
    expect(bad.res.status).toBe(400);
    expect(bad.text).toContain('Please correct');
    expect(bad.text).toContain('Area (ha)');
    const dup = await h.post('/plots', { code: 'A1', name: 'Again', crop: 'Rice', areaHa: '2' });
    expect(dup.res.status).toBe(409);
  });

  it('records spraying as a signed EPCIS event with its pre-harvest interval', async () => {
    h = uiHarness();
    const plotId = await addPlot();
    const { res } = await h.post('/work', {
      plotId: String(plotId),
      kind: 'spraying',
      product: 'Bt insecticide',
      amount: '2',
      unit: 'LTR',
      phiDays: '7',
    });
    expect(res.status).toBe(303);
    const [payloads] = queuedEvents();
    expect(payloads?.[0]?.kind).toBe('event');
    const event = payloads?.[0]?.event ?? {};
    expect(event.bizStep).toBe('https://suyuan.example/voc/bizstep/spraying');
    expect(event[farmFields.preHarvestIntervalDays]).toBe(7);
    expect(event[farmFields.productName]).toBe('Bt insecticide');
    expect((await h.get(res.headers.get('location') ?? '')).text).toContain('已保存');
  });

  it('records planting, fertiliser and irrigation; refuses spraying without an interval, and unknown plots', async () => {
    h = uiHarness();
    const plotId = String(await addPlot());
    for (const kind of ['planting', 'fertilising', 'irrigating']) {
      expect((await h.post('/work', { plotId, kind, amount: '', phiDays: '' })).res.status).toBe(303);
    }
    expect(queuedEvents()).toHaveLength(3);
    const noPhi = await h.post('/work?lang=en', { plotId, kind: 'spraying', product: 'X', phiDays: '' });
    expect(noPhi.res.status).toBe(400);
    expect(noPhi.text).toContain('Pre-harvest interval (days)');
    const tooLong = await h.post('/work?lang=zh', { plotId, kind: 'spraying', product: 'X', phiDays: '400' });
    expect(tooLong.res.status).toBe(400);
    expect(tooLong.text).toContain('安全间隔期');
    expect((await h.post('/work', { plotId: '999', kind: 'planting' })).res.status).toBe(400);
    expect((await h.post('/work', { plotId, kind: 'dancing' })).res.status).toBe(400);
    expect(queuedEvents()).toHaveLength(3);
  });
});

describe('farmer UI: harvest', () => {
  async function sprayedPlot() {
    const plotId = String(await addPlot());
    await h.post('/work', { plotId, kind: 'spraying', product: 'Bt', phiDays: '7' });
    return plotId;
  }

  it('refuses harvest inside the pre-harvest interval, in both languages', async () => {
    h = uiHarness();
    const plotId = await sprayedPlot();
    h.clock.advance(3 * dayMs);
    const form = { plotId, lotCode: 'H1', quantityKg: '100', itemCount: '2' };
    const zh = await h.post('/harvest', form);
    expect(zh.res.status).toBe(422);
    expect(zh.text).toContain('不能采收');
    expect(zh.text).toContain('2026-06-08');
    const en = await h.post('/harvest?lang=en', form);
    expect(en.text).toContain('Harvest refused: plot A1 was sprayed with Bt on 2026-06-01');
    expect(en.text).toContain('(4 days left)');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM lot').get()).toEqual({ n: 0 });
    expect(queuedEvents()).toHaveLength(1);
  });

  it('after the interval: commissions items, binds the tags seen, prints QR labels', async () => {
    h = uiHarness();
    const plotId = await sprayedPlot();
    h.clock.advance(7 * dayMs);
    h.recentTags.record({ readerId: 'r1', epc: 'E28011606000020400000001', timeMs: h.clock.now() });
    const page = await h.get('/harvest');
    expect(page.text).toContain('E28011606000020400000001');
    const tags = ['E28011606000020400000001'];
    const { res } = await h.post('/harvest', {
      plotId,
      lotCode: 'H1',
      quantityKg: '120',
      itemCount: '3',
      tags,
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/lots\/\d+\/labels$/);
    const [, harvest] = queuedEvents();
    expect(harvest?.map((p) => p.event.bizStep)).toEqual([
      'https://suyuan.example/voc/bizstep/harvesting',
      'commissioning',
    ]);
    expect(harvest?.[1]?.event.epcList).toHaveLength(3);
    const ilmd = (harvest?.[1]?.event.ilmd ?? {}) as Record<string, unknown>;
    expect(ilmd['suyuan:rfidBindings']).toEqual([
      { epc: 'urn:epc:id:sgtin:6901234.012345.1', rfidTag: 'E28011606000020400000001' },
    ]);
    expect((await h.get(location)).text).toContain(`${location}.svg`);
    const svg = await h.get(`${location}.svg`);
    expect(svg.res.headers.get('content-type')).toContain('image/svg+xml');
    for (const serial of [1, 2, 3]) {
      expect(svg.text).toContain(`https://resolver.example/01/06901234123456/21/${serial}`);
    }
    expect((await h.get('/plots')).text).toContain('H1');
  });

  it('says so when the outbox is full, and records nothing', async () => {
    h = uiHarness({}, { pendingBytesMax: 0, criticalReserveBytes: 0 });
    const plotId = String(await addPlot());
    const { res, text } = await h.post('/work?lang=en', { plotId, kind: 'planting' });
    expect(res.status).toBe(503);
    expect(text).toContain('the upload queue is full');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM field_work').get()).toEqual({ n: 0 });
    expect(h.outbox.stats().pendingBytes).toBe(0);
  });

  it('refuses unseen tags, tags already bound, a duplicate lot and bad numbers', async () => {
    h = uiHarness();
    const plotId = String(await addPlot());
    const tag = 'E28011606000020400000009';
    const unseen = await h.post('/harvest', {
      plotId,
      lotCode: 'H1',
      quantityKg: '1',
      itemCount: '1',
      tags: tag,
    });
    expect(unseen.res.status).toBe(400);
    h.recentTags.record({ readerId: 'r1', epc: tag, timeMs: h.clock.now() });
    expect(
      (await h.post('/harvest', { plotId, lotCode: 'H1', quantityKg: '1', itemCount: '0', tags: tag })).res
        .status,
    ).toBe(303);
    const bound = await h.post('/harvest', {
      plotId,
      lotCode: 'H2',
      quantityKg: '1',
      itemCount: '0',
      tags: tag,
    });
    expect(bound.res.status).toBe(409);
    expect(bound.text).toContain('已绑定');
    expect((await h.get('/harvest')).text).not.toContain(`value="${tag}"`);
    expect(
      (await h.post('/harvest', { plotId, lotCode: 'H1', quantityKg: '1', itemCount: '0' })).res.status,
    ).toBe(409);
    const bad = await h.post('/harvest?lang=en', {
      plotId,
      lotCode: 'H3',
      quantityKg: '-5',
      itemCount: '9999',
    });
    expect(bad.res.status).toBe(400);
    expect(bad.text).toContain('Quantity (kg)');
    expect(bad.text).toContain('Items to commission');
    expect((await h.get('/lots/999/labels')).res.status).toBe(404);
    expect((await h.get('/lots/999/labels.svg')).res.status).toBe(404);
  });
});
