import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, toBase64Url } from '@suyuan/shared';
import type { Hono } from 'hono';
import type { ClientRequest } from '../consensus/types.ts';
import { parseLedgerConfig } from '../ledger/config.ts';
import { LedgerMachine } from '../ledger/ledger-machine.ts';
import { ledgerMetricsReader } from '../ops/ledger-metrics.ts';
import { registerApp } from '../replica/app/app-registry.ts';
import type { AppContext, ReplicaApp } from '../replica/app/replica-app.ts';
import type { HttpFastPath } from '../replica/http-fast-path.ts';
import { decodeStateCertificate } from '../replica/record-codec.ts';
import { loadReplicaWeb } from '../web/replica-web.ts';
import { createLedgerApi } from './ledger-api.ts';
import { defaultLedgerApiLimits, LedgerReader } from './ledger-node.ts';
import { StatusWaits } from './status-waits.ts';

/**
 * The ledger as a replica application (`app: 'ledger'` in the replica config). Importing this
 * module registers it. The ledger's tables live in the replica's own database (`replica.sqlite`),
 * so a committed batch, its execution and its blocks are written in the driver's one group-commit
 * transaction: a crash leaves both or neither (see docs/ledger.md, "One atomic commit"). It reads
 * its configuration (chains, genesis administrators, limits) from `ledger.json` in the data dir;
 * every replica of a cluster must have the same ledger.json.
 *
 * Submissions enter consensus by the replica's own `POST /v1/requests` decision (same process, no
 * network hop), so they take the replica's authentication, forwarding and backpressure path: called
 * directly (`ctx.submitRequest`), not through a fetch Request of the base64url body.
 */
export const ledgerConfigFile = 'ledger.json';
/** Where the ledger's tables are: the replica's database. */
export const ledgerDatabaseFile = 'replica.sqlite';
/** Session 1 kept the ledger in a file of its own; it is no longer read (the ledger is rebuilt). */
export const legacyLedgerDatabaseFile = 'ledger.sqlite';

export function ledgerDatabasePath(dataDir: string): string {
  return join(dataDir, ledgerDatabaseFile);
}

export function createLedgerReplicaApp(ctx: AppContext): ReplicaApp {
  const path = join(ctx.dataDir, ledgerConfigFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError('config.invalid', `${path}: ${(error as Error).message}`);
  }
  const machine = new LedgerMachine(ctx.db, parseLedgerConfig(raw), {
    ...(ctx.verifyRequest ? { verifySignature: ctx.verifyRequest } : {}),
    ...(ctx.takeCheckedRequest ? { takeChecked: ctx.takeCheckedRequest } : {}),
    ...(ctx.groups ? { groups: ctx.groups } : {}),
  });
  const storedCertificate = ctx.db.prepare('SELECT certificate FROM state_certificates WHERE seq = ?');
  let webFastPath: HttpFastPath | null = null;
  // Held status GETs learn here when their submission executed and when its batch was certified.
  const statusWaits = new StatusWaits();
  return {
    machine: {
      lastApplied: () => machine.lastApplied(),
      applyBatch(batch) {
        const result = machine.applyBatch(batch);
        statusWaits.executed(batch.seq, batch.requests);
        // Replaying batches the replica already had (a rebuilt ledger): their certificates came
        // before, so attach them from the replica's store now.
        const row = storedCertificate.get(batch.seq) as { certificate: Buffer } | undefined;
        if (row) {
          machine.attachStateCertificate(decodeStateCertificate(row.certificate));
          statusWaits.certified(batch.seq);
        }
        return result;
      },
      attachStateCertificate(certificate) {
        machine.attachStateCertificate(certificate);
        // A certificate ahead of execution is dropped by the machine (it comes again).
        if (certificate.seq <= machine.lastApplied()) statusWaits.certified(certificate.seq);
      },
    },
    routes(hono: Hono) {
      const node = {
        machine,
        replicaPublicKeys: ctx.replicaPublicKeys,
        ...(ctx.groups ? { replicaGroups: ctx.groups } : {}),
        propose: (request: ClientRequest) =>
          ctx.submitRequest ? ctx.submitRequest(request) : proposeThrough(hono, request),
        statusWaits,
      };
      hono.route('/', createLedgerApi(node));
      // Consumer pages and the regulator dashboard on this port too, when the data dir has web.json.
      const web = loadReplicaWeb(ctx.dataDir, new LedgerReader(node, defaultLedgerApiLimits));
      if (web) {
        hono.route('/', web.app);
        webFastPath = web.fastPath;
      }
    },
    httpFastPath: () => webFastPath,
    status: () => ({
      app: 'ledger',
      lastApplied: machine.lastApplied(),
      divergedBatches: machine.divergedBatches,
    }),
    stateDigestAt: (seq) => machine.chains.batch(seq)?.stateDigest,
    metrics: ledgerMetricsReader(machine),
    close() {
      statusWaits.close();
      machine.close();
    },
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
