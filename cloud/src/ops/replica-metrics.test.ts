import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { CommittedBatch, ConsensusStatus, Ready } from '../consensus/types.ts';
import { mountMetrics, ReplicaMetrics } from './replica-metrics.ts';

/** Reads `name{labels} value` from the exposition text (labels must match exactly as written). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const status: ConsensusStatus = {
  replica: 0,
  view: 0,
  primary: 0,
  lastExecuted: 0,
  lastStableCheckpoint: 0,
  lowWatermark: 0,
  highWatermark: 64,
  pendingRequests: 0,
  inViewChange: false,
  dropped: {},
};
const transport = {
  sendingTo: [1, 2],
  receivingFrom: [1, 2, 3],
  queuedFrames: { 1: 0, 2: 5, 3: 40 },
  queuedBytes: { 1: 0, 2: 500, 3: 4000 },
  dropped: { sendQueueFull: 2 } as Record<string, number>,
};
const app = { chainHeights: { registry: 1, trace: 7 }, rejections: { 'auth.unknownKey': 2 } };

function batch(seq: number, submitters: string[]): CommittedBatch {
  return {
    seq,
    view: 0,
    requests: submitters.map((s, i) => ({ submitter: s, seq: i + 1, body: new Uint8Array(1) })),
    certificate: { view: 0, seq, batchDigest: new Uint8Array(32), signatures: [] },
  };
}

const ready = (over: Partial<Ready>): Ready => ({
  persist: [],
  messages: [],
  committed: [],
  certified: [],
  fetches: [],
  ...over,
});

async function scrape(hono: Hono): Promise<string> {
  const res = await hono.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('replica /metrics', () => {
  it('reads status at scrape time and counts commits, view changes and latencies from the hooks', async () => {
    let now = 1_000;
    const metrics = new ReplicaMetrics(
      { consensus: () => status, transport: () => transport, driverDropped: () => ({}), app: () => app },
      () => now,
    );
    const hono = new Hono();
    mountMetrics(hono, metrics.registry);
    const before = await scrape(hono);
    expect(value(before, 'suyuan_replica_committed_requests_total')).toBe(0);
    expect(value(before, 'suyuan_replica_peers_connected{direction="in"}')).toBe(3);
    expect(value(before, 'suyuan_replica_send_queue_bytes{peer="3"}')).toBe(4000);
    expect(value(before, 'suyuan_ledger_chain_height{chain="trace"}')).toBe(7);
    expect(value(before, 'suyuan_ledger_rejections_total{code="auth.unknownKey"}')).toBe(2);
    expect(
      value(before, 'suyuan_replica_dropped_messages_total{layer="transport",reason="sendQueueFull"}'),
    ).toBe(2);

    metrics.accepted('alice', 1);
    now += 40; // 40 ms later the batch holding it commits
    metrics.ready(ready({ committed: [batch(1, ['alice', 'bob'])], persist: [{ kind: 'view', view: 1 }] }));
    metrics.persisted(0.003);
    Object.assign(status, { view: 1, lastExecuted: 1, pendingRequests: 4 });
    transport.dropped.malformed = 1;

    const after = await scrape(hono);
    expect(value(after, 'suyuan_replica_committed_batches_total')).toBe(1);
    expect(value(after, 'suyuan_replica_committed_requests_total')).toBe(2);
    expect(value(after, 'suyuan_replica_view_changes_total')).toBe(1);
    expect(value(after, 'suyuan_replica_view')).toBe(1);
    expect(value(after, 'suyuan_replica_last_executed')).toBe(1);
    expect(value(after, 'suyuan_replica_pending_requests')).toBe(4);
    expect(value(after, 'suyuan_replica_dropped_messages_total{layer="transport",reason="malformed"}')).toBe(
      1,
    );
    expect(value(after, 'suyuan_replica_commit_latency_seconds_count')).toBe(1);
    expect(value(after, 'suyuan_replica_commit_latency_seconds_bucket{le="0.025"}')).toBe(0);
    expect(value(after, 'suyuan_replica_commit_latency_seconds_bucket{le="0.05"}')).toBe(1);
    expect(value(after, 'suyuan_replica_persist_seconds_bucket{le="0.005"}')).toBe(1);
    expect(value(after, 'suyuan_replica_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
