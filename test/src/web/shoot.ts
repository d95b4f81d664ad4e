import { createDemoWeb } from '@suyuan/cloud/web/demo';
import { startWebServer } from '@suyuan/cloud/web/server';
import { launchChromium } from './chromium.ts';

/** Manual look: `tsx test/src/web/shoot.ts /path ...` → test/artifacts/shot-N.png (phone viewport). */
const web = await createDemoWeb({ itemCount: 300 });
const server = await startWebServer(web.app);
web.deps.publicBase = server.url;
const chromium = await launchChromium();
const paths = process.argv.slice(2);
const target = paths.length ? paths : [`/01/${web.demo.demoItem.gtin}/21/${web.demo.demoItem.serial}`];
for (const [i, path] of target.entries()) {
  const page = await chromium.context.newPage();
  page.on('console', (m) => console.log('console', m.type(), m.text()));
  await page.goto(server.url + path);
  if (path.startsWith('/regulator') && !path.startsWith('/regulator/login')) {
    await page.goto(`${server.url}/regulator/login`);
    await page.fill('#username', 'regulator');
    await page.fill('#password', 'regulator-demo-pass');
    await Promise.all([page.waitForURL(`${server.url}/regulator`), page.click('button[type=submit]')]);
    await page.goto(server.url + path);
  }
  await page
    .waitForSelector('#verify-badge:not([data-state="checking"])', { timeout: 10_000 })
    .catch(() => {});
  await page.screenshot({ path: `test/artifacts/shot-${i}.png`, fullPage: true });
  console.log(path, await page.title());
}
await chromium.close();
await server.close();
