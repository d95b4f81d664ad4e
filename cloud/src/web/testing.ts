import type { Hono } from 'hono';
import { createDemoWeb, type DemoWeb, demoPasswords } from './demo.ts';

/** Test support: a small demo web app and a cookie-keeping client over `app.request()`. */

let shared: Promise<DemoWeb> | undefined;

/** A fresh demo app (200 items: 4 lots and a jam lot made from two of them). */
export function demoWeb(): Promise<DemoWeb> {
  return createDemoWeb({ itemCount: 200 });
}

/** One demo app shared by read-only tests in a file. */
export function sharedDemoWeb(): Promise<DemoWeb> {
  shared ??= demoWeb();
  return shared;
}

export class Client {
  readonly cookies = new Map<string, string>();
  private readonly app: Hono;
  private readonly acceptLanguage: string | undefined;

  /** `acceptLanguage` is sent on every request (no header: the pages pick Chinese). */
  constructor(app: Hono, acceptLanguage?: string) {
    this.app = app;
    this.acceptLanguage = acceptLanguage;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.acceptLanguage !== undefined && !headers.has('accept-language'))
      headers.set('accept-language', this.acceptLanguage);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await this.app.request(path, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  page(path: string): Promise<Response> {
    return this.request(path, { headers: { accept: 'text/html' } });
  }

  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The value of `name="<field>" value="…"` in a page (CSRF tokens). */
  static field(html: string, field: string): string {
    return new RegExp(`name="${field}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  }

  async login(username: keyof typeof demoPasswords): Promise<Response> {
    const form = await (await this.page('/regulator/login')).text();
    return this.post('/regulator/login', {
      _csrf: Client.field(form, '_csrf'),
      username,
      password: demoPasswords[username],
    });
  }

  async csrf(path = '/regulator'): Promise<string> {
    return Client.field(await (await this.page(path)).text(), '_csrf');
  }
}
