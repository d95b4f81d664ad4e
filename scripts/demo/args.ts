import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** `pnpm start` flags. Bad flags are a UsageError: the caller prints it with the usage and exits 2. */
export const usage = `usage: pnpm start [options]
  --data-dir <dir>    where keys, configs and ledgers live (default ./.data/demo); kept across restarts
  --n <replicas>      number of replicas, ≥ 4 (default 4 with pbft, 8 with gpbft; fixed when the data
                      dir is created)
  --mode pbft|gpbft   consensus: flat PBFT (default) or grouped PBFT (docs/consensus.md)
  --groups <g>        gpbft only: number of groups, each of ≥ 4 replicas (default 2); members are
                      dealt from a public seed drawn after the keys
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
  mode: 'pbft' | 'gpbft';
  /** gpbft: the group count; absent with pbft. */
  groups?: number;
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
  if (mode !== 'pbft' && mode !== 'gpbft')
    throw new UsageError(`--mode must be pbft or gpbft, got '${mode}'`);
  if (mode === 'pbft' && values.groups !== undefined) throw new UsageError('--groups needs --mode gpbft');
  const n = intFlag(values.n, 'n', 4, 64, mode === 'gpbft' ? 8 : 4);
  return {
    dataDir: resolve(values['data-dir'] ?? '.data/demo'),
    n,
    mode,
    ...(mode === 'gpbft' ? { groups: groupCount(values.groups, n) } : {}),
    basePort: intFlag(values['base-port'], 'base-port', 0, 65_000, 7100),
    fresh: values.fresh === true,
    devices: values['no-devices'] !== true,
    scenarioIntervalMs: intFlag(values['scenario-interval-ms'], 'scenario-interval-ms', 200, 3_600_000, 3000),
    help: values.help === true,
  };
}

/** Smallest group grouped PBFT accepts (3f+1 with f = 1; cloud/src/gpbft/layout.ts groupSizeMin). */
const groupSizeMin = 4;

/** The gpbft group count: every group needs ≥ 4 replicas, so at most ⌊n/4⌋ groups. */
function groupCount(value: string | undefined, n: number): number {
  const most = Math.floor(n / groupSizeMin);
  const g = intFlag(value, 'groups', 1, 64, 2);
  if (g > most) {
    throw new UsageError(
      `--groups ${g} with --n ${n}: a group would have ${Math.floor(n / g)} replicas, fewer than ${groupSizeMin}; ` +
        `use at most ${most} groups, or more replicas (--n ${g * groupSizeMin})`,
    );
  }
  return g;
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
      groups: { type: 'string' },
      'base-port': { type: 'string' },
      fresh: { type: 'boolean' },
      'no-devices': { type: 'boolean' },
      'scenario-interval-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
