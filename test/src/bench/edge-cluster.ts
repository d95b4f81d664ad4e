import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '@suyuan/edge/gateway/database';
import { DEVICE_SEQ_LIMIT } from '@suyuan/edge/ingest/ingest-limits';
import { SensorNode } from '@suyuan/firmware-sim/mqtt/sensor-node';
import { devicesFor, runLoad } from '@suyuan/firmware-sim/scenario/run';
import { SeededRng } from '@suyuan/shared';
import { CloudClient } from '../../../scripts/demo/cloud-client.ts';
import { demoLayout } from '../../../scripts/demo/layout.ts';
import {
  bootstrapRegistry,
  prepareFiles,
  startGateway,
  startReplicas,
} from '../../../scripts/demo/phases.ts';
import { demoDevices } from '../../../scripts/demo/setup.ts';
import { Supervisor } from '../../../scripts/demo/supervisor.ts';
import { ackedCount, percentile } from './edge-proc.ts';

/**
 * The end-to-end step of `pnpm bench:edge`: a REAL network as `pnpm start` builds it (4 PBFT replicas
 * with app 'ledger', registry bootstrap, the gateway's key and device bindings committed), then the
 * bound MQTT devices publish at a steady rate. Latency per reading = the time the gateway stored a
 * verified commit receipt for the submission holding it (`outbox.done_ms`, checked against the
 * replica keys) minus the time its message was handed to the MQTT client. Same machine, same clock.
 */
export interface ClusterStep {
  targetReadingsPerSecond: number;
  readingsPerMessage: number;
  publishedReadings: number;
  committedReadings: number;
  latencyMsP50: number;
  latencyMsP99: number;
  latencyMsMax: number;
  /** Submissions (signed batches) the gateway committed in the step. */
  submissions: number;
  /** Median of publish → signed row in the outbox (the ingest part), per reading. */
  ingestMsP50: number;
  /** Median of outbox row created → verified receipt stored (the upload + consensus part), per submission. */
  uploadMsP50: number;
  /** Mean failed exchanges (retries) per committed submission. */
  retriesPerSubmission: number;
}

export interface ClusterResult {
  replicas: number;
  commitPollDelayMs: number;
  inflightMax: number | null;
  steps: ClusterStep[];
}

export interface ClusterOptions {
  rates: readonly number[];
  durationMs: number;
  readingsPerMessage: number;
  commitPollDelayMs: number;
  /** The gateway's `cloud.inflightMax`; its default when undefined. */
  inflightMax: number | undefined;
}

/** How long the last readings of a step may take to commit before the step counts them as lost. */
const commitWaitMsMax = 60_000;
const commitPollMs = 200;

export async function measureCluster(o: ClusterOptions): Promise<ClusterResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-edge-cluster-'));
  const layout = demoLayout(dataDir);
  const supervisor = new Supervisor(layout.logDir);
  const abort = new AbortController();
  supervisor.onUnexpectedExit = (name, code) => abort.abort(new Error(`${name} exited (${code})`));
  try {
    const args = {
      dataDir,
      n: 4,
      mode: 'pbft' as const,
      basePort: 0,
      fresh: false,
      devices: false,
      scenarioIntervalMs: 3000,
      help: false,
    };
    const { file, parties } = await prepareFiles(args, layout);
    const config = JSON.parse(readFileSync(layout.gatewayConfig, 'utf8')) as Record<string, unknown>;
    config.outbox = { commitPollDelayMs: o.commitPollDelayMs };
    if (o.inflightMax !== undefined) (config.cloud as Record<string, unknown>).inflightMax = o.inflightMax;
    writeFileSync(layout.gatewayConfig, JSON.stringify(config, null, 2));
    const urls = await startReplicas(file, layout, supervisor, abort.signal);
    const client = new CloudClient(urls, abort.signal);
    const keyId = await bootstrapRegistry(client, parties, file, layout);
    const ctx = { layout, supervisor, client, abort: abort.signal };
    const mqttPort = await startGateway(ctx, null, parties['lotus-coop'].id, keyId);
    const secrets = JSON.parse(readFileSync(layout.deviceSecrets, 'utf8')) as Record<string, string>;
    const rng = new SeededRng(7);
    const nodes = demoDevices.map(
      (d) => new SensorNode({ deviceId: d.deviceId, kind: d.kind, startMs: Date.now(), rng: rng.fork() }),
    );
    const devices = devicesFor(nodes, `mqtt://127.0.0.1:${mqttPort}`, secrets);
    // The CLI's `status` reads the same file while the daemon writes (WAL); so does this.
    const db = openDatabase(join(layout.gatewayDir, 'data', 'gateway.db'));
    try {
      const steps: ClusterStep[] = [];
      for (const rate of o.rates) steps.push(await step(rate, o, nodes, devices, db));
      return {
        replicas: file.n,
        commitPollDelayMs: o.commitPollDelayMs,
        inflightMax: o.inflightMax ?? null,
        steps,
      };
    } finally {
      db.close();
      await Promise.all([...devices.values()].map((d) => d.close()));
    }
  } finally {
    abort.abort();
    await supervisor.stopAll(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function step(
  rate: number,
  o: ClusterOptions,
  nodes: SensorNode[],
  devices: ReturnType<typeof devicesFor>,
  db: Db,
): Promise<ClusterStep> {
  const publishedAt = new Map<string, number>();
  const startedMs = Date.now();
  const ackedBefore = ackedCount(devices);
  await runLoad(nodes, devices, {
    readingsPerSecond: rate,
    durationMs: o.durationMs,
    readingsPerMessage: o.readingsPerMessage,
    inFlightPerDeviceMax: 64,
    drainMsMax: 20_000,
    onPublish(deviceId, message, timeMs) {
      for (const r of message.readings) publishedAt.set(`${deviceId}#${r.seq % DEVICE_SEQ_LIMIT}`, timeMs);
    },
  });
  const acked = ackedCount(devices) - ackedBefore;
  const latencies: number[] = [];
  let submissions = 0;
  let requests = 0;
  const ingestMs: number[] = [];
  const uploadMs: number[] = [];
  const deadline = Date.now() + commitWaitMsMax;
  const rows = db.prepare(
    `SELECT body, created_ms, done_ms, attempts FROM outbox WHERE kind = 'readings' AND state = 'committed' AND done_ms >= ?`,
  );
  while (Date.now() < deadline) {
    latencies.length = 0;
    submissions = 0;
    requests = 0;
    ingestMs.length = 0;
    uploadMs.length = 0;
    type Row = { body: string; created_ms: number; done_ms: number; attempts: number };
    for (const row of rows.iterate(startedMs) as Iterable<Row>) {
      const body = JSON.parse(row.body) as {
        submission: { payloads: { reading: { deviceId: string; seq: number } }[] };
      };
      let mine = false;
      for (const p of body.submission.payloads) {
        const sent = publishedAt.get(`${p.reading.deviceId}#${p.reading.seq % DEVICE_SEQ_LIMIT}`);
        if (sent === undefined) continue;
        latencies.push(row.done_ms - sent);
        ingestMs.push(row.created_ms - sent);
        mine = true;
      }
      if (mine) {
        submissions++;
        requests += row.attempts;
        uploadMs.push(row.done_ms - row.created_ms);
      }
    }
    if (latencies.length >= acked) break;
    await new Promise((resolve) => setTimeout(resolve, commitPollMs));
  }
  for (const list of [latencies, ingestMs, uploadMs]) list.sort((a, b) => a - b);
  return {
    targetReadingsPerSecond: rate,
    readingsPerMessage: o.readingsPerMessage,
    publishedReadings: publishedAt.size,
    committedReadings: latencies.length,
    latencyMsP50: percentile(latencies, 50),
    latencyMsP99: percentile(latencies, 99),
    latencyMsMax: latencies.at(-1) ?? 0,
    submissions,
    ingestMsP50: percentile(ingestMs, 50),
    uploadMsP50: percentile(uploadMs, 50),
    retriesPerSubmission: Math.round((requests / Math.max(1, submissions)) * 10) / 10,
  };
}
