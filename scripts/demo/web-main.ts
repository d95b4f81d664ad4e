import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultLedgerApiLimits, LedgerReader } from '../../cloud/src/api/ledger-node.ts';
import { ledgerDatabasePath } from '../../cloud/src/api/ledger-replica-app.ts';
import type { ClientRequest } from '../../cloud/src/consensus/types.ts';
import { parseLedgerConfig } from '../../cloud/src/ledger/config.ts';
import { LedgerMachine } from '../../cloud/src/ledger/ledger-machine.ts';
import { loadReplicaConfig } from '../../cloud/src/replica/config.ts';
import { createWebApp } from '../../cloud/src/web/app.tsx';
import { demoUsers } from '../../cloud/src/web/demo.ts';
import { ledgerReadModel } from '../../cloud/src/web/ledger-adapter.ts';
import { regulatorDashboard } from '../../cloud/src/web/regulator/dashboard.ts';
import { defaultCloneSettings } from '../../cloud/src/web/scans/clone-heuristics.ts';
import { ScanCounter } from '../../cloud/src/web/scans/scan-counter.ts';
import { startWebServer } from '../../cloud/src/web/server.ts';
import { loadPrivateKey, systemClock, toBase64Url } from '../../shared/src/index.ts';
import { demoCatalog, telemetryReadings } from './web-catalog.ts';

/**
 * Glue until the web app is mounted on the replica's HTTP server: the consumer pages, QR codes and
 * regulator dashboard served over one replica's ledger file (opened read-side in this process; the
 * replica writes it, SQLite WAL lets us read), with submissions (regulator holds) forwarded to the
 * replica's own API. Prints {"event":"listening","port":…} once it serves.
 *
 *   node --import tsx scripts/demo/web-main.ts --replica-config replicas/replica-0.json \
 *     --regulator-key parties/food-safety.key.pem --plot-devices coop-soil-1,coop-air-1 [--port 7180]
 */
const { values } = parseArgs({
  options: {
    'replica-config': { type: 'string' },
    'regulator-key': { type: 'string' },
    'plot-devices': { type: 'string', default: '' },
    port: { type: 'string', default: '0' },
  },
});
if (!values['replica-config'] || !values['regulator-key']) {
  console.error('web-main: --replica-config and --regulator-key are required');
  process.exit(2);
}
const replica = loadReplicaConfig(values['replica-config']);
const ledgerConfig = parseLedgerConfig(
  JSON.parse(readFileSync(join(replica.dataDir, 'ledger.json'), 'utf8')),
);
const machine = new LedgerMachine(ledgerDatabasePath(replica.dataDir), ledgerConfig);
const replicaApi = `http://127.0.0.1:${replica.listen.httpPort}`;

async function forward(request: ClientRequest): Promise<string> {
  const res = await fetch(`${replicaApi}/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ submitter: request.submitter, seq: request.seq, body: toBase64Url(request.body) }),
  });
  await res.arrayBuffer();
  return res.status === 202
    ? 'accepted'
    : res.status === 409
      ? 'duplicate'
      : res.status === 503
        ? 'full'
        : 'rejected';
}

const reader = new LedgerReader(
  { machine, replicaPublicKeys: replica.replicaPublicKeys, propose: forward },
  defaultLedgerApiLimits,
);
const base = ledgerReadModel(reader, demoCatalog(values['plot-devices'].split(',').filter(Boolean)));
const readings = telemetryReadings(machine.db);
const model = {
  ...base,
  readings: async (d: string, f: number, t: number, l: number) => readings(d, f, t, l),
};
const port = Number(values.port);
const publicBase = `http://127.0.0.1:${port}`;
const deps = {
  model,
  clock: systemClock,
  publicBase,
  scans: new ScanCounter(systemClock, defaultCloneSettings),
  regionHeader: 'x-suyuan-region',
  regulatorKey: loadPrivateKey(values['regulator-key']),
};
const dashboard = regulatorDashboard(deps, { users: await demoUsers(), secureCookies: false });
const app = createWebApp(deps, [
  (a) => a.get('/healthz', (c) => c.json({ ok: true })),
  (a) => a.route('/', dashboard),
]);
const server = await startWebServer(app, port);
console.log(JSON.stringify({ event: 'listening', port: Number(new URL(server.url).port), pid: process.pid }));
const stop = () => {
  server.close().finally(() => {
    machine.close();
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
