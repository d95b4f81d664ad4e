import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { ResponseCache } from './cache/response-cache.ts';
import { qrRoutes } from './consumer/qr-routes.tsx';
import { consumerRoutes } from './consumer/routes.tsx';
import type { WebDeps } from './web-deps.ts';

/**
 * The web app: resolver + consumer page + QR codes, and the regulator dashboard under /regulator.
 * Pure composition; the server (server.ts) or a test (`app.request()`) drives it.
 */
export function createWebApp(
  deps: WebDeps,
  extra: ((app: Hono) => void)[] = [],
  /** null turns response caching off (the benchmark's baseline). */
  cache: ResponseCache | null = new ResponseCache(),
): Hono {
  const app = new Hono();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.route('/', consumerRoutes(deps, cache));
  app.route('/', qrRoutes(deps, cache));
  for (const add of extra) add(app);
  app.get('/', (c) => c.redirect('/regulator'));
  app.notFound((c) =>
    c.json({ error: { code: 'http.notFound', message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((error, c) => {
    console.error(error);
    return c.json({ error: { code: 'http.internal', message: 'internal error' } }, 500);
  });
  return app;
}
