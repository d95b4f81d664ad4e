import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRng } from '@suyuan/shared';
import { type SensorKind, sensorKinds } from '../mqtt/sensor-kinds.ts';
import { SensorNode } from '../mqtt/sensor-node.ts';
import { exampleSeason, planSeason } from './farm-season.ts';
import { type Credentials, devicesFor, runLoad, runSeason } from './run.ts';

/**
 * Simulated MQTT sensors against a gateway:
 *   tsx firmware-sim/src/scenario/cli.ts devices                         # device ids of the example farm
 *   tsx firmware-sim/src/scenario/cli.ts season --url mqtt://… --credentials creds.json [--days 7] [--seed 1]
 *   tsx firmware-sim/src/scenario/cli.ts load --url mqtt://… --credentials creds.json --rate 5000 --duration-ms 10000
 * `creds.json` maps device id → secret (from `pnpm edge device add <id>`). Load-mode devices are the
 * credential file's ids in order, kinds taken in turn.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    credentials: { type: 'string' },
    days: { type: 'string', default: '7' },
    seed: { type: 'string', default: '1' },
    rate: { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '10000' },
    'readings-per-message': { type: 'string', default: '10' },
  },
});

function credentials(): Credentials {
  if (!values.credentials) throw new Error('--credentials <file.json> is required');
  return JSON.parse(readFileSync(values.credentials, 'utf8')) as Credentials;
}

function url(): string {
  if (!values.url) throw new Error('--url mqtt://host:port is required');
  return values.url;
}

async function main(): Promise<void> {
  const seed = Number(values.seed);
  const days = Number(values.days);
  const season = { ...exampleSeason(Date.now() - days * 86_400_000), days };
  switch (positionals[0]) {
    case 'devices':
      for (const node of planSeason(season, new SeededRng(seed).fork())) console.log(node.deviceId);
      return;
    case 'season': {
      const stats = await runSeason(season, url(), credentials(), new SeededRng(seed));
      console.log(JSON.stringify(stats));
      return;
    }
    case 'load': {
      const creds = credentials();
      const rng = new SeededRng(seed);
      const nodes = Object.keys(creds).map(
        (deviceId, i) =>
          new SensorNode({
            deviceId,
            kind: sensorKinds[i % sensorKinds.length] as SensorKind,
            startMs: Date.now(),
            rng: rng.fork(),
          }),
      );
      const devices = devicesFor(nodes, url(), creds);
      const stats = await runLoad(nodes, devices, {
        readingsPerSecond: Number(values.rate),
        durationMs: Number(values['duration-ms']),
        readingsPerMessage: Number(values['readings-per-message']),
        inFlightPerDeviceMax: 64,
        drainMsMax: 10_000,
      });
      await Promise.all([...devices.values()].map((d) => d.close()));
      console.log(JSON.stringify(stats));
      return;
    }
    default:
      throw new Error('usage: cli.ts devices | season | load (see the comment at the top of the file)');
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
