import { Hono } from 'hono';
import type { WebDeps } from '../web-deps.ts';
import { alertsAndExports } from './alerts-exports.tsx';
import { type AuthOptions, type DashEnv, installAuth } from './auth-routes.tsx';
import { ledgerPages } from './ledger-pages.tsx';
import { tracePages } from './trace-pages.tsx';

/**
 * The regulator dashboard under /regulator: login first, then every page behind a session; writes
 * (hold/recall) need the regulator role and the session's CSRF token. Auditors read and export.
 */
export function regulatorDashboard(deps: WebDeps, options: Omit<AuthOptions, 'clock'>): Hono {
  const app = new Hono<DashEnv>();
  const auth = installAuth(app, { ...options, clock: deps.clock });
  app.use('/regulator/*', auth.requireSession);
  app.use('/regulator', auth.requireSession);
  ledgerPages(app, deps.model);
  tracePages(app, deps, auth);
  alertsAndExports(app, deps);
  return app as unknown as Hono;
}
