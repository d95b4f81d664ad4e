import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadReplicaConfig } from '../../cloud/src/replica/config.ts';
import { freePort, keygen } from '../../cloud/src/replica/keygen.ts';
import { toBase64Url, withCheckDigit } from '../../shared/src/index.ts';
import { demoCompanyPrefix, demoGtin } from './events.ts';
import { type DemoLayout, edgeCli, repoRoot, tsxArgs } from './layout.ts';
import type { Party, PartyName } from './parties.ts';

/**
 * First start: replica keys and configs (`suyuan-cloud keygen` as a library call, app 'ledger', the
 * same ledger.json genesis in every replica's data dir), the gateway (`suyuan-edge init`, `device
 * add`). Later starts read demo.json and reuse everything, so the ledgers continue.
 */
export interface DemoDevice {
  deviceId: string;
  kind: 'soil' | 'air' | 'light' | 'coldChain';
}

export const demoDevices: readonly DemoDevice[] = [
  { deviceId: 'coop-soil-1', kind: 'soil' },
  { deviceId: 'coop-air-1', kind: 'air' },
  { deviceId: 'truck-logger-1', kind: 'coldChain' },
];

/** The RS485 soil probe the gateway polls over a serial line (bound like the MQTT devices). */
export const serialProbeDeviceId = 'coop-probe-1';

export interface DemoFile {
  v: 1;
  n: number;
  /** Grouped PBFT: the group count (absent: flat PBFT, as in data dirs made before session 5). */
  groups?: number;
  replicaHttpPorts: number[];
  mqttPort: number;
  webPort: number;
  /** The gateway's farmer UI (edge `ui` config); absent in data dirs made before it existed. */
  uiPort?: number;
  /** The item whose URL and QR code the banner shows (set by the first scenario round). */
  demoItem: { gtin: string; serial: string; lot: string } | null;
  enrollSubmitted: boolean;
}

export function readDemoFile(layout: DemoLayout): DemoFile | null {
  if (!existsSync(layout.demoFile)) return null;
  return JSON.parse(readFileSync(layout.demoFile, 'utf8')) as DemoFile;
}

export function writeDemoFile(layout: DemoLayout, file: DemoFile): void {
  writeFileSync(layout.demoFile, `${JSON.stringify(file, null, 2)}\n`);
}

export async function createNetworkFiles(
  layout: DemoLayout,
  n: number,
  basePort: number,
  parties: Record<PartyName, Party>,
  groups: number | null = null,
): Promise<DemoFile> {
  mkdirSync(layout.dataDir, { recursive: true });
  const host = '127.0.0.1';
  const { ports } = await keygen({
    n,
    outDir: layout.replicasDir,
    host,
    ...(basePort > 0 ? { basePort } : {}),
    // gpbft: keygen draws the public seed that deals replicas into groups after the keys exist.
    ...(groups !== null ? { groups } : {}),
    extra: { app: 'ledger' },
  });
  const admin = parties.admin;
  const ledgerConfig = {
    chains: [
      { name: 'registry', kind: 'registry' },
      { name: 'trace', kind: 'trace' },
      { name: 'telemetry', kind: 'telemetry' },
    ],
    genesis: { admins: [{ id: admin.id, name: admin.display, publicKey: toBase64Url(admin.key.publicKey) }] },
  };
  for (let i = 0; i < n; i++) {
    mkdirSync(layout.replicaDataDir(i), { recursive: true });
    writeFileSync(
      join(layout.replicaDataDir(i), 'ledger.json'),
      `${JSON.stringify(ledgerConfig, null, 2)}\n`,
    );
  }
  const mqttPort = basePort > 0 ? basePort + 83 : await freePort(host);
  const webPort = basePort > 0 ? basePort + 80 : await freePort(host);
  const replicaHttpPorts = ports.map((p) => p.httpPort);
  initGateway(layout, parties, replicaHttpPorts, mqttPort);
  const file: DemoFile = {
    v: 1,
    n,
    ...(groups !== null ? { groups } : {}),
    replicaHttpPorts,
    mqttPort,
    webPort,
    demoItem: null,
    enrollSubmitted: false,
  };
  writeDemoFile(layout, file);
  return file;
}

function edge(args: string[]): string {
  return execFileSync(process.execPath, tsxArgs(edgeCli, args), { cwd: repoRoot, encoding: 'utf8' });
}

function replicaKeys(layout: DemoLayout): string[] {
  const config = JSON.parse(readFileSync(layout.replicaConfig(0), 'utf8')) as {
    peers: { publicKey: string }[];
  };
  return config.peers.map((p) => p.publicKey);
}

function replicaGroupsFlag(layout: DemoLayout): string[] {
  const groups = loadReplicaConfig(layout.replicaConfig(0)).layout?.groups;
  if (groups === undefined || groups.length < 2) return [];
  return [`--replica-groups=${groups.map((members) => members.join(',')).join('/')}`];
}

function initGateway(
  layout: DemoLayout,
  parties: Record<PartyName, Party>,
  httpPorts: number[],
  mqttPort: number,
): void {
  edge([
    'init',
    '--dir',
    layout.gatewayDir,
    '--name',
    'Lotus Valley Cooperative gateway',
    '--participant',
    parties['lotus-coop'].id,
    '--cloud',
    httpPorts.map((p) => `http://127.0.0.1:${p}`).join(','),
    // One argument with '=': a base64url key may begin with '-', which parseArgs would take for an option.
    `--replica-keys=${replicaKeys(layout).join(',')}`,
    // Grouped PBFT: the layout the gateway checks its receipts' grouped certificates under.
    ...replicaGroupsFlag(layout),
    '--mqtt-port',
    String(mqttPort),
  ]);
  const secrets: Record<string, string> = {};
  for (const deviceId of [...demoDevices.map((d) => d.deviceId), serialProbeDeviceId]) {
    const out = edge(['device', 'add', deviceId, '--config', layout.gatewayConfig]);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`suyuan-edge device add ${deviceId} printed no credentials`);
    secrets[deviceId] = (JSON.parse(line) as { secret: string }).secret;
  }
  writeFileSync(layout.deviceSecrets, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Turns on the gateway's farmer UI (`ui` in gateway.json: product GTIN, the farm's GLN, a fixed
 * port) once per data dir; older data dirs get it on their next start.
 */
export async function ensureFarmerUi(layout: DemoLayout, file: DemoFile): Promise<number> {
  if (file.uiPort !== undefined) return file.uiPort;
  const base = file.replicaHttpPorts[0]! - 1;
  const fixed = file.replicaHttpPorts.every((port, i) => port === base + 2 * i + 1);
  const uiPort = fixed ? base + 81 : await freePort('127.0.0.1');
  const config = JSON.parse(readFileSync(layout.gatewayConfig, 'utf8')) as Record<string, unknown>;
  config.ui = {
    port: uiPort,
    gtin: demoGtin,
    companyPrefixLength: demoCompanyPrefix.length,
    farmGln: withCheckDigit(`${demoCompanyPrefix}00001`),
  };
  writeFileSync(layout.gatewayConfig, `${JSON.stringify(config, null, 2)}\n`);
  file.uiPort = uiPort;
  writeDemoFile(layout, file);
  return uiPort;
}

/** The gateway's own key id (from its `enroll` output) and queue its device bindings once. */
export function enrollGateway(layout: DemoLayout, submit: boolean): { gatewayPublicKey: string } {
  const out = edge(['enroll', '--config', layout.gatewayConfig, ...(submit ? ['--submit'] : [])]);
  const addKey = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { action: { type: string; publicKey?: string } })
    .find((p) => p.action.type === 'addKey');
  if (!addKey?.action.publicKey) throw new Error('suyuan-edge enroll printed no addKey action');
  return { gatewayPublicKey: addKey.action.publicKey };
}
