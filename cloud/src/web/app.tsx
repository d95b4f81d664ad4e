import { Hono } from 'hono';
import { ResponseCache } from './cache/response-cache.ts';
import { consumerPages } from './consumer/consumer-pages.tsx';
import { type FastPath, resolverFastPath } from './consumer/fast-resolver.ts';
import { qrRoutes } from './consumer/qr-routes.tsx';
import { consumerRoutes } from './consumer/routes.tsx';
import { webSecurityHeaders } from './security-headers.ts';
import type { WebDeps } from './web-deps.ts';

/**
 * The web app: resolver + consumer page + QR codes, and the regulator dashboard under /regulator.
 * Pure composition; the server (server.ts) or a test (`app.request()`) drives it.
 */
export interface WebSite {
  app: Hono;
  /** Answers the resolver's common requests on node:http before hono (server.ts puts it in front). */
  fastPath: FastPath;
}

export function createWebSite(
  deps: WebDeps,
  extra: ((app: Hono) => void)[] = [],
  /** null turns response caching off (the benchmark's baseline). */
  cache: ResponseCache | null = new ResponseCache(),
): WebSite {
  const app = new Hono();
  app.use('*', webSecurityHeaders());
  const pages = consumerPages(deps, cache);
  app.route('/', consumerRoutes(pages));
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
  return { app, fastPath: resolverFastPath(pages) };
}

/** The hono app alone (tests, and a replica that mounts it into its own API app). */
export function createWebApp(
  deps: WebDeps,
  extra: ((app: Hono) => void)[] = [],
  cache: ResponseCache | null = new ResponseCache(),
): Hono {
  return createWebSite(deps, extra, cache).app;
}
