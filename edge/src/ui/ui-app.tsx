import { LimitError } from '@suyuan/shared';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { FarmStore } from './farm-store.ts';
import { harvestRoutes } from './harvest-routes.tsx';
import { pickLang, strings } from './i18n.ts';
import { Csrf, Notice, Page } from './layout.tsx';
import { plotRoutes } from './plot-routes.tsx';
import { SessionKeys, same } from './session.ts';
import { statusRoutes } from './status-routes.tsx';
import { uiFormBytesMax } from './ui-config.ts';
import type { FarmUiDeps, UiCtx, UiEnv } from './ui-env.ts';
import { formFields } from './ui-env.ts';
import { workRoutes } from './work-routes.tsx';

/**
 * The farmer UI as a hono app: language, session cookie, optional password, CSRF on every POST,
 * body-size limit; the pages are in the *-routes files. Driven by `app.request()` in tests.
 */
const cookieOptions = { path: '/', httpOnly: true, sameSite: 'Strict' } as const;

export function createFarmUi(deps: FarmUiDeps): Hono<UiEnv> {
  const keys = deps.sessionKeys ?? new SessionKeys();
  const ui = { deps, store: new FarmStore(deps.db) };
  const app = new Hono<UiEnv>();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.use('*', async (c, next) => {
    const queryLang = c.req.query('lang');
    const lang = pickLang(queryLang, getCookie(c, 'lang'), c.req.header('accept-language'));
    if (queryLang === lang) setCookie(c, 'lang', lang, { ...cookieOptions, maxAge: 31_536_000 });
    let sid = getCookie(c, 'sid');
    if (sid === undefined || !/^[\w-]{20,40}$/.test(sid)) {
      sid = keys.newSessionId();
      setCookie(c, 'sid', sid, cookieOptions);
    }
    c.set('lang', lang);
    c.set('t', strings[lang]);
    c.set('sid', sid);
    c.set('csrf', keys.csrfToken(sid));
    await next();
  });
  app.post(
    '*',
    bodyLimit({
      maxSize: uiFormBytesMax,
      onError: (c) => c.html(<Refusal c={c as UiCtx} message={(c as UiCtx).var.t.tooLarge} />, 413),
    }),
  );
  app.get('/login', (c) => c.html(<Login c={c} />));
  app.post('/login', async (c) => {
    const form = await formFields(c);
    if (!keys.checkCsrf(c.var.sid, form.csrf)) return c.html(<Refusal c={c} message={c.var.t.csrf} />, 403);
    const password = deps.config.password;
    if (password !== undefined && (typeof form.password !== 'string' || !same(form.password, password))) {
      return c.html(<Login c={c} error={c.var.t.wrongPassword} />, 401);
    }
    setCookie(c, 'auth', keys.authToken(c.var.sid), cookieOptions);
    return c.redirect('/', 303);
  });
  app.use('*', async (c, next) => {
    if (deps.config.password !== undefined && !keys.checkAuth(c.var.sid, getCookie(c, 'auth'))) {
      return c.redirect('/login', 303);
    }
    if (c.req.method === 'POST') {
      const form = await formFields(c);
      if (!keys.checkCsrf(c.var.sid, form.csrf)) return c.html(<Refusal c={c} message={c.var.t.csrf} />, 403);
    }
    await next();
  });
  statusRoutes(app, ui);
  plotRoutes(app, ui);
  workRoutes(app, ui);
  harvestRoutes(app, ui);
  app.notFound((c) => c.html(<Refusal c={c as UiCtx} message={(c as UiCtx).var.t.notFound} />, 404));
  app.onError((error, c) => {
    const full = error instanceof LimitError;
    if (!full) console.error(error);
    const t = (c as UiCtx).var.t ?? strings.zh;
    return c.html(<Refusal c={c as UiCtx} message={full ? t.outboxFull : t.internal} />, full ? 503 : 500);
  });
  return app;
}

function Refusal(props: { c: UiCtx; message: string }) {
  const { lang, t } = props.c.var;
  return (
    <Page lang={lang} t={t} title={t.app} path={props.c.req.path}>
      <Notice kind="bad">{props.message}</Notice>
    </Page>
  );
}

function Login(props: { c: UiCtx; error?: string }) {
  const { lang, t, csrf } = props.c.var;
  return (
    <Page lang={lang} t={t} title={t.login} path="/login">
      {props.error !== undefined && <Notice kind="bad">{props.error}</Notice>}
      <form method="post" action="/login" class="card">
        <Csrf token={csrf} />
        <label for="password">{t.password}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">{t.login}</button>
      </form>
    </Page>
  );
}
