import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGatewayConfig } from '@suyuan/edge/gateway/config';
import { Gateway } from '@suyuan/edge/gateway/gateway';
import { FakeLedger, type FakeReplica, startFakeReplica } from '@suyuan/edge/outbox/fake-cloud';
import { generateKeyPair, publicKeyToText, SeededRng } from '@suyuan/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from './gateway-process.ts';

/**
 * External broker mode against a real Mosquitto: the gateway subscribes with a persistent session and
 * acknowledges to Mosquitto only after its outbox commit, so readings published while the gateway is
 * down are queued by Mosquitto and arrive, once each, when it comes back.
 */
let dir: string;
let mosquitto: ChildProcess;
let port: number;
let ledger: FakeLedger;
let replica: FakeReplica;
let gateway: Gateway | null = null;
let device: MqttClient | null = null;
const key = generateKeyPair();

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connect(): Promise<MqttClient> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'soil-7', reconnectPeriod: 0 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50)); // Mosquitto is still starting
    }
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 10000\n`);
  mosquitto = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  ledger = new FakeLedger();
  replica = await startFakeReplica(ledger);
  device = await connect();
});

afterEach(async () => {
  await device?.endAsync(true);
  await gateway?.stop();
  gateway = null;
  await replica.close();
  const exited = new Promise((resolve) => mosquitto.once('exit', resolve));
  mosquitto.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
});

function startGateway(): Promise<Gateway> {
  const config = parseGatewayConfig(
    {
      name: 'external-broker gateway',
      participantId: 'p1',
      dataDir: 'data',
      keyFile: 'unused.pem',
      mqtt: { mode: 'external', url: `mqtt://127.0.0.1:${port}`, clientId: 'suyuan-gw-1' },
      cloud: { urls: [replica.url], replicaPublicKeys: ledger.replicaPublicKeys.map(publicKeyToText) },
      outbox: { retryDelayMsBase: 20, retryDelayMsMax: 200, commitPollDelayMs: 10 },
    },
    dir,
  );
  return Gateway.start(config, { key, rng: new SeededRng(3) });
}

const message = (seqs: number[]) =>
  JSON.stringify({
    boot: 1,
    readings: seqs.map((seq) => ({ seq, time: Date.now(), type: 'RelativeHumidity', value: 60, uom: 'P1' })),
  });

describe('external broker (Mosquitto)', () => {
  it('ingests readings, and gets those published while it was down from its persistent session', async () => {
    gateway = await startGateway();
    for (let i = 0; i < 5; i++)
      await device!.publishAsync('suyuan/v1/soil-7/readings', message([i]), { qos: 1 });
    await waitFor(() => ledger.readingCounts.size === 5, 'first five committed');
    await gateway.stop();
    gateway = null;
    for (let i = 5; i < 10; i++)
      await device!.publishAsync('suyuan/v1/soil-7/readings', message([i]), { qos: 1 });
    gateway = await startGateway();
    await waitFor(() => ledger.readingCounts.size === 10, 'queued five committed');
    expect(ledger.duplicates()).toEqual([]);
    expect(gateway.ingestStore.devices()[0]).toMatchObject({ deviceId: 'soil-7', accepted: 10 });
    expect(gateway.external!.messages).toBe(5);
  }, 60_000);
});
