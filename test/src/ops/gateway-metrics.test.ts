import type { Gateway } from '@suyuan/edge/gateway/gateway';
import {
  connectDevice,
  publishAcked,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
} from '@suyuan/edge/gateway/test-support';
import { readingsTopic } from '@suyuan/edge/ingest/device-message';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { sample } from './prom-text.ts';

/**
 * The gateway's /metrics on its own listener: readings accepted and quarantined by reason, broker
 * clients, outbox backlog, submissions and the receipt latency histogram move when a device
 * publishes and the (fake) cloud commits.
 */
let dir: ReturnType<typeof tempDir>;
let replica: FakeReplica;
let gateway: Gateway | null = null;
let client: MqttClient | null = null;

afterEach(async () => {
  await client?.endAsync(true);
  await gateway?.stop();
  await replica?.close();
  dir?.remove();
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${gateway!.metricsServer!.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

const readings = (seqs: number[]) =>
  JSON.stringify({
    boot: 1,
    readings: seqs.map((seq) => ({
      seq,
      time: Date.now() - 1000,
      type: 'Temperature',
      value: 21.5,
      uom: 'CEL',
    })),
  });

describe('gateway /metrics', () => {
  it('counts readings, quarantine reasons, clients, backlog and receipts as they happen', async () => {
    dir = tempDir('gateway-metrics-');
    const ledger = new FakeLedger();
    replica = await startFakeReplica(ledger, 'down');
    const config = testConfig(dir.path, [replica.url], ledger, { metrics: { port: 0 } });
    gateway = await startTestGateway(config);
    const before = await scrape();
    expect(sample(before, 'suyuan_gateway_readings_total', { outcome: 'accepted' })).toBe(0);
    expect(sample(before, 'suyuan_gateway_broker_clients')).toBe(0);

    const secret = await gateway.credentials.add('soil-1', Date.now());
    client = await connectDevice(gateway.broker!.port, {
      clientId: 'soil-1',
      username: 'soil-1',
      password: secret,
    });
    expect(await publishAcked(client, readingsTopic('soil-1'), readings([1, 2, 3]))).toBe(true);
    expect(await publishAcked(client, readingsTopic('soil-1'), 'not json')).toBe(true);
    const held = await scrape();
    expect(sample(held, 'suyuan_gateway_broker_clients')).toBe(1);
    expect(sample(held, 'suyuan_gateway_readings_total', { outcome: 'accepted' })).toBe(3);
    expect(sample(held, 'suyuan_gateway_quarantined_total', { reason: 'payload.notJson' })).toBe(1);
    expect(sample(held, 'suyuan_gateway_outbox_pending')).toBeGreaterThan(0);
    expect(sample(held, 'suyuan_gateway_outbox_pending_bytes')).toBeGreaterThan(0);
    expect(sample(held, 'suyuan_gateway_receipt_latency_seconds_count')).toBe(0);

    replica.behaviour = 'honest';
    await waitFor(() => gateway!.outbox.stats().pending + gateway!.outbox.stats().accepted === 0, 'commit');
    const done = await scrape();
    expect(sample(done, 'suyuan_gateway_outbox_pending')).toBe(0);
    expect(sample(done, 'suyuan_gateway_outbox_oldest_pending_age_seconds')).toBe(0);
    expect(sample(done, 'suyuan_gateway_submissions_total', { outcome: 'committed' })).toBeGreaterThan(0);
    expect(sample(done, 'suyuan_gateway_submissions_total', { outcome: 'retried' })).toBeGreaterThan(0);
    const receipts = sample(done, 'suyuan_gateway_receipt_latency_seconds_count');
    expect(receipts).toBe(sample(done, 'suyuan_gateway_submissions_total', { outcome: 'committed' }));
    // Counted once: a second scrape reads no receipt again, and quarantine stays at 1.
    const again = await scrape();
    expect(sample(again, 'suyuan_gateway_receipt_latency_seconds_count')).toBe(receipts);
    expect(sample(again, 'suyuan_gateway_quarantined_total', { reason: 'payload.notJson' })).toBe(1);
  }, 30_000);
});
