import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF and the optional password, without JavaScript or server-side session state: a random
 * per-browser id in a cookie; the CSRF token is HMAC(secret, "csrf:" + id) in every form; the login
 * cookie is HMAC(secret, "auth:" + id). The secret is per process, so a restart signs everyone out.
 */
export const sessionIdBytes = 18;

export class SessionKeys {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  newSessionId(): string {
    return randomBytes(sessionIdBytes).toString('base64url');
  }

  csrfToken(sessionId: string): string {
    return this.mac(`csrf:${sessionId}`);
  }

  authToken(sessionId: string): string {
    return this.mac(`auth:${sessionId}`);
  }

  checkCsrf(sessionId: string | undefined, token: unknown): boolean {
    return sessionId !== undefined && typeof token === 'string' && same(token, this.csrfToken(sessionId));
  }

  checkAuth(sessionId: string | undefined, token: string | undefined): boolean {
    return sessionId !== undefined && token !== undefined && same(token, this.authToken(sessionId));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }
}

export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
