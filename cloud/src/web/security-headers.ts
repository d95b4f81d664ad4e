import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The security headers on every response: hono's `secureHeaders` with our Content Security Policy
 * (no inline script; the badge reads its configuration from data attributes). The node:http fast
 * path (`consumer/fast-resolver.ts`) writes the same headers itself; `securityHeaderPairs` reads them
 * off the middleware once, so the two cannot drift apart.
 */
export const webSecurityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });

let pairs: Promise<[string, string][]> | null = null;

/** The headers `webSecurityHeaders` sets, as name/value pairs (lower-case names), read once. */
export function securityHeaderPairs(): Promise<[string, string][]> {
  pairs ??= (async () => {
    const probe = new Hono();
    probe.use('*', webSecurityHeaders());
    probe.get('/', (c) => c.body(null, 204));
    const res = await probe.request('/');
    return [...res.headers].filter(([name]) => name !== 'content-type');
  })();
  return pairs;
}
