import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, loadPrivateKey, systemClock } from '@suyuan/shared';
import { z } from 'zod';
import type { LedgerReader } from '../api/ledger-node.ts';
import { createWebSite, type WebSite } from './app.tsx';
import { ledgerReadModel, type WebCatalog } from './ledger-adapter.ts';
import { regulatorDashboard } from './regulator/dashboard.ts';
import { defaultCloneSettings } from './scans/clone-heuristics.ts';
import { ScanCounter } from './scans/scan-counter.ts';
import type { WebDeps } from './web-deps.ts';

/**
 * The web app (consumer pages, QR codes, regulator dashboard) on a ledger replica's own HTTP port,
 * over that replica's ledger. Optional: a replica mounts it when its data dir holds `web.json`
 * (the flag and its settings in one file, like `ledger.json`); every replica may, so a QR code or a
 * browser can be pointed at any of them. What a ledger does not hold (product names and cold-chain
 * bands, where lots grow, regions, accounts) comes from that file.
 */
export const webConfigFile = 'web.json';

const names = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const webConfigSchema = z.object({
  /** Scheme + host (+ port) QR codes and link sets point at, e.g. this replica's URL. */
  publicBase: z.string().url(),
  /** PKCS#8 PEM of the regulator's signing key for holds (mode 600); null: read-only dashboard. */
  regulatorKeyFile: z.string().min(1).nullable(),
  users: z.array(
    z.object({
      username: z.string().min(1),
      role: z.enum(['regulator', 'auditor']),
      passwordHash: z.string().min(1),
    }),
  ),
  secureCookies: z.boolean().default(false),
  catalog: z.object({
    products: z.array(
      z.object({
        gtin: z.string().regex(/^\d{14}$/),
        name: names,
        companyPrefixLength: z.number().int().min(6).max(12),
        coldChain: z.object({
          minC: z.number(),
          maxC: z.number(),
          excursionMinutesMax: z.number().positive(),
        }),
      }),
    ),
    /** Where lots grow (the ledger knows only their owner): one origin for every lot. */
    lotOrigin: z.object({
      farmId: z.string().min(1),
      plot: z.object({
        sgln: z.string().min(1),
        name: names,
        region: z.string(),
        deviceIds: z.array(z.string()),
      }),
    }),
    regions: z.record(z.string(), z.string()).default({}),
    /** Device ids that are cold-chain loggers; the rest are field probes. */
    loggerDeviceIds: z.array(z.string()).default([]),
  }),
});
export type ReplicaWebConfig = z.input<typeof webConfigSchema>;

export function parseWebConfig(json: unknown, where: string): z.output<typeof webConfigSchema> {
  const parsed = webConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      'config.invalid',
      `${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

function catalogOf(c: z.output<typeof webConfigSchema>['catalog']): WebCatalog {
  const loggers = new Set(c.loggerDeviceIds);
  return {
    products: c.products,
    lotOrigin: () => c.lotOrigin,
    regionOf: (id) => c.regions[id] ?? null,
    deviceKind: (id) => (loggers.has(id) ? 'logger' : 'soil'),
  };
}

/**
 * The web site over `reader` (hono app and its node:http fast path for the consumer pages), or null
 * when `dataDir` has no web.json (the replica serves only /v1).
 */
export function loadReplicaWeb(dataDir: string, reader: LedgerReader): WebSite | null {
  const path = join(dataDir, webConfigFile);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError('config.invalid', `${path}: ${(error as Error).message}`);
  }
  const config = parseWebConfig(raw, path);
  const deps: WebDeps = {
    model: ledgerReadModel(reader, catalogOf(config.catalog)),
    clock: systemClock,
    publicBase: config.publicBase.replace(/\/$/, ''),
    scans: new ScanCounter(systemClock, defaultCloneSettings),
    regionHeader: 'x-suyuan-region',
    regulatorKey: config.regulatorKeyFile === null ? null : loadPrivateKey(config.regulatorKeyFile),
  };
  const dashboard = regulatorDashboard(deps, { users: config.users, secureCookies: config.secureCookies });
  return createWebSite(deps, [(a) => a.route('/', dashboard)]);
}
