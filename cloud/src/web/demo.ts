import { type Clock, ManualClock } from '@suyuan/shared';
import type { Hono } from 'hono';
import { createWebSite } from './app.tsx';
import { ResponseCache } from './cache/response-cache.ts';
import type { FastPath } from './consumer/fast-resolver.ts';
import { buildDemoLedger, type DemoLedger, demoStartMs } from './fixture/demo-ledger.ts';
import type { RegulatorUser } from './regulator/auth-routes.tsx';
import { regulatorDashboard } from './regulator/dashboard.ts';
import { hashPassword } from './regulator/passwords.ts';
import { defaultCloneSettings } from './scans/clone-heuristics.ts';
import { ScanCounter } from './scans/scan-counter.ts';
import type { WebDeps } from './web-deps.ts';

/** Demo accounts (documented in docs/web.md); a real deployment configures its own hashes. */
export const demoPasswords = { regulator: 'regulator-demo-pass', auditor: 'auditor-demo-pass' } as const;

export async function demoUsers(): Promise<RegulatorUser[]> {
  return [
    { username: 'regulator', role: 'regulator', passwordHash: await hashPassword(demoPasswords.regulator) },
    { username: 'auditor', role: 'auditor', passwordHash: await hashPassword(demoPasswords.auditor) },
  ];
}

/**
 * The demo web app over the in-memory demo ledger: what the browser tests, the benchmark and
 * `pnpm tsx cloud/src/web/demo-main.ts` run. The clock starts a week after the first harvest.
 */

export interface DemoWeb {
  demo: DemoLedger;
  deps: WebDeps;
  app: Hono;
  /** The resolver's node:http fast path (pass it to `startWebServer`). */
  fastPath: FastPath;
}

export interface DemoWebOptions {
  itemCount: number;
  publicBase?: string;
  clock?: Clock;
  users?: RegulatorUser[];
  secureCookies?: boolean;
  /** false: no response cache (the benchmark's baseline). */
  cache?: boolean;
}

export async function createDemoWeb(options: DemoWebOptions): Promise<DemoWeb> {
  const demo = buildDemoLedger({ itemCount: options.itemCount });
  const clock = options.clock ?? new ManualClock(demoStartMs + 7 * 24 * 3_600_000);
  const deps: WebDeps = {
    model: demo.readModel,
    clock,
    publicBase: options.publicBase ?? 'http://127.0.0.1',
    scans: new ScanCounter(clock, defaultCloneSettings),
    regionHeader: 'x-suyuan-region',
    regulatorKey: demo.cast.regulator.submitter.key,
  };
  const dashboard = regulatorDashboard(deps, {
    users: options.users ?? (await demoUsers()),
    secureCookies: options.secureCookies ?? false,
  });
  const { app, fastPath } = createWebSite(
    deps,
    [(a) => a.route('/', dashboard)],
    options.cache === false ? null : new ResponseCache(),
  );
  return { demo, deps, app, fastPath };
}
