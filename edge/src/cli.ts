import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  generateKeyPair,
  isSuyuanError,
  type JsonValue,
  loadPrivateKey,
  publicKeyToText,
  SeededRng,
  savePrivateKey,
  systemClock,
} from '@suyuan/shared';
import { type GatewayConfig, loadGatewayConfig, parseGatewayConfig } from './gateway/config.ts';
import { Gateway } from './gateway/gateway.ts';
import { enrollmentActions, queueSignedPayloads } from './gateway/signed-payloads.ts';
import { createGatewayLogger, type LogLevel, parseLogLevel } from './ops/logger.ts';

/**
 * suyuan-edge: `init` (key and config), `device add|list` (MQTT credentials), `enroll` (registry
 * payloads), `start` (the daemon), `status` (outbox, devices, quarantine, dead letters).
 */
const usage = `usage: suyuan-edge <command> [options]
  init    --dir D --name N --participant P --cloud URL[,URL] --replica-keys K[,K]
          [--replica-groups 0,2,4,6/1,3,5,7]  (grouped PBFT: replica ids per group)
          [--mqtt-port 1883 | --external mqtt://host:port]
  device  add <deviceId> --config F     (prints the device secret once)
  device  list --config F
  enroll  --config F [--submit]          (prints registry actions; --submit queues the device bindings)
  start   --config F [--log-level fatal|error|warn|info|debug|trace|silent]
  status  --config F [--json]`;

const options = {
  dir: { type: 'string' },
  name: { type: 'string' },
  participant: { type: 'string' },
  cloud: { type: 'string' },
  'replica-keys': { type: 'string' },
  'replica-groups': { type: 'string' },
  'mqtt-port': { type: 'string' },
  external: { type: 'string' },
  config: { type: 'string', short: 'c' },
  submit: { type: 'boolean' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

class UsageError extends Error {}

function init(values: Values): void {
  const dir = resolve(required(values, 'dir'));
  const configPath = join(dir, 'gateway.json');
  if (existsSync(configPath)) throw new UsageError(`${configPath} exists; refusing to overwrite`);
  mkdirSync(dir, { recursive: true });
  const port = Number(values['mqtt-port'] ?? 1883);
  const file = {
    name: required(values, 'name'),
    participantId: required(values, 'participant'),
    dataDir: 'data',
    keyFile: 'gateway.key.pem',
    mqtt: values.external ? { mode: 'external', url: values.external } : { mode: 'embedded', port },
    cloud: {
      urls: required(values, 'cloud').split(','),
      replicaPublicKeys: required(values, 'replica-keys').split(','),
      ...(values['replica-groups'] ? { replicaGroups: parseGroups(values['replica-groups']) } : {}),
    },
  };
  parseGatewayConfig(file, dir); // validate before writing anything
  const key = generateKeyPair();
  savePrivateKey(join(dir, file.keyFile), key.privateKey);
  writeFileSync(configPath, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx' });
  console.log(`wrote ${configPath} and ${join(dir, file.keyFile)} (mode 600)`);
  console.log(`gateway key id ${key.keyId}\npublic key   ${publicKeyToText(key.publicKey)}`);
}

/** `0,2,4,6/1,3,5,7`: replica ids per group, groups separated by '/'. */
function parseGroups(text: string): number[][] {
  return text.split('/').map((group) =>
    group.split(',').map((id) => {
      if (!/^\d+$/.test(id)) throw new UsageError(`--replica-groups: '${id}' is not a replica id`);
      return Number(id);
    }),
  );
}

function openGateway(config: GatewayConfig): Gateway {
  return Gateway.open(config, { key: loadPrivateKey(config.keyFile), rng: new SeededRng(Date.now() | 0) });
}

async function device(
  config: GatewayConfig,
  action: string | undefined,
  id: string | undefined,
): Promise<void> {
  const gateway = openGateway(config);
  try {
    if (action === 'add' && id) {
      const secret = await gateway.credentials.add(id, Date.now());
      console.log(JSON.stringify({ deviceId: id, username: id, clientId: id, secret }));
    } else if (action === 'list') {
      for (const d of gateway.credentials.list())
        console.log(`${d.deviceId}${d.disabled ? ' (disabled)' : ''}`);
    } else {
      throw new UsageError('device add <deviceId> | device list');
    }
  } finally {
    await gateway.stop();
  }
}

async function enroll(config: GatewayConfig, submit: boolean): Promise<void> {
  const key = loadPrivateKey(config.keyFile);
  const gateway = openGateway(config);
  try {
    const devices = gateway.credentials
      .list()
      .filter((d) => !d.disabled)
      .map((d) => d.deviceId);
    const actions = enrollmentActions(config.participantId, key, devices);
    console.log('# for the participant (or an administrator) to sign and submit:');
    console.log(JSON.stringify({ kind: 'registry', action: actions.addKey }));
    console.log('# device bindings, signed by this gateway once its key is registered:');
    for (const a of actions.bindDevices) console.log(JSON.stringify({ kind: 'registry', action: a }));
    if (submit && actions.bindDevices.length > 0) {
      const payloads = actions.bindDevices.map(
        (action) => ({ kind: 'registry', action }) as unknown as JsonValue,
      );
      const seq = queueSignedPayloads(gateway.db, gateway.outbox, key, systemClock, 'registry', payloads);
      console.log(`queued as submission ${seq}; the running gateway delivers it`);
    }
  } finally {
    await gateway.stop();
  }
}

async function start(config: GatewayConfig, level: LogLevel): Promise<void> {
  const logger = createGatewayLogger({ gateway: config.name, level });
  const key = loadPrivateKey(config.keyFile);
  const gateway = await Gateway.start(config, { key, rng: new SeededRng(Date.now() | 0), log: logger });
  const port = gateway.broker?.port ?? null;
  // stdout keeps its one machine-readable line (scripts read it); the log line is for operators.
  console.log(JSON.stringify({ ready: true, keyId: key.keyId, mqttPort: port, pid: process.pid }));
  const metricsPort = gateway.metricsServer?.port ?? null;
  logger.info({
    event: 'ready',
    keyId: key.keyId,
    mqttPort: port,
    metricsPort,
    uiPort: gateway.uiServer?.port ?? null,
  });
  const stop = (signal: string) => {
    logger.info({ event: 'stopping', signal });
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function status(config: GatewayConfig, json: boolean): Promise<void> {
  const gateway = openGateway(config);
  try {
    const report = {
      outbox: gateway.outbox.stats(),
      deadLetters: gateway.outbox.deadLetters(20),
      devices: gateway.ingestStore.devices(),
      counters: gateway.ingestStore.counters(),
      recentQuarantine: gateway.ingestStore.quarantined(10).map(({ payload: _p, ...q }) => q),
    };
    if (json) console.log(JSON.stringify(report, null, 2));
    else {
      const o = report.outbox;
      console.log(
        `outbox: ${o.pending} pending, ${o.accepted} awaiting commit, ${o.committed} committed, ${o.dead} dead`,
      );
      console.log(
        `        ${o.pendingPayloads} payloads / ${o.pendingBytes} bytes queued; refused ${o.refused}, expired ${o.expired}`,
      );
      for (const d of report.devices) {
        console.log(
          `device ${d.deviceId}: accepted ${d.accepted}, duplicates ${d.duplicates}, quarantined ${d.quarantined}, gaps ${d.gaps}, resets ${d.resets}`,
        );
      }
      for (const dl of report.deadLetters) console.log(`dead #${dl.seq}: ${dl.lastError}`);
    }
  } finally {
    await gateway.stop();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  if (command === 'init') return init(values);
  const config = loadGatewayConfig(required(values, 'config'));
  switch (command) {
    case 'device':
      return device(config, rest[0], rest[1]);
    case 'enroll':
      return enroll(config, values.submit === true);
    case 'start':
      return start(config, values['log-level'] ? parseLogLevel(values['log-level']) : config.logLevel);
    case 'status':
      return status(config, values.json === true);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n${usage}`);
  else if (isSuyuanError(error)) console.error(`error (${error.code}): ${error.message}`);
  else console.error(error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
