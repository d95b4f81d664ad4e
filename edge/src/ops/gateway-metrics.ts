import type { Clock } from '@suyuan/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BrokerStats } from '../broker/embedded-broker.ts';
import type { Db } from '../gateway/database.ts';
import type { OutboxStats } from '../outbox/outbox-store.ts';
import type { UploaderStats } from '../outbox/uploader.ts';

/** What the gateway's metrics read at scrape time (a Gateway satisfies it). */
export interface GatewayMetricsSource {
  db: Db;
  outbox: { stats(): OutboxStats };
  uploader: { stats: UploaderStats };
  broker: { stats: BrokerStats } | null;
}

/** Committed outbox rows read per scrape for the receipt latency histogram. */
export const receiptRowsPerScrapeMax = 50_000;

const receiptBucketsSeconds = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

type Collect<T> = (this: T) => void;

/**
 * The gateway's Prometheus registry. Everything is read at scrape time from what the gateway
 * already keeps: per-device counters in `device_seq` (durable), the outbox table and stats, the
 * uploader's and broker's in-memory counters. Two figures are read incrementally with a cursor so
 * a scrape costs only what is new: quarantine rows by reason (rows are trimmed, so a count of the
 * table would go down) and committed outbox rows for the receipt latency (created → committed).
 */
export function createGatewayMetrics(source: GatewayMetricsSource, clock: Clock): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'suyuan_gateway_' });
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[], collect: Collect<Counter>) =>
    new Counter({ name, help, labelNames, registers, collect });
  const gauge = (name: string, help: string, labelNames: string[], collect: Collect<Gauge>) =>
    new Gauge({ name, help, labelNames, registers, collect });

  const deviceTotals = source.db.prepare(
    'SELECT COALESCE(SUM(accepted), 0) AS accepted, COALESCE(SUM(duplicates), 0) AS duplicates FROM device_seq',
  );
  counter(
    'suyuan_gateway_readings_total',
    'Readings by outcome (device_seq counters)',
    ['outcome'],
    function () {
      const row = deviceTotals.get() as { accepted: number; duplicates: number };
      this.reset();
      this.inc({ outcome: 'accepted' }, row.accepted);
      this.inc({ outcome: 'duplicate' }, row.duplicates);
    },
  );

  const quarantined = quarantineCounter(source.db);
  counter('suyuan_gateway_quarantined_total', 'Inputs quarantined, by reason', ['reason'], function () {
    this.reset();
    for (const [reason, n] of Object.entries(quarantined())) this.inc({ reason }, n);
  });

  gauge('suyuan_gateway_broker_clients', 'MQTT clients connected to the embedded broker', [], function () {
    this.set(source.broker?.stats.connected ?? 0);
  });
  counter('suyuan_gateway_broker_refused_total', 'Broker refusals by reason', ['reason'], function () {
    const s = source.broker?.stats;
    this.reset();
    if (!s) return;
    for (const reason of ['authFailures', 'aclDenied', 'rateRefused', 'ingestRefused'] as const) {
      this.inc({ reason }, s[reason]);
    }
  });

  // One stats() query (a GROUP BY over the outbox) serves all outbox gauges of one scrape: their
  // collect functions run in the same event-loop turn, and the cached value is gone by the next.
  let stats: OutboxStats | null = null;
  const outboxStats = (): OutboxStats => {
    if (!stats) {
      stats = source.outbox.stats();
      setImmediate(() => {
        stats = null;
      });
    }
    return stats;
  };
  const outboxGauge = (name: string, help: string, read: (s: OutboxStats) => number) =>
    gauge(name, help, [], function () {
      this.set(read(outboxStats()));
    });
  outboxGauge(
    'suyuan_gateway_outbox_pending',
    'Submissions not yet committed (pending + accepted)',
    (s) => s.pending + s.accepted,
  );
  outboxGauge(
    'suyuan_gateway_outbox_pending_bytes',
    'Bytes of submissions not yet committed',
    (s) => s.pendingBytes,
  );
  outboxGauge(
    'suyuan_gateway_outbox_pending_payloads',
    'Payloads (readings, events) not yet committed',
    (s) => s.pendingPayloads,
  );
  outboxGauge(
    'suyuan_gateway_outbox_oldest_pending_age_seconds',
    'Age of the oldest uncommitted submission',
    (s) => (s.oldestPendingMs === null ? 0 : Math.max(0, clock.now() - s.oldestPendingMs) / 1000),
  );
  outboxGauge('suyuan_gateway_outbox_dead', 'Submissions a replica rejected (dead letters)', (s) => s.dead);

  counter('suyuan_gateway_submissions_total', 'Uploader outcomes since start', ['outcome'], function () {
    const s = source.uploader.stats;
    this.reset();
    this.inc({ outcome: 'committed' }, s.committed);
    this.inc({ outcome: 'retried' }, s.retries);
    this.inc({ outcome: 'dead' }, s.dead);
    this.inc({ outcome: 'badReceipt' }, s.badReceipts);
  });

  const newReceipts = receiptCursor(source.db);
  new Histogram({
    name: 'suyuan_gateway_receipt_latency_seconds',
    help: 'From a submission sealed into the outbox to its verified commit receipt',
    buckets: receiptBucketsSeconds,
    registers,
    collect() {
      for (const seconds of newReceipts()) this.observe(seconds);
    },
  });
  return registry;
}

/** Counts quarantine rows by reason, reading only rows added since the last call. */
function quarantineCounter(db: Db): () => Record<string, number> {
  const counts: Record<string, number> = {};
  let afterId = 0;
  const next = db.prepare('SELECT id, reason FROM quarantine WHERE id > ? ORDER BY id');
  return () => {
    for (const row of next.iterate(afterId) as Iterable<{ id: number; reason: string }>) {
      counts[row.reason] = (counts[row.reason] ?? 0) + 1;
      afterId = row.id;
    }
    return counts;
  };
}

/** Seconds from created to done of outbox rows committed since the last call (cursor: done_ms, seq). */
function receiptCursor(db: Db): () => number[] {
  let afterDone = 0;
  let afterSeq = 0;
  const next = db.prepare(
    `SELECT seq, created_ms AS created, done_ms AS done FROM outbox
     WHERE state = 'committed' AND (done_ms > ? OR (done_ms = ? AND seq > ?))
     ORDER BY done_ms, seq LIMIT ?`,
  );
  return () => {
    const rows = next.all(afterDone, afterDone, afterSeq, receiptRowsPerScrapeMax) as {
      seq: number;
      created: number;
      done: number;
    }[];
    const last = rows.at(-1);
    if (last) {
      afterDone = last.done;
      afterSeq = last.seq;
    }
    return rows.map((r) => Math.max(0, r.done - r.created) / 1000);
  };
}
