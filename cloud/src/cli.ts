import { parseArgs } from 'node:util';
import { isSuyuanError } from '@suyuan/shared';

/**
 * suyuan-cloud: run and manage PBFT replicas (`pnpm cloud <command>`).
 *
 *   keygen --n <replicas> --out <dir> [--base-port <port>] [--host <addr>] [--tls] [--mode gpbft --groups <g>]
 *   start  --config <file> [--log-level <level>]
 *   status --url <http://host:port>
 *   backup  --config <file> --out <new dir>      (online: the replica keeps running)
 *   restore --config <file> --from <backup dir>  (the replica must be stopped)
 */
const usage = `usage:
  suyuan-cloud keygen --n <replicas ≥ 4> --out <dir> [--base-port <port>] [--host <addr>] [--tls]
                      [--mode gpbft --groups <g>]
  suyuan-cloud start --config <file> [--log-level fatal|error|warn|info|debug|trace|silent]
  suyuan-cloud status --url <http://host:port>
  suyuan-cloud backup --config <file> --out <new dir>
  suyuan-cloud restore --config <file> --from <backup dir>`;

class UsageError extends Error {}

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function keygenCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string' },
      out: { type: 'string' },
      'base-port': { type: 'string' },
      host: { type: 'string' },
      tls: { type: 'boolean' },
      mode: { type: 'string' },
      groups: { type: 'string' },
    },
  });
  const mode = values.mode ?? 'pbft';
  if (mode !== 'pbft' && mode !== 'gpbft')
    throw new UsageError(`--mode must be pbft or gpbft, got '${mode}'`);
  const groups = intFlag(values.groups, 'groups');
  if (mode === 'gpbft' && groups === undefined) throw new UsageError('--mode gpbft needs --groups <count>');
  if (mode === 'pbft' && groups !== undefined) throw new UsageError('--groups needs --mode gpbft');
  const { keygen } = await import('./replica/keygen.ts');
  const n = intFlag(required(values.n, 'n'), 'n')!;
  const basePort = intFlag(values['base-port'], 'base-port');
  const result = await keygen({
    n,
    outDir: required(values.out, 'out'),
    host: values.host ?? '127.0.0.1',
    ...(basePort !== undefined ? { basePort } : {}),
    ...(values.tls ? { tls: true } : {}),
    ...(groups !== undefined ? { groups } : {}),
  });
  console.log(JSON.stringify(result));
}

async function startCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, 'log-level': { type: 'string' } },
  });
  const { loadReplicaConfig } = await import('./replica/config.ts');
  const { createLogger, parseLogLevel } = await import('./ops/logger.ts');
  const { startReplica } = await import('./replica/replica-node.ts');
  const { consensusBindings } = await import('./replica/consensus-bindings.ts');
  await import('./api/ledger-replica-app.ts'); // registers app 'ledger' with the replica app registry
  const config = loadReplicaConfig(required(values.config, 'config'));
  const level = values['log-level'] === undefined ? config.logLevel : parseLogLevel(values['log-level']);
  const logger = createLogger({ component: 'replica', identity: { replica: config.id }, level });
  if (!config.tls && !isLoopback(config.listen.host)) {
    logger.warn({ event: 'plaintext', detail: `peer port on ${config.listen.host} without tls` });
  }
  const node = await startReplica(config, consensusBindings, { logger });
  logger.info({ event: 'listening', peerPort: node.peerPort, httpPort: node.httpPort, tls: !!config.tls });
  // One JSON line on stdout: how scripts and tests learn the bound ports (they may be 0 in config).
  console.log(
    JSON.stringify({
      event: 'listening',
      id: node.id,
      peerPort: node.peerPort,
      httpPort: node.httpPort,
      pid: process.pid,
    }),
  );
  const shutdown = (signal: string) => {
    logger.info({ event: 'stopping', signal });
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

async function statusCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' } } });
  const url = new URL('/v1/status', required(values.url, 'url'));
  const response = await fetch(url);
  if (!response.ok) throw new UsageError(`${url} answered ${response.status}`);
  console.log(JSON.stringify(await response.json(), null, 2));
}

async function backupCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, out: { type: 'string' } } });
  const { loadReplicaConfig } = await import('./replica/config.ts');
  const { backupReplica } = await import('./ops/backup.ts');
  const config = loadReplicaConfig(required(values.config, 'config'));
  console.log(JSON.stringify(backupReplica(config, required(values.out, 'out'))));
}

async function restoreCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, from: { type: 'string' } } });
  const { loadReplicaConfig } = await import('./replica/config.ts');
  const { restoreReplica } = await import('./ops/backup.ts');
  const config = loadReplicaConfig(required(values.config, 'config'));
  console.log(JSON.stringify(restoreReplica(config, required(values.from, 'from'))));
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  keygen: keygenCommand,
  start: startCommand,
  status: statusCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) throw new UsageError(name === undefined ? 'no command given' : `unknown command '${name}'`);
  await command(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
    console.error(`suyuan-cloud: ${error.message}\n${usage}`);
    process.exit(2);
  }
  if (isSuyuanError(error)) {
    console.error(`suyuan-cloud: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
