import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayConfig, parseGatewayConfig } from '../gateway/config.ts';
import type { Gateway } from '../gateway/gateway.ts';
import {
  connectDevice,
  publishAcked,
  startTestGateway,
  tempDir,
  testConfig,
  waitFor,
} from '../gateway/test-support.ts';
import { readingsTopic } from '../ingest/device-message.ts';
import { FakeLedger, type FakeReplica, startFakeReplica } from '../outbox/fake-cloud.ts';

let dir: ReturnType<typeof tempDir>;
let ledger: FakeLedger;
let replica: FakeReplica;
let gateway: Gateway | null;
let config: GatewayConfig;
const clients: MqttClient[] = [];

beforeEach(async () => {
  dir = tempDir('broker-');
  ledger = new FakeLedger();
  replica = await startFakeReplica(ledger);
  config = testConfig(dir.path, [replica.url], ledger);
  gateway = await startTestGateway(config);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await gateway?.stop();
  await replica.close();
  dir.remove();
});

async function device(id: string, secret: string, extra: Record<string, unknown> = {}): Promise<MqttClient> {
  const client = await connectDevice(gateway!.broker!.port, {
    clientId: id,
    username: id,
    password: secret,
    ...extra,
  });
  clients.push(client);
  return client;
}

const message = (seqs: number[]) =>
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

describe('embedded broker', () => {
  it('refuses unknown devices, wrong secrets and a client id that is not the device id', async () => {
    const secret = await gateway!.credentials.add('soil-1', Date.now());
    await expect(device('ghost', 'whatever')).rejects.toThrow(/Bad username or password/);
    await expect(device('soil-1', 'wrong-secret')).rejects.toThrow(/Bad username or password/);
    await expect(device('soil-1', secret, { clientId: 'soil-2' })).rejects.toThrow(
      /Bad username or password/,
    );
    await expect(device('soil-1', secret)).resolves.toBeDefined();
    expect(gateway!.broker!.stats.authFailures).toBe(3);
  });

  it('enforces the topic ACL on publish and subscribe', async () => {
    const secret = await gateway!.credentials.add('soil-1', Date.now());
    await gateway!.credentials.add('soil-2', Date.now());
    const own = await device('soil-1', secret);
    const granted = await own.subscribeAsync('suyuan/v1/soil-1/commands', { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    for (const denied of ['suyuan/v1/soil-2/commands', '#', '$SYS/#']) {
      await expect(own.subscribeAsync(denied, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    }
    expect(await publishAcked(own, readingsTopic('soil-2'), message([1]))).toBe(false);
    const again = await device('soil-1', secret);
    expect(await publishAcked(again, '$SYS/broker/fake', 'x')).toBe(false);
    expect(gateway!.broker!.stats.aclDenied).toBe(5);
    expect(gateway!.outbox.stats().pending).toBe(0);
  });

  it('acknowledges readings only once they are in the outbox, and the cloud commits each exactly once', async () => {
    const secret = await gateway!.credentials.add('soil-1', Date.now());
    const client = await device('soil-1', secret);
    const acks = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => publishAcked(client, readingsTopic('soil-1'), message([i * 2, i * 2 + 1]))),
    );
    expect(acks.every(Boolean)).toBe(true);
    expect(gateway!.outbox.stats().pendingPayloads + gateway!.outbox.stats().committed).toBeGreaterThan(0);
    // a retransmission after a lost PUBACK is deduplicated, not sent twice
    expect(await publishAcked(client, readingsTopic('soil-1'), message([0, 1]))).toBe(true);
    await waitFor(() => ledger.readingCounts.size === 10 && gateway!.outbox.stats().pending === 0, 'commits');
    expect(ledger.duplicates()).toEqual([]);
    expect(gateway!.ingestStore.devices()[0]).toMatchObject({
      deviceId: 'soil-1',
      accepted: 10,
      duplicates: 2,
    });
  });

  it('quarantines bad payloads yet acknowledges them (they are recorded, not lost)', async () => {
    const secret = await gateway!.credentials.add('soil-1', Date.now());
    const client = await device('soil-1', secret);
    expect(await publishAcked(client, readingsTopic('soil-1'), 'not json')).toBe(true);
    expect(gateway!.ingestStore.quarantined()[0]).toMatchObject({
      deviceId: 'soil-1',
      reason: 'payload.notJson',
    });
  });

  it('closes a connection that sends a packet over packetBytesMax', async () => {
    const secret = await gateway!.credentials.add('soil-1', Date.now());
    const client = await device('soil-1', secret);
    const big = 'x'.repeat(config.mqtt.mode === 'embedded' ? config.mqtt.packetBytesMax + 10 : 0);
    expect(await publishAcked(client, readingsTopic('soil-1'), big)).toBe(false);
    expect(gateway!.ingestStore.quarantined()).toEqual([]);
  });

  it('keeps a persistent session across a gateway restart', async () => {
    const secret = await gateway!.credentials.add('valve-1', Date.now());
    const first = await device('valve-1', secret, { clean: false });
    await first.subscribeAsync('suyuan/v1/valve-1/commands', { qos: 1 });
    await first.endAsync();
    await gateway!.stop();
    gateway = await startTestGateway(config);
    await gateway.broker!.publishCommand('valve-1', '{"open":true}');
    const received: string[] = [];
    const second = await device('valve-1', secret, { clean: false });
    second.on('message', (_topic, payload) => received.push(payload.toString()));
    await waitFor(() => received.length === 1, 'queued command');
    expect(received).toEqual(['{"open":true}']);
  });
});

describe('per-device rate limit', () => {
  it('refuses publishes beyond the burst', async () => {
    await gateway!.stop();
    const limited = parseGatewayConfig(
      {
        ...configFile(),
        mqtt: {
          mode: 'embedded',
          host: '127.0.0.1',
          port: 0,
          publishRate: { ratePerSecond: 0.001, burst: 3, devicesMax: 10 },
        },
      },
      dir.path,
    );
    gateway = await startTestGateway(limited);
    const secret = await gateway.credentials.add('chatty', Date.now());
    const client = await device('chatty', secret);
    const acks: boolean[] = [];
    for (let i = 0; i < 4; i++) acks.push(await publishAcked(client, readingsTopic('chatty'), message([i])));
    expect(acks).toEqual([true, true, true, false]);
    expect(gateway.broker!.stats.rateRefused).toBe(1);
  });
});

function configFile(): Record<string, unknown> {
  return {
    name: config.name,
    participantId: config.participantId,
    dataDir: config.dataDir,
    keyFile: config.keyFile,
    mqtt: config.mqtt,
    cloud: { ...config.cloud },
  };
}
