import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort as freePortOn } from '@suyuan/cloud/replica/keygen';
import { loadGatewayConfig } from '@suyuan/edge/gateway/config';
import { Gateway } from '@suyuan/edge/gateway/gateway';
import {
  type Ed25519KeyPair,
  generateKeyPair,
  publicKeyToText,
  SeededRng,
  savePrivateKey,
} from '@suyuan/shared';

/**
 * Runs the real gateway daemon (`suyuan-edge start`) as a child process, so tests can kill -9 it
 * and restart it on the same data directory and MQTT port.
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const cli = join(repoRoot, 'edge/src/cli.ts');

/** A free loopback port below the ephemeral range (see freePortRange in the replica keygen). */
export function freePort(): Promise<number> {
  return freePortOn('127.0.0.1');
}

export interface GatewaySetup {
  configPath: string;
  key: Ed25519KeyPair;
  port: number;
  credentials: Record<string, string>;
}

/** Writes a config and key into `dir`, and registers the devices; returns what devices need. */
export async function setUpGateway(
  dir: string,
  cloud: { urls: string[]; replicaPublicKeys: Uint8Array[] },
  deviceIds: readonly string[],
  extra: Record<string, unknown> = {},
): Promise<GatewaySetup> {
  const port = await freePort();
  const key = generateKeyPair();
  savePrivateKey(join(dir, 'gateway.key.pem'), key.privateKey);
  const configPath = join(dir, 'gateway.json');
  const file = {
    name: 'crash-test gateway',
    participantId: 'urn:epc:id:pgln:0614141.00001',
    dataDir: 'data',
    keyFile: 'gateway.key.pem',
    mqtt: {
      mode: 'embedded',
      host: '127.0.0.1',
      port,
      publishRate: { ratePerSecond: 100_000, burst: 100_000, devicesMax: 1000 },
    },
    cloud: {
      urls: cloud.urls,
      replicaPublicKeys: cloud.replicaPublicKeys.map(publicKeyToText),
      requestTimeoutMs: 1000,
      inflightMax: 4,
    },
    outbox: { retryDelayMsBase: 50, retryDelayMsMax: 500, commitPollDelayMs: 20 },
    ...extra,
  };
  writeFileSync(configPath, JSON.stringify(file, null, 2));
  const gateway = Gateway.open(loadGatewayConfig(configPath), { key, rng: new SeededRng(1) });
  const credentials: Record<string, string> = {};
  for (const id of deviceIds) credentials[id] = await gateway.credentials.add(id, Date.now());
  await gateway.stop();
  return { configPath, key, port, credentials };
}

export class GatewayProcess {
  private child: ChildProcess | null = null;
  readonly configPath: string;
  starts = 0;
  stderr = '';

  private readonly nodeFlags: readonly string[];
  /** A compiled CLI (`buildGatewayBundle().cli`) to run with plain node; the TS source via tsx if absent. */
  private readonly compiledCli: string | undefined;

  constructor(configPath: string, nodeFlags: readonly string[] = [], compiledCli?: string) {
    this.configPath = configPath;
    this.nodeFlags = nodeFlags;
    this.compiledCli = compiledCli;
  }

  /** True once the current child ended on its own (or was killed). */
  get exited(): boolean {
    return this.child !== null && (this.child.exitCode !== null || this.child.signalCode !== null);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the daemon and resolves when it printed its ready line. */
  async start(): Promise<void> {
    // node itself with tsx's loader (not the tsx wrapper, which would leave its child running on SIGKILL)
    const entry = this.compiledCli ? [this.compiledCli] : ['--import', 'tsx', cli];
    const child = spawn(
      process.execPath,
      [...this.nodeFlags, ...entry, 'start', '--config', this.configPath],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      },
    );
    this.child = child;
    this.starts++;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    await new Promise<void>((resolveReady, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (line.includes('"ready":true')) resolveReady();
      });
      child.once('exit', (code) =>
        reject(new Error(`gateway exited (${code}) before ready: ${this.stderr}`)),
      );
    });
  }

  /** kill -9, then wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  /** Graceful stop (SIGTERM). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }
}
