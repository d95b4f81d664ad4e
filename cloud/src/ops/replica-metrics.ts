import type { Hono } from 'hono';
import { collectDefaultMetrics, type Histogram, Registry } from 'prom-client';
import type { ConsensusStatus, Ready } from '../consensus/types.ts';
import {
  byLabel,
  histogram,
  type Labels,
  latencyBucketsSeconds,
  scrapedCounter,
  scrapedGauge,
} from './prom.ts';

/** What a replica exposes to its metrics; every value is read at scrape time. */
export interface ReplicaMetricsSource {
  consensus(): ConsensusStatus;
  transport(): {
    sendingTo: number[];
    receivingFrom: number[];
    queuedFrames: Record<string, number>;
    queuedBytes?: Record<string, number>;
    dropped: Record<string, number>;
  };
  driverDropped(): Record<string, number>;
  /** Application figures (the ledger: chain heights, rejections by code). */
  app?: () => AppMetrics | undefined;
}

export interface AppMetrics {
  chainHeights?: Record<string, number>;
  rejections?: Record<string, number>;
}

/** Requests whose accept time is remembered for the commit latency histogram (oldest forgotten). */
export const commitLatencyTrackedMax = 100_000;

/**
 * The replica's Prometheus registry. Counts that already exist (core, transport and driver drop
 * counters, views, checkpoints) are read from status at scrape time; only what nothing counted
 * before is counted here, from the driver's observer hooks: committed batches and requests, view
 * changes, group-commit (persistence) time, and accept-to-execute latency of requests this
 * replica accepted.
 */
export class ReplicaMetrics {
  readonly registry = new Registry();
  private committedBatches = 0;
  private committedRequests = 0;
  private viewChanges = 0;
  private readonly acceptedAt = new Map<string, number>();
  private readonly persistSeconds: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly now: () => number;

  constructor(source: ReplicaMetricsSource, now: () => number = () => performance.now()) {
    this.now = now;
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'suyuan_replica_' });
    const one = (value: number): [Labels, number][] => [[{}, value]];
    scrapedCounter(r, 'suyuan_replica_committed_batches_total', 'Batches executed since start', [], () =>
      one(this.committedBatches),
    );
    scrapedCounter(r, 'suyuan_replica_committed_requests_total', 'Requests executed since start', [], () =>
      one(this.committedRequests),
    );
    scrapedCounter(
      r,
      'suyuan_replica_view_changes_total',
      'Views this replica moved to since start',
      [],
      () => one(this.viewChanges),
    );
    const consensusGauge = (name: string, help: string, read: (s: ConsensusStatus) => number) =>
      scrapedGauge(r, `suyuan_replica_${name}`, help, [], () => one(read(source.consensus())));
    consensusGauge('view', 'Current view', (s) => s.view);
    consensusGauge('in_view_change', '1 while a view change is under way', (s) => (s.inViewChange ? 1 : 0));
    consensusGauge('last_executed', 'Sequence number of the last executed batch', (s) => s.lastExecuted);
    consensusGauge('last_stable_checkpoint', 'Last stable checkpoint', (s) => s.lastStableCheckpoint);
    consensusGauge('pending_requests', 'Requests queued or in flight in the core', (s) => s.pendingRequests);
    scrapedCounter(
      r,
      'suyuan_replica_dropped_messages_total',
      'Inputs dropped, by layer and reason',
      ['layer', 'reason'],
      () => [
        ...byLabel('reason', source.consensus().dropped, { layer: 'consensus' }),
        ...byLabel('reason', source.transport().dropped, { layer: 'transport' }),
        ...byLabel('reason', source.driverDropped(), { layer: 'driver' }),
      ],
    );
    scrapedGauge(r, 'suyuan_replica_peers_connected', 'Authenticated peer connections', ['direction'], () => {
      const t = source.transport();
      return [
        [{ direction: 'out' }, t.sendingTo.length],
        [{ direction: 'in' }, t.receivingFrom.length],
      ];
    });
    scrapedGauge(r, 'suyuan_replica_send_queue_frames', 'Frames queued per peer', ['peer'], () =>
      byLabel('peer', source.transport().queuedFrames),
    );
    scrapedGauge(r, 'suyuan_replica_send_queue_bytes', 'Bytes queued per peer', ['peer'], () =>
      byLabel('peer', source.transport().queuedBytes ?? {}),
    );
    scrapedGauge(r, 'suyuan_ledger_chain_height', 'Height of each ledger chain', ['chain'], () =>
      byLabel('chain', source.app?.()?.chainHeights ?? {}),
    );
    scrapedCounter(r, 'suyuan_ledger_rejections_total', 'Rejected submissions by code', ['code'], () =>
      byLabel('code', source.app?.()?.rejections ?? {}),
    );
    this.persistSeconds = histogram(
      r,
      'suyuan_replica_persist_seconds',
      'One group commit: records, batches and execution in one SQLite transaction (one fsync)',
      latencyBucketsSeconds,
    );
    this.commitSeconds = histogram(
      r,
      'suyuan_replica_commit_latency_seconds',
      'From a request accepted here to its batch executed here',
      latencyBucketsSeconds,
    );
  }

  /** A client request this replica accepted (or forwarded): starts its commit latency clock. */
  accepted(submitter: string, seq: number): void {
    const key = `${submitter}\u0000${seq}`;
    if (this.acceptedAt.has(key)) return;
    this.acceptedAt.set(key, this.now());
    if (this.acceptedAt.size > commitLatencyTrackedMax) {
      this.acceptedAt.delete(this.acceptedAt.keys().next().value!);
    }
  }

  /** Driver hook: one Ready round, before it is persisted. */
  ready(rd: Ready): void {
    for (const record of rd.persist) if (record.kind === 'view') this.viewChanges++;
    if (rd.committed.length === 0) return;
    const now = this.now();
    for (const batch of rd.committed) {
      this.committedBatches++;
      this.committedRequests += batch.requests.length;
      for (const request of batch.requests) {
        const key = `${request.submitter}\u0000${request.seq}`;
        const started = this.acceptedAt.get(key);
        if (started === undefined) continue;
        this.acceptedAt.delete(key);
        this.commitSeconds.observe((now - started) / 1000);
      }
    }
  }

  /** Driver hook: one group commit took `seconds`. */
  persisted(seconds: number): void {
    this.persistSeconds.observe(seconds);
  }
}

/** `GET /metrics` in the Prometheus text format. */
export function mountMetrics(app: Hono, registry: Registry): void {
  app.get('/metrics', async (c) => {
    const text = await registry.metrics();
    return c.body(text, 200, { 'content-type': registry.contentType });
  });
}
