import { type Clock, ManualClock } from '@suyuan/shared';
import type { Hono } from 'hono';
import { createWebApp } from './app.tsx';
import { buildDemoLedger, type DemoLedger, demoStartMs } from './fixture/demo-ledger.ts';
import { defaultCloneSettings } from './scans/clone-heuristics.ts';
import { ScanCounter } from './scans/scan-counter.ts';
import type { WebDeps } from './web-deps.ts';

/**
 * The demo web app over the in-memory demo ledger: what the browser tests, the benchmark and
 * `pnpm tsx cloud/src/web/demo-main.ts` run. The clock starts a week after the first harvest.
 */

export interface DemoWeb {
  demo: DemoLedger;
  deps: WebDeps;
  app: Hono;
}

export interface DemoWebOptions {
  itemCount: number;
  publicBase?: string;
  clock?: Clock;
  extra?: ((app: Hono, deps: WebDeps, demo: DemoLedger) => void)[];
}

export function createDemoWeb(options: DemoWebOptions): DemoWeb {
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
  const app = createWebApp(
    deps,
    (options.extra ?? []).map((add) => (a: Hono) => add(a, deps, demo)),
  );
  return { demo, deps, app };
}
