import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** `pnpm start` flags. Bad flags are a UsageError: the caller prints it with the usage and exits 2. */
export const usage = `usage: pnpm start [options]
  --data-dir <dir>    where keys, configs and ledgers live (default ./.data/demo); kept across restarts
  --n <replicas>      number of PBFT replicas, ≥ 4 (default 4; fixed when the data dir is created)
  --mode pbft         consensus mode; only pbft runs the demo (ledger on gpbft: not supported yet)
  --base-port <port>  first TCP port: replica i uses base+2i (peers) and base+2i+1 (HTTP), the gateway's
                      MQTT broker base+83, the web front base+80, the farmer UI base+81
                      (default 7100; 0 = any free ports)
  --fresh             delete the data dir first (new keys, empty ledgers)
  --no-devices        start no simulated field devices (no MQTT sensors, no serial lines)
  --scenario-interval-ms <ms>  pause between farm-to-fork events (default 3000, ≥ 200)
  --help              this text`;

export class UsageError extends Error {}

export interface DemoArgs {
  dataDir: string;
  n: number;
  mode: 'pbft';
  basePort: number;
  fresh: boolean;
  devices: boolean;
  scenarioIntervalMs: number;
  help: boolean;
}

function intFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${value}'`);
  return n;
}

export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const mode = values.mode ?? 'pbft';
  if (mode === 'gpbft')
    throw new UsageError(
      '--mode gpbft: ledger on gpbft: not supported yet (grouped PBFT runs the log app: docs/replica.md); use --mode pbft',
    );
  if (mode !== 'pbft') throw new UsageError(`--mode must be pbft, got '${mode}'`);
  return {
    dataDir: resolve(values['data-dir'] ?? '.data/demo'),
    n: intFlag(values.n, 'n', 4, 64, 4),
    mode,
    basePort: intFlag(values['base-port'], 'base-port', 0, 65_000, 7100),
    fresh: values.fresh === true,
    devices: values['no-devices'] !== true,
    scenarioIntervalMs: intFlag(values['scenario-interval-ms'], 'scenario-interval-ms', 200, 3_600_000, 3000),
    help: values.help === true,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'data-dir': { type: 'string' },
      n: { type: 'string' },
      mode: { type: 'string' },
      'base-port': { type: 'string' },
      fresh: { type: 'boolean' },
      'no-devices': { type: 'boolean' },
      'scenario-interval-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
