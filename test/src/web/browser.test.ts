import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoWeb } from '@suyuan/cloud/web/demo';
import { demoPasswords } from '@suyuan/cloud/web/demo';
import { startWebServer } from '@suyuan/cloud/web/server';
import { demoWeb } from '@suyuan/cloud/web/testing';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium } from './chromium.ts';

/**
 * The pages as a phone shows them, in Debian's chromium: the consumer page verifies its own proofs
 * (and says what failed when a proof is tampered with), the regulator traces and holds a lot.
 * Screenshots go to test/artifacts/ (gitignored); any console error fails the test.
 */

const artifacts = join(import.meta.dirname, '..', '..', 'artifacts');
const stepTimeoutMs = 15_000;

let web: DemoWeb;
let server: { url: string; close: () => Promise<void> };
let chromium: Chromium;
let page: Page;
let consoleErrors: string[];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  web = await demoWeb();
  server = await startWebServer(web.app);
  web.deps.publicBase = server.url;
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

async function openPage(): Promise<Page> {
  consoleErrors = [];
  page = await chromium.context.newPage();
  page.setDefaultTimeout(stepTimeoutMs);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return page;
}

afterEach(async () => {
  await page?.close();
});

// A selector wait, not waitForFunction: a string predicate is eval'd in the page, which its CSP forbids.
const badgeSettled = '#verify-badge:not([data-state="checking"])';

describe('consumer page in chromium', () => {
  it('shows the journey, the charts and a badge the page verified itself', async () => {
    const p = await openPage();
    const { gtin, serial } = web.demo.demoItem;
    await p.goto(`${server.url}/01/${gtin}/21/${serial}?lang=en`);
    await p.waitForSelector(badgeSettled);
    expect(await p.getAttribute('#verify-badge', 'data-state')).toBe('verified');
    expect(await p.textContent('#verify-badge .badge-title')).toContain('Verified');
    // 11 on the item's and its lot's chains, 1 on the pallet it rode on
    expect(await p.textContent('#verify-badge .badge-detail')).toContain('12 records');
    expect(await p.locator('#journey li').count()).toBe(9);
    expect(await p.textContent('#journey')).toContain('Harvested');
    expect(await p.locator('figure.chart svg polyline').count()).toBe(3);
    await p.screenshot({ path: join(artifacts, 'consumer-verified.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('says exactly what failed when a tampered proof is served', async () => {
    const p = await openPage();
    await p.route('**/proofs/**', async (route) => {
      const response = await route.fetch();
      const doc = await response.json();
      doc.chains[0].events[2].tx.payload.event.eventTime = '2026-10-01T00:00:00.000Z';
      await route.fulfill({ response, json: doc });
    });
    const { gtin, serial } = web.demo.demoItem;
    await p.goto(`${server.url}/01/${gtin}/21/${serial}?lang=en`);
    await p.waitForSelector(badgeSettled);
    expect(await p.getAttribute('#verify-badge', 'data-state')).toBe('failed');
    expect(await p.textContent('#verify-badge .badge-title')).toBe('Verification failed');
    expect(await p.textContent('#verify-badge .badge-detail')).toContain(
      'Record 3: payload in the signed submission',
    );
    await p.screenshot({ path: join(artifacts, 'consumer-tampered.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});

describe('regulator dashboard in chromium', () => {
  it('logs in, traces a lot, recalls it and sees the affected items; the consumer sees the hold', async () => {
    const p = await openPage();
    // English by the switch's `?lang=en`, whatever chromium's Accept-Language; the cookie keeps it.
    await p.goto(`${server.url}/regulator/login?lang=en`);
    await p.fill('#username', 'regulator');
    await p.fill('#password', demoPasswords.regulator);
    await Promise.all([p.waitForURL(`${server.url}/regulator`), p.click('button[type=submit]')]);
    expect(await p.locator('#replicas tbody tr').count()).toBe(4);
    await p.screenshot({ path: join(artifacts, 'regulator-network.png'), fullPage: true });

    await p.goto(`${server.url}/regulator/search?q=L00001`);
    await Promise.all([p.waitForURL(/\/regulator\/trace/), p.click('#results a >> text=lot L00001')]);
    expect(await p.locator('#trace-graph rect').count()).toBeGreaterThan(10);
    expect(await p.textContent('#forward')).toContain('lot J0001');
    await p.screenshot({ path: join(artifacts, 'regulator-trace.png'), fullPage: true });

    await Promise.all([p.waitForURL(/\/regulator\/recall/), p.click('text=Recall this lot')]);
    expect(await p.textContent('#affected-summary')).toContain('60 items in 2 lot(s)');
    expect(await p.locator('#affected-items tr').count()).toBe(60);
    await p.fill('#reason', 'pesticide residue above limit');
    await p.check('input[value=recall]');
    await Promise.all([p.waitForURL(/\/regulator\/recall\?lot=/), p.click('#hold-form button')]);
    expect(await p.textContent('.notice-red')).toContain('recalled');
    await p.screenshot({ path: join(artifacts, 'regulator-recall.png'), fullPage: true });

    // The switch turns the dashboard Chinese; the recall stays visible in the Chinese wording.
    await Promise.all([p.waitForURL(/lang=zh/), p.click('#lang-switch')]);
    expect(await p.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await p.textContent('#tab-recall')).toBe('召回');
    expect(await p.textContent('#affected-summary')).toContain('件商品');
    expect(await p.textContent('.notice-red')).toContain('已召回');
    await p.screenshot({ path: join(artifacts, 'regulator-recall-zh.png'), fullPage: true });

    const { gtin, serial } = web.demo.demoItem;
    await p.goto(`${server.url}/01/${gtin}/21/${serial}?lang=zh`);
    await p.waitForSelector(badgeSettled);
    expect(await p.textContent('#notice-recall')).toContain('已召回');
    expect(await p.getAttribute('#verify-badge', 'data-state')).toBe('verified');
    await p.screenshot({ path: join(artifacts, 'consumer-recalled-zh.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
