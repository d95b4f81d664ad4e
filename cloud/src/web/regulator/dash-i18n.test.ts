import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoWeb } from '../demo.ts';
import { Client, demoWeb } from '../testing.ts';
import { dashStrings } from './dash-i18n.ts';

let web: DemoWeb;
beforeAll(async () => {
  web = await demoWeb();
});

/** Every leaf path of a strings table, e.g. `recall.show`. */
function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, prefix ? `${prefix}.${k}` : k),
  );
}

// Key pages of the dashboard, each with a string only its language shows.
const pages = [
  ['/regulator', { en: 'Last commit', zh: '最近提交' }],
  ['/regulator/explorer', { en: 'Rejected submissions', zh: '被拒绝的提交' }],
  ['/regulator/search?q=L00001', { en: 'lot L00001', zh: '批次 L00001' }],
  ['/regulator/trace?key=L00001', { en: 'Forward (', zh: '向下追踪（' }],
  ['/regulator/recall?lot=L00001', { en: ' items in ', zh: ' 件商品，分布在 ' }],
  ['/regulator/alerts', { en: 'unknown device', zh: '未知设备' }],
] as const;

// Interface words that must not leak into the Chinese pages, and Chinese ones into the English pages.
const englishChrome = ['Log out', 'Network', 'Explorer', 'Recall', 'Alerts', 'Height', 'Backward', 'Search'];
const chineseChrome = ['退出', '网络', '区块', '召回', '警报', '高度', '查询'];

describe('dashboard strings table', () => {
  it('has the same keys in both languages, each translated', () => {
    expect(leaves(dashStrings.zh)).toEqual(leaves(dashStrings.en));
    const get = (lang: 'zh' | 'en', path: string) =>
      path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], dashStrings[lang]);
    const same = leaves(dashStrings.en).filter((p) => get('en', p) === get('zh', p));
    expect(same).toEqual([]);
  });
});

describe.each([
  ['zh', 'zh-CN,zh;q=0.9,en;q=0.5', '<html lang="zh-CN">'],
  ['en', 'en-GB,en;q=0.9', '<html lang="en">'],
] as const)('dashboard in %s from Accept-Language', (lang, acceptLanguage, htmlTag) => {
  let c: Client;
  beforeAll(async () => {
    c = new Client(web.app, acceptLanguage);
    const login = await (await c.page('/regulator/login')).text();
    expect(login).toContain(htmlTag);
    expect(login).toContain(`>${dashStrings[lang].login.userName}<`);
    expect((await c.login('auditor')).status).toBe(303);
  });

  it.each(pages)('%s', async (path, marker) => {
    const res = await c.page(path);
    expect(res.status, path).toBe(200);
    const html = await res.text();
    expect(html).toContain(htmlTag);
    expect(html).toContain(marker[lang]);
    expect(html).not.toContain(marker[lang === 'zh' ? 'en' : 'zh']);
    const foreign = lang === 'zh' ? englishChrome : chineseChrome;
    // Only the text between tags counts: attribute values and URLs are not shown.
    const shown = html.replace(/<[^>]*>/g, '\n');
    expect(foreign.filter((word) => shown.includes(word))).toEqual([]);
  });

  it('renders a wrong password message in the language', async () => {
    const anon = new Client(web.app, acceptLanguage);
    const form = await (await anon.page('/regulator/login')).text();
    const wrong = await anon.post('/regulator/login', {
      _csrf: Client.field(form, '_csrf'),
      username: 'auditor',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain(dashStrings[lang].login.wrong);
  });
});

describe('language switch', () => {
  it('links to the other language, and the choice sticks over Accept-Language', async () => {
    const c = new Client(web.app, 'zh-CN');
    await c.login('auditor');
    const zhPage = await (await c.page('/regulator/recall?lot=L00001')).text();
    const href = /id="lang-switch" href="([^"]+)"/.exec(zhPage)?.[1]?.replaceAll('&amp;', '&');
    expect(href).toBe('/regulator/recall?lot=L00001&lang=en');
    expect(await (await c.page(href!)).text()).toContain('Show affected');
    expect(c.cookies.get('lang')).toBe('en');
    // Later pages without ?lang stay English although the browser asks for Chinese.
    const later = await (await c.page('/regulator/alerts')).text();
    expect(later).toContain('<html lang="en">');
    expect(later).toContain('>中文<');
    await c.page('/regulator?lang=zh');
    expect(await (await c.page('/regulator/explorer')).text()).toContain('被拒绝的提交');
  });

  it('ignores an unknown ?lang and keeps the page working', async () => {
    const c = new Client(web.app, 'en');
    await c.login('auditor');
    const res = await c.page('/regulator?lang=fr');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html lang="en">');
    expect(c.cookies.has('lang')).toBe(false);
  });
});
