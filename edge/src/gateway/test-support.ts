import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, publicKeyToText, SeededRng } from '@suyuan/shared';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { FakeLedger } from '../outbox/fake-cloud.ts';
import { type GatewayConfig, parseGatewayConfig } from './config.ts';
import { Gateway } from './gateway.ts';

/** Shared helpers for gateway tests (real sockets on port 0, temp dirs, fake cloud). */

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function testConfig(
  dataDir: string,
  cloudUrls: string[],
  ledger: FakeLedger,
  extra: Record<string, unknown> = {},
): GatewayConfig {
  return parseGatewayConfig(
    {
      name: 'test farm gateway',
      participantId: 'urn:epc:id:pgln:0614141.00001',
      dataDir,
      keyFile: join(dataDir, 'gateway.key.pem'),
      mqtt: { mode: 'embedded', host: '127.0.0.1', port: 0 },
      cloud: {
        urls: cloudUrls,
        replicaPublicKeys: ledger.replicaPublicKeys.map(publicKeyToText),
        requestTimeoutMs: 500,
      },
      outbox: { retryDelayMsBase: 20, retryDelayMsMax: 200, commitPollDelayMs: 10 },
      ...extra,
    },
    dataDir,
  );
}

export const testKey = generateKeyPair();

export function startTestGateway(config: GatewayConfig, seed = 1): Promise<Gateway> {
  return Gateway.start(config, { key: testKey, rng: new SeededRng(seed) });
}

/** Polls a condition in a bounded loop (no fixed sleeps): resolves when true, throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Connects an MQTT client; resolves with it on CONNACK 0, rejects with the refusal otherwise. */
export function connectDevice(port: number, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** Resolves true if the publish was acknowledged, false if the connection closed first. */
export function publishAcked(client: MqttClient, topic: string, payload: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1 }, (error) => {
      client.off('close', onClose);
      resolve(!error);
    });
  });
}
