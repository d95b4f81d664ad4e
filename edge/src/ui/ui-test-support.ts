import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, ManualClock } from '@suyuan/shared';
import { type Db, openDatabase } from '../gateway/database.ts';
import { defaultOutboxLimits, type OutboxLimits } from '../outbox/outbox-limits.ts';
import { OutboxStore } from '../outbox/outbox-store.ts';
import { RecentTags } from './recent-tags.ts';
import { SessionKeys } from './session.ts';
import { createFarmUi } from './ui-app.tsx';
import { type UiConfig, uiConfigSchema } from './ui-config.ts';

/** A farmer UI over a temp gateway.db with a manual clock, and a browser-like session for tests. */
export const testUiConfig = (extra: Partial<UiConfig> = {}): UiConfig =>
  uiConfigSchema.parse({
    gtin: '06901234123456',
    companyPrefixLength: 7,
    farmGln: '6901234000108',
    resolverBase: 'https://resolver.example',
    ...extra,
  });

export const uiTestStart = Date.UTC(2026, 5, 1, 8);

export function uiHarness(extra: Partial<UiConfig> = {}, limits: Partial<OutboxLimits> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-ui-'));
  const db: Db = openDatabase(join(dir, 'gateway.db'));
  const clock = new ManualClock(uiTestStart);
  const outbox = new OutboxStore(db, clock, { ...defaultOutboxLimits, ...limits });
  const key = generateKeyPair();
  const recentTags = new RecentTags();
  const app = createFarmUi({
    db,
    outbox,
    key,
    clock,
    config: testUiConfig(extra),
    recentTags,
    sessionKeys: new SessionKeys(Buffer.alloc(32, 7)),
  });
  const session = { cookie: '', csrf: '' };

  /** GET with the session's cookies; remembers new cookies and the page's CSRF token. */
  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await app.request(path, { headers: { cookie: session.cookie, ...headers } });
    remember(res);
    const text = await res.text();
    const token = /name="csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token !== undefined) session.csrf = token;
    return { res, text };
  }

  async function post(path: string, fields: Record<string, string | string[]>, withCsrf = true) {
    const body = new URLSearchParams();
    if (withCsrf) body.append('csrf', session.csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
    const res = await app.request(path, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    remember(res);
    return { res, text: await res.text() };
  }

  function remember(res: Response) {
    const jar = new Map(
      session.cookie
        .split('; ')
        .filter(Boolean)
        .map((c) => c.split('=') as [string, string]),
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      jar.set(name, value);
    }
    session.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  return {
    app,
    db,
    clock,
    outbox,
    key,
    recentTags,
    session,
    get,
    post,
    cleanup() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
