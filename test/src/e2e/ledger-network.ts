import { readFileSync, writeFileSync } from 'node:fs';
import { waitDeviceBindings } from '../../../scripts/demo/bootstrap.ts';
import { CloudClient } from '../../../scripts/demo/cloud-client.ts';
import {
  cloudCli,
  type DemoLayout,
  demoLayout,
  edgeCli,
  repoRoot,
  tsxArgs,
} from '../../../scripts/demo/layout.ts';
import { loadParties, type Party, type PartyName } from '../../../scripts/demo/parties.ts';
import { bootstrapRegistry } from '../../../scripts/demo/phases.ts';
import { createNetworkFiles, type DemoFile } from '../../../scripts/demo/setup.ts';
import { waitHealthy } from '../../../scripts/demo/wait.ts';
import { type Launch, Proc } from './proc.ts';

/**
 * A real ledger network for whole-system tests and the e2e bench, built with the same files and
 * registry bootstrap as `pnpm start` (scripts/demo): n PBFT replicas with `app: 'ledger'`, the
 * organisations, an enrolled gateway whose devices are bound on the registry chain. Where each
 * process runs is a `Placement`: all on loopback, or each replica and the gateway on its own host
 * (network namespace) with its own IP.
 */
export interface Placement {
  /** The address a role ('replica-<i>' or 'gateway') listens on. */
  ip(role: string): string;
  /** How to launch a command for that role (identity on loopback, `ip netns exec` on a lab host). */
  wrap(role: string, command: string, args: string[]): Launch;
}

export const loopback: Placement = {
  ip: () => '127.0.0.1',
  wrap: (_role, command, args) => ({ command, args }),
};

export interface NetworkOptions {
  n?: number;
  /** Merged into every replica config (e.g. `{ consensus: {...} }`). */
  replicaExtra?: Record<string, unknown>;
  /** Edits gateway.json before the gateway first starts (limits, outbox tuning). */
  editGateway?: (config: Record<string, unknown>) => void;
  /** Extra node flags for the gateway process. */
  gatewayNodeFlags?: string[];
  /** Extra node flags for every replica process (e.g. `--cpu-prof`). */
  replicaNodeFlags?: string[];
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const writeJson = (path: string, value: unknown) =>
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
const healthPoll = { attemptsMax: 600, intervalMs: 100 };

export class LedgerNetwork {
  readonly layout: DemoLayout;
  readonly file: DemoFile;
  readonly parties: Record<PartyName, Party>;
  readonly placement: Placement;
  readonly replicas: (Proc | null)[];
  gateway: Proc | null = null;
  mqttUrl = '';
  private readonly gatewayNodeFlags: string[];
  private readonly replicaNodeFlags: string[];

  private constructor(
    layout: DemoLayout,
    file: DemoFile,
    parties: Record<PartyName, Party>,
    placement: Placement,
    gatewayNodeFlags: string[],
    replicaNodeFlags: string[],
  ) {
    this.layout = layout;
    this.file = file;
    this.parties = parties;
    this.placement = placement;
    this.replicas = file.replicaHttpPorts.map(() => null);
    this.gatewayNodeFlags = gatewayNodeFlags;
    this.replicaNodeFlags = replicaNodeFlags;
  }

  /** Writes keys and configs into `dir` (an empty temp dir) for the given placement. */
  static async create(
    dir: string,
    placement: Placement,
    options: NetworkOptions = {},
  ): Promise<LedgerNetwork> {
    const layout = demoLayout(dir);
    const parties = loadParties(layout);
    const file = await createNetworkFiles(layout, options.n ?? 4, 0, parties);
    const urls = file.replicaHttpPorts.map((port, i) => `http://${placement.ip(`replica-${i}`)}:${port}`);
    for (let i = 0; i < file.n; i++) {
      const config = readJson(layout.replicaConfig(i));
      const host = placement.ip(`replica-${i}`);
      config.listen = { ...(config.listen as object), host, httpHost: host };
      config.peers = (config.peers as { id: number }[]).map((p) => ({
        ...p,
        host: placement.ip(`replica-${p.id}`),
      }));
      Object.assign(config, options.replicaExtra ?? {});
      writeJson(layout.replicaConfig(i), config);
    }
    const gateway = readJson(layout.gatewayConfig);
    gateway.cloud = { ...(gateway.cloud as object), urls };
    gateway.mqtt = { ...(gateway.mqtt as object), host: placement.ip('gateway') };
    options.editGateway?.(gateway);
    writeJson(layout.gatewayConfig, gateway);
    return new LedgerNetwork(
      layout,
      file,
      parties,
      placement,
      options.gatewayNodeFlags ?? [],
      options.replicaNodeFlags ?? [],
    );
  }

  url(i: number): string {
    return `http://${this.placement.ip(`replica-${i}`)}:${this.file.replicaHttpPorts[i]}`;
  }

  get urls(): string[] {
    return this.file.replicaHttpPorts.map((_, i) => this.url(i));
  }

  client(): CloudClient {
    return new CloudClient(this.urls);
  }

  async startReplica(i: number): Promise<void> {
    const launch = this.placement.wrap(`replica-${i}`, process.execPath, [
      ...this.replicaNodeFlags,
      ...tsxArgs(cloudCli, ['start', '--config', this.layout.replicaConfig(i)]),
    ]);
    const proc = new Proc(`replica-${i}`, launch, repoRoot);
    this.replicas[i] = proc;
    await proc.unlessExited(waitHealthy(this.url(i), `replica ${i} at ${this.url(i)}`, healthPoll));
  }

  async killReplica(i: number): Promise<void> {
    await this.replicas[i]?.kill();
    this.replicas[i] = null;
  }

  /** Registers the organisations and the gateway's key, and queues its device bindings in its outbox. */
  async bootstrap(): Promise<string> {
    return bootstrapRegistry(this.client(), this.parties, this.file, this.layout);
  }

  /** Starts the gateway daemon (`suyuan-edge start`) and waits for its ready line. */
  async startGateway(): Promise<void> {
    const launch = this.placement.wrap('gateway', process.execPath, [
      ...this.gatewayNodeFlags,
      ...tsxArgs(edgeCli, ['start', '--config', this.layout.gatewayConfig]),
    ]);
    const proc = new Proc('gateway', launch, repoRoot, { ...process.env, NODE_NO_WARNINGS: '1' });
    this.gateway = proc;
    const port = await proc.jsonLine((j) =>
      j.ready === true && typeof j.mqttPort === 'number' ? j.mqttPort : null,
    );
    this.mqttUrl = `mqtt://${this.placement.ip('gateway')}:${port}`;
  }

  async killGateway(): Promise<void> {
    await this.gateway?.kill();
    this.gateway = null;
  }

  /** Every credentialed device of the gateway and its MQTT secret. */
  deviceSecrets(): Record<string, string> {
    return JSON.parse(readFileSync(this.layout.deviceSecrets, 'utf8')) as Record<string, string>;
  }

  async waitBindings(gatewayKeyId: string): Promise<void> {
    const ids = Object.keys(this.deviceSecrets());
    await waitDeviceBindings(this.client(), this.parties['lotus-coop'].id, gatewayKeyId, ids);
  }

  /** Starts replicas, bootstraps the registry, starts the gateway, waits for the device bindings. */
  async startAll(): Promise<void> {
    await Promise.all(this.replicas.map((_, i) => this.startReplica(i)));
    const keyId = await this.bootstrap();
    await this.startGateway();
    await this.waitBindings(keyId);
  }

  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    this.replicas.forEach((r, i) => {
      if (r?.running) out[`replica-${i}`] = r.pid;
    });
    if (this.gateway?.running) out.gateway = this.gateway.pid;
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway?.kill(), ...this.replicas.map((r) => r?.kill())]);
  }

  /** SIGTERM to every process (their shutdown handlers run, e.g. `--cpu-prof` writes its profile), kill -9 after `graceMs`. */
  async terminate(graceMs: number): Promise<void> {
    const procs = [this.gateway, ...this.replicas].filter((p): p is Proc => p !== null);
    await Promise.all(
      procs.map(async (p) => {
        const timer = setTimeout(() => void p.kill(), graceMs);
        await p.terminate();
        clearTimeout(timer);
      }),
    );
  }
}
