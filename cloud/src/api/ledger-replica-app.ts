import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, toBase64Url } from '@suyuan/shared';
import type { Hono } from 'hono';
import type { ClientRequest } from '../consensus/types.ts';
import { parseLedgerConfig } from '../ledger/config.ts';
import { LedgerMachine } from '../ledger/ledger-machine.ts';
import { registerApp } from '../replica/app/app-registry.ts';
import type { AppContext, ReplicaApp } from '../replica/app/replica-app.ts';
import { createLedgerApi } from './ledger-api.ts';

/**
 * The ledger as a replica application (`app: 'ledger'` in the replica config). Importing this
 * module registers it. The ledger keeps its own SQLite file (`ledger.sqlite`) in the replica's data
 * directory and reads its configuration (chains, genesis administrators, limits) from
 * `ledger.json` there; every replica of a cluster must have the same ledger.json.
 *
 * Submissions enter consensus through the replica's own `POST /v1/requests` (same process, no
 * network hop), so they take the replica's authentication, forwarding and backpressure path.
 */
export const ledgerConfigFile = 'ledger.json';
export const ledgerDatabaseFile = 'ledger.sqlite';

export function createLedgerReplicaApp(ctx: AppContext): ReplicaApp {
  const path = join(ctx.dataDir, ledgerConfigFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError('config.invalid', `${path}: ${(error as Error).message}`);
  }
  const machine = new LedgerMachine(join(ctx.dataDir, ledgerDatabaseFile), parseLedgerConfig(raw));
  return {
    machine,
    routes(hono: Hono) {
      const node = {
        machine,
        replicaPublicKeys: ctx.replicaPublicKeys,
        propose: (request: ClientRequest) => proposeThrough(hono, request),
      };
      hono.route('/', createLedgerApi(node));
    },
    status: () => ({
      app: 'ledger',
      lastApplied: machine.lastApplied(),
      divergedBatches: machine.divergedBatches,
    }),
    close: () => machine.close(),
  };
}

async function proposeThrough(hono: Hono, request: ClientRequest): Promise<string> {
  const res = await hono.request('/v1/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ submitter: request.submitter, seq: request.seq, body: toBase64Url(request.body) }),
  });
  if (res.status === 202) return 'accepted';
  if (res.status === 409) return 'duplicate';
  if (res.status === 503) return 'full';
  return 'rejected';
}

registerApp('ledger', createLedgerReplicaApp);
