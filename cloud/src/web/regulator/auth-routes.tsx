import type { Clock } from '@suyuan/shared';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { Page } from '../layout.tsx';
import { type DashText, dashLang } from './dash-i18n.ts';
import { LangSwitch } from './dash-layout.tsx';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  LoginLimiter,
  type Role,
  randomToken,
  type Session,
  SessionStore,
  sessionTtlMs,
  tokensEqual,
} from './sessions.ts';

/**
 * Dashboard login: scrypt-hashed passwords, HttpOnly SameSite=Strict session cookies, a CSRF token per
 * session checked on every POST (and a double-submit token on the login form itself), login throttling.
 */

export interface RegulatorUser {
  username: string;
  role: Role;
  passwordHash: string;
}

export interface AuthOptions {
  users: readonly RegulatorUser[];
  clock: Clock;
  /** `Secure` on cookies: on in production (HTTPS); tests over plain http turn it off. */
  secureCookies: boolean;
}

export type DashEnv = { Variables: { session: Session; text: DashText } };

export const formBytesMax = 64 * 1024;
const sessionCookie = 'sy_session';
const loginCsrfCookie = 'sy_login_csrf';
const cookiePath = '/regulator';

// Unknown users still cost one scrypt run, so timing does not reveal which names exist.
const dummyHash = hashPassword('not a password');

function LoginPage(props: { text: DashText; csrf: string; message?: string; status?: number }) {
  const { t } = props.text;
  return (
    <Page
      title={`${t.login.title} · ${t.brand}`}
      lang={t.htmlLang}
      header={
        <header class="bar">
          <span class="brand">{t.brand}</span>
          <LangSwitch text={props.text} />
        </header>
      }
    >
      <h1>{t.login.title}</h1>
      {props.message ? (
        <p class="notice notice-red" role="alert" id="login-error">
          {props.message}
        </p>
      ) : null}
      <form method="post" action="/regulator/login" class="card">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <p>
          <label for="username">{t.login.userName}</label>
          <input type="text" id="username" name="username" autocomplete="username" required maxlength={64} />
        </p>
        <p>
          <label for="password">{t.login.password}</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            required
            maxlength={256}
          />
        </p>
        <button type="submit">{t.login.submit}</button>
      </form>
    </Page>
  );
}

export interface Auth {
  /** Requires a live session; pages redirect to login, data routes answer 401. */
  requireSession: MiddlewareHandler<DashEnv>;
  /** On POST: the form's `_csrf` must be the session's token. */
  requireCsrf: MiddlewareHandler<DashEnv>;
  requireRole(role: Role): MiddlewareHandler<DashEnv>;
  sessions: SessionStore;
}

export function installAuth(app: Hono<DashEnv>, options: AuthOptions): Auth {
  const sessions = new SessionStore(options.clock);
  const limiter = new LoginLimiter(options.clock);
  const users = new Map(options.users.map((u) => [u.username, u]));
  app.use('/regulator/*', dashLang);
  app.use('/regulator', dashLang);
  const cookieBase = {
    path: cookiePath,
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: options.secureCookies,
  };

  type LoginMessage = keyof DashText['t']['login'];
  const showLogin = (c: Context<DashEnv>, problem?: LoginMessage, status: 200 | 401 | 403 | 429 = 200) => {
    const text = c.get('text');
    const message = problem ? text.t.login[problem] : undefined;
    const csrf = randomToken();
    setCookie(c, loginCsrfCookie, csrf, { ...cookieBase, maxAge: 3600 });
    c.header('Cache-Control', 'no-store');
    return c.html(<LoginPage text={text} csrf={csrf} {...(message ? { message } : {})} />, status);
  };

  app.get('/regulator/login', (c) => showLogin(c));
  app.post('/regulator/login', bodyLimit({ maxSize: formBytesMax }), async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username.slice(0, 64) : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const csrf = typeof form._csrf === 'string' ? form._csrf : '';
    const expected = getCookie(c, loginCsrfCookie) ?? '';
    if (expected === '' || !tokensEqual(csrf, expected)) return showLogin(c, 'expired', 403);
    const wait = limiter.retryAfterMs(username);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return showLogin(c, 'tooMany', 429);
    }
    const user = users.get(username);
    // An unknown user still costs one scrypt run against a dummy hash.
    const ok = await verifyPassword(password, user ? user.passwordHash : await dummyHash);
    if (!user || !ok) {
      limiter.failed(username);
      return showLogin(c, 'wrong', 401);
    }
    limiter.succeeded(username);
    const session = sessions.create(user.username, user.role);
    setCookie(c, sessionCookie, session.id, { ...cookieBase, maxAge: Math.floor(sessionTtlMs / 1000) });
    deleteCookie(c, loginCsrfCookie, { path: cookiePath });
    return c.redirect('/regulator', 303);
  });

  const requireSession: MiddlewareHandler<DashEnv> = async (c, next) => {
    const session = sessions.get(getCookie(c, sessionCookie));
    if (!session) {
      const page = (c.req.header('accept') ?? '').includes('text/html');
      return page
        ? c.redirect('/regulator/login', 303)
        : c.json({ error: { code: 'auth.required', message: 'log in first' } }, 401);
    }
    c.set('session', session);
    c.header('Cache-Control', 'no-store');
    await next();
  };

  const requireCsrf: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const form = await c.req.parseBody();
    const token = typeof form._csrf === 'string' ? form._csrf : '';
    if (!tokensEqual(token, c.get('session').csrf)) {
      return c.json({ error: { code: 'auth.csrf', message: 'missing or wrong CSRF token' } }, 403);
    }
    await next();
  };

  const requireRole =
    (role: Role): MiddlewareHandler<DashEnv> =>
    async (c, next) => {
      if (c.get('session').role !== role) {
        return c.json({ error: { code: 'auth.forbidden', message: `only a ${role} may do this` } }, 403);
      }
      await next();
    };

  app.post('/regulator/logout', bodyLimit({ maxSize: formBytesMax }), requireSession, requireCsrf, (c) => {
    sessions.destroy(c.get('session').id);
    deleteCookie(c, sessionCookie, { path: cookiePath });
    return c.redirect('/regulator/login', 303);
  });

  return { requireSession, requireCsrf, requireRole, sessions };
}
