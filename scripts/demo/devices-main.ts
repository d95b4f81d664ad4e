import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MqttDevice } from '../../firmware-sim/src/mqtt/mqtt-device.ts';
import type { SensorKind } from '../../firmware-sim/src/mqtt/sensor-kinds.ts';
import { SensorNode } from '../../firmware-sim/src/mqtt/sensor-node.ts';
import { SeededRng } from '../../shared/src/index.ts';

/**
 * The field-device simulator as its own process: seeded firmware-sim sensor nodes publishing QoS 1
 * readings to the gateway's broker, one message per device every `--interval-ms`. Each node's boot
 * counter lives in `<state-dir>/boot.json` (its "flash"): a restart is a new boot, so the gateway
 * never mistakes the new readings for duplicates of the last run's.
 *
 *   node --import tsx scripts/demo/devices-main.ts --mqtt mqtt://127.0.0.1:7183 \
 *     --secrets gateway/device-secrets.json --devices coop-soil-1:soil,truck-logger-1:coldChain \
 *     --state-dir devices [--interval-ms 2000] [--seed 7]
 */
const { values } = parseArgs({
  options: {
    mqtt: { type: 'string' },
    secrets: { type: 'string' },
    devices: { type: 'string' },
    'state-dir': { type: 'string' },
    'interval-ms': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '7' },
  },
});

const intervalMs = Math.max(100, Number(values['interval-ms']));
if (
  !values.mqtt ||
  !values.secrets ||
  !values.devices ||
  !values['state-dir'] ||
  !Number.isFinite(intervalMs)
) {
  console.error('devices-main: --mqtt, --secrets, --devices and --state-dir are required');
  process.exit(2);
}
const secrets = JSON.parse(readFileSync(values.secrets, 'utf8')) as Record<string, string>;
const specs = values.devices.split(',').map((d) => {
  const [deviceId, kind] = d.split(':') as [string, SensorKind];
  return { deviceId, kind };
});
mkdirSync(values['state-dir'], { recursive: true });
const bootFile = join(values['state-dir'], 'boot.json');
const boots = existsSync(bootFile)
  ? (JSON.parse(readFileSync(bootFile, 'utf8')) as Record<string, number>)
  : {};
for (const { deviceId } of specs) boots[deviceId] = (boots[deviceId] ?? 0) + 1;
writeFileSync(bootFile, `${JSON.stringify(boots, null, 2)}\n`);

const rng = new SeededRng(Number(values.seed) | 0);
const nodes = specs.map(({ deviceId, kind }) => {
  const node = new SensorNode({ deviceId, kind, startMs: Date.now(), rng: rng.fork() });
  node.boot = boots[deviceId]!;
  return node;
});
const devices = nodes.map((node) => {
  const secret = secrets[node.deviceId];
  if (!secret) throw new Error(`no secret for ${node.deviceId} in ${values.secrets}`);
  return new MqttDevice({ url: values.mqtt!, deviceId: node.deviceId, secret });
});

/** Unacknowledged messages a device may have before it skips a tick (the broker is slow or away). */
const inFlightPerDeviceMax = 32;
let published = 0;

await Promise.all(devices.map((d) => d.connected()));
console.log(JSON.stringify({ event: 'devicesConnected', devices: specs, boots }));

const timer = setInterval(() => {
  nodes.forEach((node, i) => {
    const device = devices[i]!;
    if (device.inFlight >= inFlightPerDeviceMax) return;
    const message = node.sample(Date.now());
    if (!message) return;
    device.publish(message).then(
      () => {
        published++;
        if (published % 50 === 0) console.log(JSON.stringify({ event: 'acked', messages: published }));
      },
      () => {},
    );
  });
}, intervalMs);

const stop = () => {
  clearInterval(timer);
  Promise.all(devices.map((d) => d.close())).finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
