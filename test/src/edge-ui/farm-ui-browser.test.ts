import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway } from '@suyuan/edge/gateway/gateway';
import { tempDir, testConfig, testKey } from '@suyuan/edge/gateway/test-support';
import type { IngestSink, IngestSource } from '@suyuan/edge/ingest/ingest-source';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { SeededRng } from '@suyuan/shared';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The farmer UI mounted on a real gateway (UI listener on 127.0.0.1 port 0, fake cloud), driven by
 * chromium at a phone's 390×844 viewport with JavaScript off: plain HTML forms must do everything.
 * Tag reads come from an ingest source through the gateway's recent-tags tap. Screenshots go to
 * test/artifacts/ for a person to look at.
 */
const artifacts = 'test/artifacts';
const tagEpc = 'E28011606000020400000042';

let dir: ReturnType<typeof tempDir>;
let ledger: FakeLedger;
let replica: FakeReplica;
let gateway: Gateway;
let context: BrowserContext;
let profile: string;
let page: Page;
let base: string;
let sink: IngestSink | undefined;

const tagReader: IngestSource = {
  name: 'test-rfid',
  start: (s) => {
    sink = s;
  },
  stop: () => {},
};

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  dir = tempDir('suyuan-ui-browser-');
  ledger = new FakeLedger();
  // A cloud that answers 503: the fake cloud commits reading batches only, and the backlog is what we show.
  replica = await startFakeReplica(ledger, 'down');
  const config = testConfig(dir.path, [replica.url], ledger, {
    ui: { port: 0, gtin: '06901234123456', companyPrefixLength: 7, farmGln: '6901234000108' },
  });
  expect(config.ui?.host).toBe('127.0.0.1'); // farm Wi-Fi exposure only by explicit config
  gateway = await Gateway.start(config, { key: testKey, rng: new SeededRng(3), sources: [tagReader] });
  expect(gateway.uiServer).not.toBeNull();
  base = `http://127.0.0.1:${gateway.uiServer?.port}`;
  profile = mkdtempSync(join(tmpdir(), 'suyuan-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    javaScriptEnabled: false,
    extraHTTPHeaders: { 'accept-language': 'zh-CN,zh;q=0.9' },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await gateway?.stop();
  await replica?.close();
  dir?.remove();
});

async function submit(path: string, fields: Record<string, string>, selects: Record<string, string> = {}) {
  await page.goto(base + path);
  for (const [name, value] of Object.entries(fields)) await page.fill(`#${name}`, value);
  for (const [name, value] of Object.entries(selects)) await page.selectOption(`#${name}`, { label: value });
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

describe('farmer UI on a phone, no JavaScript', () => {
  it('adds plots, records spraying, is refused harvest, harvests another plot and prints labels', async () => {
    await submit('/plots', { code: 'A1', name: '东坡', crop: '番茄', areaHa: '1.2' });
    await submit('/plots', { code: 'B2', name: '西坡', crop: '黄瓜', areaHa: '0.8' });
    expect(await page.textContent('table')).toContain('西坡');
    await submit(
      '/work',
      { product: '苏云金杆菌', amount: '2', phiDays: '7' },
      { plotId: 'A1 · 东坡', kind: '喷洒农药' },
    );
    expect(await page.textContent('[role=status]')).toContain('已保存');
    await page.screenshot({ path: `${artifacts}/farm-ui-work.png`, fullPage: true });

    await submit(
      '/harvest',
      { lotCode: 'H-A1', quantityKg: '100', itemCount: '2' },
      { plotId: 'A1 · 东坡 · 番茄' },
    );
    expect(await page.textContent('[role=alert]')).toContain('不能采收');
    await page.screenshot({ path: `${artifacts}/farm-ui-harvest-refused.png`, fullPage: true });

    await sink?.tagRead({ readerId: 'reader-1', epc: tagEpc, timeMs: Date.now() });
    await submit(
      '/harvest',
      { lotCode: 'H-B2', quantityKg: '80', itemCount: '6' },
      { plotId: 'B2 · 西坡 · 黄瓜' },
    );
    expect(page.url()).toMatch(/\/lots\/\d+\/labels$/);
    const sheet = page.locator('img.sheet');
    await sheet.waitFor();
    expect((await sheet.boundingBox())?.height ?? 0).toBeGreaterThan(100);
    await page.screenshot({ path: `${artifacts}/farm-ui-labels.png`, fullPage: true });

    const item = gateway.db.prepare('SELECT serial FROM item WHERE tag_epc = ?').get(tagEpc) as {
      serial: number;
    };
    expect(item.serial).toBe(1);
    expect(gateway.outbox.stats().pending + gateway.outbox.stats().accepted).toBe(2);
  });

  it('shows the status page with the sync backlog at 390×844', async () => {
    await page.goto(`${base}/`);
    const main = await page.textContent('main');
    expect(main).toContain('待上传2 个提交');
    expect(main).toContain('最近一次确认上传');
    await page.screenshot({ path: `${artifacts}/farm-ui-status.png`, fullPage: true });
    await page.goto(`${base}/harvest?lang=en`);
    expect(await page.textContent('h1')).toBe('Harvest');
    for (const link of await page.locator('nav a').all()) {
      const box = await link.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    }
    expect(await page.locator(`input[value="${tagEpc}"]`).count()).toBe(0); // bound already
    await page.screenshot({ path: `${artifacts}/farm-ui-harvest-en.png`, fullPage: true });
  });
});
